"""The main paths in Spanish, in a real Chromium: the home page's map (legend, date control, the headline and the
program's era recoloured in Spanish), the lookup's suggestions, a county page, a state page and a correction
report, at 1280 and 390 px, with no script error and no request to another host.

Screenshots go to test-output/es-*.png; look at them (no English left but the sources' own words).
"""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser import OUTPUT

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def open_page(browser, live_dataset):
    """Open a page of the live server; afterwards: no script error, no error status, nothing from another host."""
    contexts, requested, errors = [], [], []

    def open_(path, *, width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="es-US")
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(live_dataset.url + path)
        return page

    yield open_
    host = urlsplit(live_dataset.url).netloc
    for context in contexts:
        context.close()
    assert [url for url in requested if urlsplit(url).netloc != host and not url.startswith("data:")] == []
    assert errors == []


def _show(page, day):
    page.fill("#as-of", day)
    page.press("#as-of", "Enter")


@pytest.mark.parametrize("device", WIDTHS)
def test_the_home_page_map_speaks_spanish_and_recolours_in_spanish(open_page, device):
    width, height = WIDTHS[device]
    page = open_page("/es/", width=width, height=height)
    page.wait_for_function("() => window.scommMap !== undefined")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#period-legend").get_attribute("aria-label") == "Leyenda: semestre de activación"
    assert "2011 S1" in page.locator("#period-legend").inner_text()
    assert page.locator("#headline").inner_text().startswith("3,143 de 3,143 jurisdicciones activadas en 51 estados")
    page.screenshot(path=OUTPUT / f"es-home-{device}-{width}.png", full_page=True)

    if device == "desktop":
        assert page.locator(".slider .play").inner_text() == "Reproducir"
        page.locator(".slider .play").click()
        assert page.locator(".slider .play").inner_text() == "Pausa"
        page.locator(".slider .play").click()
        assert page.locator(".slider .play").inner_text() == "Reproducir"
    _show(page, "2011-08-05")
    assert page.locator("#headline").inner_text() == (
        "1,475 de 3,143 jurisdicciones activadas en 43 estados el 5 de agosto de 2011"
    )
    assert page.locator("#status-legend").inner_text().split("\n") == ["Activada", "Programada", "Aún no activada"]
    # The links follow once the date settles (a quarter of a second).
    page.wait_for_function("() => document.getElementById('table-link').textContent.includes('agosto de 2011')")
    assert page.locator("#table-link").inner_text() == "cada jurisdicción con su situación el 5 de agosto de 2011"
    title = page.locator("#county-map svg > title").text_content()
    assert title == "Condados de Estados Unidos, situación el 5 de agosto de 2011"
    # After 20 November 2014 the program's own state is said above the map, in Spanish.
    _show(page, "2015-03-01")
    note = page.locator("#program-status")
    assert note.is_visible()
    assert note.locator("strong").inner_text() == "El 1 de marzo de 2015:"
    assert "Programa de Aplicación Prioritaria (PEP)" in note.inner_text()
    assert "(desde el 20 de noviembre de 2014)." in note.inner_text()
    if device == "desktop":
        # The tooltip on a county says its status on the day, in Spanish.
        page.locator('#county-map path[data-fips="48201"]').hover()
        tip = page.locator("#county-map-tip").inner_text()
        assert tip == (
            "Harris County, Texas — activado el 27 de octubre de 2008 (situación el 1 de marzo de 2015: activado)"
        )
    page.screenshot(path=OUTPUT / f"es-home-asof-{device}-{width}.png", full_page=True)
    # The switch leads to the same view in English.
    page.wait_for_function("() => document.getElementById('language-switch').search === '?as_of=2015-03-01'")
    page.click("#language-switch")
    page.wait_for_url(re.compile(r"/\?as_of=2015-03-01$"))
    assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("device", WIDTHS)
def test_the_lookup_suggests_in_spanish_and_opens_the_spanish_page(open_page, device):
    width, height = WIDTHS[device]
    page = open_page("/es/jurisdictions/", width=width, height=height)
    field = page.locator("form.lookup input[name=q]")
    field.focus()
    page.keyboard.type("st louis")
    page.wait_for_selector("[role=listbox] [role=option]")
    assert page.locator("[role=listbox]").first.get_attribute("aria-label") == "Sugerencias"
    status = page.locator(".lookup-status").inner_text()
    assert re.fullmatch(r"\d+ sugerencias?: use las flechas arriba y abajo para elegir\.", status)
    assert page.locator(".locate").inner_text() == "Usar mi ubicación"
    page.screenshot(path=OUTPUT / f"es-lookup-{device}-{width}.png")
    options = page.locator("[role=listbox] [role=option] .lookup-label").all_inner_texts()
    target = options.index("St. Louis County, Missouri")
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/es/jurisdictions/29189/$"))
    assert page.locator("html").get_attribute("lang") == "es"


@pytest.mark.parametrize("device", WIDTHS)
def test_a_county_page_in_spanish(open_page, device):
    width, height = WIDTHS[device]
    page = open_page("/es/jurisdictions/48201/?as_of=2011-08-05", width=width, height=height)
    facts = page.locator("dl.facts").first.inner_text()
    assert "Situación actual" in facts and "Situación el 5 de agosto de 2011" in facts
    assert "27 de octubre de 2008" in facts
    assert page.locator("#history").inner_text() == "Historial"
    assert "Las fuentes, citas y títulos de documentos se muestran en su idioma original." in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=OUTPUT / f"es-county-{device}-{width}.png", full_page=True)
    switch = page.locator("#language-switch")
    assert switch.inner_text() == "English"
    assert switch.get_attribute("href") == "/jurisdictions/48201/?as_of=2011-08-05"


@pytest.mark.parametrize("device", WIDTHS)
def test_a_state_page_in_spanish(open_page, device):
    width, height = WIDTHS[device]
    page = open_page("/es/states/IL/?as_of=2011-08-05", width=width, height=height)
    main = page.inner_text("main")
    assert "Acuerdos con ICE" in main and "Sucesos en Illinois" in main
    assert "jurisdicciones activadas al 5 de agosto de 2011" in main
    assert "Terminado por el estado" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=OUTPUT / f"es-state-{device}-{width}.png", full_page=True)
    # A county on the state's map opens in Spanish.
    assert page.locator('.state-map a[href^="/es/jurisdictions/17031/"]').count() == 1


@pytest.mark.parametrize("device", WIDTHS)
def test_a_reader_sends_a_report_from_a_spanish_county_page(open_page, device):
    from corrections.models import CorrectionReport

    width, height = WIDTHS[device]
    page = open_page("/es/jurisdictions/48201/", width=width, height=height)
    page.click("#report-correction summary")
    assert page.locator("#report-correction summary").inner_text() == "Reportar una corrección"
    page.fill("#correction-description", "La fecha de activación debería ser el 28 de octubre de 2008.")
    page.fill("#correction-source_url", "https://example.org/ice-activaciones.pdf")
    page.locator("#report-correction").screenshot(path=str(OUTPUT / f"es-corrections-form-{device}-{width}.png"))
    page.click(".correction-form button[type=submit]")
    page.wait_for_url(re.compile(r"/es/corrections/report/thanks/"))
    assert page.inner_text("h1") == "Gracias: su reporte está en manos de los editores"
    page.screenshot(path=str(OUTPUT / f"es-corrections-thanks-{device}-{width}.png"), full_page=True)
    page.click("text=Volver a Harris County, TX (48201)")
    page.wait_for_url(re.compile(r"/es/jurisdictions/48201/$"))
    report = CorrectionReport.objects.get()
    assert (report.subject_kind, report.subject_key) == ("jurisdiction", "48201")
