"""The editors' own texts in Spanish: every shipped text has its Spanish version, in the files and once loaded;
the Spanish pages show them (quotations of the sources marked as English), a record still without one shows its
English text marked as such, and the English pages are as they were."""

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from agreements.models import Agreement, AgreementStatusChange, Event
from jurisdictions.models import Jurisdiction, StatusChange
from tracker.dataset.load import load_dataset

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# (file, English column, Spanish column): every editor-written text the shipped files hold.
COLUMNS = [
    ("events.csv", "summary", "summary_es"),
    ("agreements.csv", "note", "note_es"),
    ("agreements_undated.csv", "note", "note_es"),
    ("agreement_status.csv", "note", "note_es"),
    ("map_units.csv", "change_note", "change_note_es"),
]
# (model, English field): every editor-written text the public pages show.
FIELDS = [
    (Event, "summary"),
    (Agreement, "notes"),
    (AgreementStatusChange, "note"),
    (StatusChange, "note"),
    (Jurisdiction, "change_note"),
]
# English words that are no Spanish words (as tests/test_i18n.py).
ENGLISH = re.compile(r"\b(the|of|and|is|with|which|this|from|was|were|by|not|on|to|your|The|This)\b")
QUOTED = re.compile(r"\u201c[^\u201d]*\u201d")
# "of" or "and" inside a proper name ("California Department of Justice", "Wrangell City and Borough").
IN_A_NAME = re.compile(r"([A-Z][\w'.]*) (?:of|and) (?=[A-Z])")


@pytest.mark.parametrize(("name", "english", "spanish"), COLUMNS)
def test_every_shipped_text_has_its_spanish_version(name, english, spanish):
    with (FIXTURES / name).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and spanish in rows[0]
    for line, row in enumerate(rows, start=2):
        if row[english].strip():
            text = row[spanish].strip()
            assert text, f"{name}, line {line}: no {spanish}"
            assert text != row[english].strip(), f"{name}, line {line}: {spanish} is the English text"
            # Quotations and English titles are between “ and ”, where the pages mark them as English.
            outside = IN_A_NAME.sub(r"\1 ", QUOTED.sub("", text))
            assert not ENGLISH.search(outside), f"{name}, line {line}: English outside quotes: {text}"
        else:
            assert not row[spanish].strip(), f"{name}, line {line}: {spanish} without an English text"


@pytest.mark.parametrize(("model", "field"), FIELDS)
def test_every_loaded_text_has_its_spanish_version(dataset, model, field):
    with_english = model.objects.exclude(**{field: ""})
    assert with_english.exists()
    assert not with_english.filter(**{f"{field}_es": ""}).exists()


def test_a_later_load_never_fills_a_blank_spanish_text(dataset):
    """The database is the record: a text an editor left blank stays blank (the report says nothing was written)."""
    for model, field in FIELDS:
        model.objects.update(**{f"{field}_es": ""})
    assert not load_dataset(FIXTURES).changed_anything
    for model, field in FIELDS:
        assert not model.objects.exclude(**{f"{field}_es": ""}).exists(), model


def test_an_editors_spanish_text_is_never_overwritten_by_the_load(dataset):
    event = Event.objects.get(occurred_on="2011-08-05", state=None)
    event.summary_es = "Texto propio de un editor."
    event.save()
    # An English text an editor changed: the file's Spanish is no longer its translation.
    edited = Agreement.objects.get(state_id="MA")
    edited.notes, edited.notes_es = "An editor's corrected note.", ""
    edited.save()
    assert not load_dataset(FIXTURES).changed_anything
    assert Event.objects.get(pk=event.pk).summary_es == "Texto propio de un editor."
    assert Agreement.objects.get(pk=edited.pk).notes_es == ""


def test_the_loader_still_refuses_a_malformed_file_with_its_line(tmp_path):
    import shutil

    from tracker.dataset.rows import DatasetError

    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("geo"))
    text = (copy / "events.csv").read_text(encoding="utf-8")
    (copy / "events.csv").write_text(text + "2011-13-45,TX,other,Bad date,Fecha mala,https://example.org/\r\n")
    with pytest.raises(DatasetError) as error:
        load_dataset(copy)
    assert "events.csv, line 71: date '2011-13-45' is not a valid date" in str(error.value)


def _page(client, url) -> str:
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(
    ("url", "spanish"),
    [
        ("/es/jurisdictions/36009/", "El conjunto de datos por condado da dos fechas para este condado"),
        ("/es/jurisdictions/02270/", "Pasó a llamarse Kusilvak Census Area (02158) en 2015."),
        ("/es/states/IL/", "La oficina del gobernador Pat Quinn ordena a Illinois State Police suspender"),
        ("/es/states/IL/", "La carta del gobernador Quinn adjuntaba el aviso del director de ISP"),
        ("/es/states/NY/", "Lo sustituyó el MOA revisado firmado el 28 de diciembre de 2010."),
        ("/es/states/MA/", "Nunca se firmó. La carta de rechazo de la secretaria Mary Beth Heffernan"),
        ("/es/agreements/", "ICE dio por terminados todos los MOA de Secure Communities vigentes"),
        ("/es/?as_of=2011-08-05", "El director de ICE John Morton escribe a los gobernadores"),
        ("/es/about/", "Se fusionó con Bedford County (51019) en 2013."),
    ],
)
def test_spanish_pages_show_the_spanish_texts(client, dataset, url, spanish):
    html = _page(client, url)
    assert spanish in html
    assert 'class="untranslated"' not in html
    assert "(en inglés)" not in html


def test_quotations_in_a_spanish_text_stay_marked_as_english(client, dataset):
    html = _page(client, "/es/states/DC/")
    assert (
        '<span lang="en">\u201cLast November, Chief Lanier signed a Memorandum of Agreement with ICE\u201d</span>'
        in html
    )


def test_a_record_without_its_spanish_text_shows_the_english_marked_as_english(client, dataset):
    event = Event.objects.get(occurred_on="2011-08-05", state=None)
    english = event.summary
    event.summary_es = ""
    event.save()
    html = _page(client, "/es/?as_of=2011-08-05")
    assert (
        f'<span lang="en" class="untranslated">{english}</span> <small class="in-english">(en inglés)</small>' in html
    )
    # The English page is as before the Spanish texts: the text in <span lang="en">.
    assert f'<span lang="en">{english}</span>' in _page(client, "/?as_of=2011-08-05")


def test_english_pages_show_the_english_texts_as_before(client, dataset):
    html = _page(client, "/states/MA/")
    assert '<p class="notes" lang="en">Never signed. The refusal letter from Secretary Mary Beth Heffernan' in html
    assert "Nunca se firmó" not in html
    county = _page(client, "/jurisdictions/36009/")
    assert '<span lang="en">The county dataset gives two dates for this county: its activation date' in county
    assert "no coinciden" not in county


def test_search_notes_follow_the_page_language(client, dataset):
    english = client.get("/search/suggest?q=02270").json()["notes"]
    spanish = client.get("/es/search/suggest?q=02270").json()["notes"]
    assert any("Renamed Kusilvak Census Area" in note for note in english)
    assert any("Pasó a llamarse Kusilvak Census Area" in note for note in spanish)


def test_the_admin_edits_the_spanish_texts_beside_the_english(admin_client, dataset):
    agreement = Agreement.objects.filter(state_id="MA").first()
    html = admin_client.get(f"/admin/agreements/agreement/{agreement.pk}/change/").content.decode()
    assert 'name="notes_es"' in html
    assert 'name="status_changes-0-note_es"' in html
    unit = Jurisdiction.objects.get(fips="36009")
    html = admin_client.get(f"/admin/jurisdictions/jurisdiction/{unit.pk}/change/").content.decode()
    assert 'name="change_note_es"' in html
    assert 'name="status_changes-0-note_es"' in html
    event = Event.objects.get(occurred_on="2011-08-05", state=None)
    html = admin_client.get(f"/admin/agreements/event/{event.pk}/change/").content.decode()
    assert 'name="summary_es"' in html


def test_the_tag_marks_only_quotations_in_a_spanish_text():
    from tracker.templatetags.languages import in_language

    record = Event(summary="An \u201cEnglish\u201d text", summary_es="Una cita: \u201cthe words\u201d <b>.")
    with translation.override("es"):
        assert str(in_language(record, "summary")) == (
            '<span>Una cita: <span lang="en">\u201cthe words\u201d</span> &lt;b&gt;.</span>'
        )
    with translation.override("en"):
        assert str(in_language(record, "summary", "p", "notes")) == (
            '<p class="notes" lang="en">An \u201cEnglish\u201d text</p>'
        )


def test_load_dataset_command_reports_nothing_changed_on_a_second_run(dataset, capsys):
    call_command("load_dataset")
    assert "nothing was written" in capsys.readouterr().out


def test_the_corrections_log_shows_what_changed_in_the_pages_language(client, dataset):
    from tests.corrections_helpers import accept, make_report
    from tests.factories import make_source

    report = accept(make_report(), source=make_source(), note="Activation date corrected.\nSee the source.")
    english = _page(client, "/corrections/")
    assert '<dd lang="en">Activation date corrected.<br>See the source.</dd>' in english
    spanish = _page(client, "/es/corrections/")
    assert (
        '<dd><span lang="en" class="untranslated">Activation date corrected.<br>See the source.</span> '
        '<small class="in-english">(en inglés)</small></dd>'
    ) in spanish
    report.resolution_note_es = "Se corrigió la fecha de activación.\nVéase “the source”."
    report.save()
    spanish = _page(client, "/es/corrections/")
    assert '<dd>Se corrigió la fecha de activación.<br>Véase <span lang="en">“the source”</span>.</dd>' in spanish
    assert "Se corrigió" not in _page(client, "/corrections/")


def test_a_status_recorded_on_several_agreements_at_once_takes_its_spanish_note(dataset):
    import datetime

    from agreements.services import agreements_record_status
    from jurisdictions.models import Source

    created, _ = agreements_record_status(
        agreements=Agreement.objects.filter(state_id="MA"),
        status="in_force",
        effective_on=datetime.date(2012, 5, 15),
        source=Source.objects.first(),
        note="Signed after all.",
        note_es="Firmado al final.",
    )
    assert [(change.note, change.note_es) for change in created] == [("Signed after all.", "Firmado al final.")]
