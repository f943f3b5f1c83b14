"""Pictures to share (tracker/pictures.py): the og:image card of a county's and a state's page, and the rollout as a
PNG per day and an animated GIF on /downloads/. Each is decoded by Pillow, as a social network or a reader would."""

import io
import re
from html import unescape

import pytest
from PIL import Image

from jurisdictions.models import Jurisdiction
from tracker import pictures

pytestmark = pytest.mark.django_db

SIZE = (1200, 630)
ACTIVATED = pictures.FILLS["activated"]


@pytest.fixture(autouse=True)
def _no_kept_pictures():
    pictures.forget()
    yield
    pictures.forget()


def _image(response, kind="PNG") -> Image.Image:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == f"image/{kind.lower()}"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == kind
    return image


def _meta(page: str, key: str) -> str:
    found = re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    assert len(found) == 1, (key, found)
    return unescape(found[0])


def _activated_share(image: Image.Image) -> float:
    """The share of the picture's pixels in the activated colour."""
    rgb = image.convert("RGB")
    counts = rgb.getcolors(maxcolors=rgb.width * rgb.height)
    return sum(n for n, colour in counts if colour == ACTIVATED) / (rgb.width * rgb.height)


@pytest.mark.parametrize(
    "path",
    [
        "/jurisdictions/17031/card.png",
        "/es/jurisdictions/17031/card.png",
        "/jurisdictions/17031/card.png?as_of=2010-05-01",
        "/jurisdictions/51515/card.png",  # Bedford city, VA: no shape today, its area picked out
        "/jurisdictions/17031/card.png?release=r1",
        "/states/TX/card.png",
        "/es/states/IL/card.png?as_of=2011-08-05",
        "/states/DC/card.png?release=r1",
    ],
)
def test_cards_decode_as_1200_by_630_pngs(client, dataset, path):
    assert _image(client.get(path)).size == SIZE


def test_a_card_is_drawn_in_the_page_language_and_for_its_day(client, dataset):
    english = client.get("/jurisdictions/17031/card.png?as_of=2011-08-05").content
    spanish = client.get("/es/jurisdictions/17031/card.png?as_of=2011-08-05").content
    # Cook County was activated on 2013-01-22: on 2011-08-05 it was not, and its shape is the highlight either way.
    later = client.get("/jurisdictions/17031/card.png?as_of=2013-02-01").content
    assert len({english, spanish, later}) == 3


def test_a_state_card_shows_the_counties_activated_on_its_day(client, dataset):
    before = Image.open(io.BytesIO(client.get("/states/TX/card.png?as_of=2008-01-01").content))
    after = Image.open(io.BytesIO(client.get("/states/TX/card.png?as_of=2013-02-01").content))
    # Every Texas county was activated by 2013: its map fills a good part of the card in the activated colour after,
    # and none before (only the count and the legend are in that colour).
    assert _activated_share(after) > 0.08 > 0.02 > _activated_share(before)


def test_cards_of_unknown_units_and_bad_days_are_refused(client, dataset):
    assert client.get("/jurisdictions/99999/card.png").status_code == 404
    assert client.get("/states/ZZ/card.png").status_code == 404
    assert client.get("/states/TX/card.png?as_of=2011-02-30").status_code == 400
    assert client.get("/states/TX/card.png?release=r999").status_code == 404


@pytest.mark.parametrize(
    ("page", "picture"),
    [
        ("/jurisdictions/17031/", "/jurisdictions/17031/card.png"),
        ("/es/jurisdictions/17031/?as_of=2011-08-05", "/es/jurisdictions/17031/card.png?as_of=2011-08-05"),
        ("/states/TX/?release=r1", "/states/TX/card.png?release=r1"),
        ("/es/states/IL/?as_of=2010-05-01", "/es/states/IL/card.png?as_of=2010-05-01"),
    ],
)
def test_pages_point_their_og_and_twitter_image_at_their_card(client, dataset, page, picture):
    html = client.get(page).content.decode()
    url = "http://testserver" + picture
    assert _meta(html, "og:image") == url
    assert _meta(html, "twitter:image") == url
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "630")
    assert _meta(html, "og:image:alt")
    assert _image(client.get(url.removeprefix("http://testserver"))).size == SIZE


def test_pages_without_a_card_have_no_og_image(client, dataset):
    assert 'property="og:image"' not in client.get("/").content.decode()
    assert 'property="og:image"' not in client.get("/agreements/").content.decode()


def test_a_card_is_drawn_once_per_data_version(client, dataset, monkeypatch):
    drawn = []
    real = pictures._state_card
    monkeypatch.setattr(pictures, "_state_card", lambda *args: drawn.append(args) or real(*args))
    first = client.get("/states/TX/card.png?as_of=2011-08-05").content
    again = client.get("/states/TX/card.png?as_of=2011-08-05", HTTP_CACHE_CONTROL="no-cache").content
    assert len(drawn) == 1 and first == again
    # An edit makes a new data version: the card is drawn again from the new data.
    Jurisdiction.objects.filter(fips="48201").update(name="Harris County (edited)")
    client.get("/states/TX/card.png?as_of=2011-08-05")
    assert len(drawn) == 2


def test_the_rollout_png_is_the_map_on_the_day_asked(client, dataset):
    early = _image(client.get("/downloads/rollout.png?as_of=2009-01-01"))
    late = _image(client.get("/es/downloads/rollout.png?as_of=2013-02-01"))
    assert early.size == late.size == SIZE
    assert _activated_share(late) > 2 * _activated_share(early)
    response = client.get("/downloads/rollout.png?as_of=2011-08-05")
    assert 'filename="scomm-rollout-2011-08-05.png"' in response["Content-Disposition"]


def test_the_rollout_gif_has_a_frame_per_half_year_ending_with_every_county_activated(client, dataset):
    response = client.get("/downloads/rollout.gif")
    image = _image(response, "GIF")
    assert image.size == SIZE
    days = pictures.rollout_days(response.wsgi_request.snapshot)
    # 2008 H2 (the first activation, October 2008) to 2013 H1 (the last, 22 January 2013).
    assert days[0].isoformat() == "2008-12-31" and days[-1].isoformat() == "2013-01-22"
    assert image.n_frames == len(days) == 10
    assert image.info["loop"] == 0
    shares = []
    for frame in range(image.n_frames):
        image.seek(frame)
        shares.append(_activated_share(image))
    assert shares == sorted(shares) and shares[0] < shares[-1] / 5


def test_downloads_offers_the_pictures_with_their_licence(client, dataset):
    for path in ("/downloads/", "/es/downloads/"):
        html = client.get(path).content.decode()
        prefix = "/es" if path.startswith("/es") else ""
        assert f'href="{prefix}/downloads/rollout.gif"' in html
        assert f'action="{prefix}/downloads/rollout.png"' in html
        assert "CC BY 4.0" in html
