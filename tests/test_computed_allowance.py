"""Computed public answers have an allowance per client address (COMPUTED_RATE, common/public.py
`over_allowance`): a client cannot make the app compute unlimited distinct answers (one per `as_of` day), while
repeats that cost nothing (the answer store's, a 304) are free, and the API keeps its own throttles."""

import pytest
from django.db import OperationalError, connection
from django.utils import translation

from common import reading
from common.models import Allowance
from common.public import TOO_MANY
from releases.services import release_publish

DAYS = [f"2010-0{month}-1{day}" for month in range(1, 10) for day in range(10)]


@pytest.fixture(autouse=True)
def _no_counts_yet(db):
    # Counters that another test's threads committed outside its transaction would count here too.
    Allowance.objects.all().delete()


def _home(client, day, **extra):
    return client.get("/", {"as_of": day}, **extra)


@pytest.mark.parametrize(
    "path",
    ["/", "/jurisdictions/48201/", "/embed/states/IL/", "/states/IL/card.png", "/es/jurisdictions/"],
)
def test_distinct_days_from_one_address_are_refused_beyond_the_allowance(client, dataset, settings, path):
    settings.COMPUTED_RATE = "3/minute"
    for day in DAYS[:3]:
        assert client.get(path, {"as_of": day}).status_code == 200
    refused = client.get(path, {"as_of": DAYS[3]})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    if not path.startswith("/es/"):  # the Spanish refusal has its own test
        assert refused.content.decode() == TOO_MANY


def test_the_limit_is_per_address_by_the_trusted_proxy_rule(client, dataset, settings):
    settings.COMPUTED_RATE = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 1
    # Both come through our one proxy (REMOTE_ADDR 127.0.0.1): the client is the header's rightmost entry.
    first = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    second = {"HTTP_X_FORWARDED_FOR": "203.0.113.7, 198.51.100.2"}
    assert [_home(client, day, **first).status_code for day in DAYS[:3]] == [200, 200, 429]
    assert [_home(client, day, **second).status_code for day in DAYS[3:5]] == [200, 200]
    # The first is still refused; what a client writes left of our proxy's entry changes nothing.
    assert _home(client, DAYS[5], HTTP_X_FORWARDED_FOR="192.0.2.50, 198.51.100.1").status_code == 429


def test_a_forged_forwarded_for_without_a_trusted_proxy_does_not_make_a_new_client(client, dataset, settings):
    settings.COMPUTED_RATE = "2/minute"
    settings.TRUSTED_PROXY_COUNT = 0
    assert [_home(client, day).status_code for day in DAYS[:3]] == [200, 200, 429]
    for n, day in enumerate(DAYS[3:6]):
        assert _home(client, day, HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}").status_code == 429
    # Another address proper has its own allowance.
    assert _home(client, DAYS[6], REMOTE_ADDR="192.0.2.99").status_code == 200


def test_answers_from_the_store_do_not_count(client, dataset, settings):
    settings.COMPUTED_RATE = "2/minute"
    first = _home(client, DAYS[0])
    assert first.status_code == 200 and not getattr(first, "from_answer_cache", False)
    for _ in range(5):
        again = _home(client, DAYS[0])
        assert again.status_code == 200 and again.from_answer_cache
    assert _home(client, DAYS[1]).status_code == 200
    assert _home(client, DAYS[2]).status_code == 429


def test_304s_known_before_the_view_do_not_count_and_if_modified_since_alone_does(client, dataset, settings):
    settings.ANSWER_CACHE_MB = 0  # read when the client's handler starts: no store, every answer is the view's
    settings.COMPUTED_RATE = "3/minute"
    first = _home(client, DAYS[0])
    assert first.status_code == 200
    for _ in range(5):
        assert _home(client, DAYS[0], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Without a tag the view must run to know whether it has the page (it counts), even if it then says 304.
    assert _home(client, DAYS[0], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert _home(client, DAYS[1]).status_code == 200
    assert _home(client, DAYS[2]).status_code == 429
    # Once refused, a 304 for a tag the client holds is still answered.
    assert _home(client, DAYS[0], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_spanish_pages_refuse_in_spanish(client, dataset, settings):
    settings.COMPUTED_RATE = "1/minute"
    assert client.get("/es/", {"as_of": DAYS[0]}).status_code == 200
    refused = client.get("/es/", {"as_of": DAYS[1]})
    assert refused.status_code == 429 and refused["Content-Language"] == "es"
    with translation.override("es"):
        spanish = translation.gettext(TOO_MANY)
    assert refused.content.decode() == spanish
    english = client.get("/", {"as_of": DAYS[2]})
    assert english.status_code == 429 and english.content.decode() == TOO_MANY


def test_a_failing_store_lifts_the_limit_never_the_answer(client, dataset, settings):
    settings.COMPUTED_RATE = "1/minute"

    def allowance_table_fails(execute, sql, params, many, context):
        if Allowance._meta.db_table in sql:
            raise OperationalError("the allowance table is unreachable")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(allowance_table_fails):
        assert [_home(client, day).status_code for day in DAYS[:4]] == [200] * 4
    # Once the store answers again, the limit is back.
    assert [_home(client, day).status_code for day in DAYS[4:6]] == [200, 429]


def test_an_editor_signed_in_is_not_limited(client, admin_client, dataset, settings):
    settings.COMPUTED_RATE = "1/minute"
    assert [_home(client, day).status_code for day in DAYS[:2]] == [200, 429]
    # The same address, with a live session the app issued.
    assert [_home(admin_client, day).status_code for day in DAYS[2:5]] == [200] * 3
    # A made-up session cookie is no session.
    client.cookies["sessionid"] = "made-up"
    assert _home(client, DAYS[5]).status_code == 429


def test_searches_count_against_their_own_allowance_only(client, dataset, settings):
    settings.COMPUTED_RATE = "1/minute"
    settings.SEARCH_RATE = "300/minute"
    for word in ("harris", "cook", "miami", "travis"):
        assert client.get("/search/suggest", {"q": word}).status_code == 200
        assert client.get("/jurisdictions/", {"q": word}).status_code == 200
    assert [_home(client, day).status_code for day in DAYS[:2]] == [200, 429]


def test_the_api_keeps_its_own_throttles_and_their_answer(client, dataset, settings):
    settings.COMPUTED_RATE = "1/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "bulk": None}}
    statuses = [client.get("/api/v1/stats/", {"as_of": day}).status_code for day in DAYS[:4]]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/stats/", {"as_of": DAYS[4]}, HTTP_ORIGIN="https://example.org")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert set(refused.json()) == {"detail"}
    assert refused["Access-Control-Allow-Origin"] == "*"
    # The API's answers did not use the pages' allowance.
    assert [_home(client, day).status_code for day in DAYS[5:7]] == [200, 429]


def test_a_page_counts_once_with_the_card_it_lays_out_for_its_embed_code(client, dataset, settings):
    settings.COMPUTED_RATE = "5/minute"
    # The county page renders its card to size the embed code's frame (jurisdictions/embeds.py frame_height).
    assert client.get("/jurisdictions/17031/", {"as_of": DAYS[0]}).status_code == 200
    assert list(Allowance.objects.values_list("key", "count")) == [("computed:127.0.0.1", 1)]


@pytest.mark.parametrize(
    "path",
    [
        "/oembed?url=/jurisdictions/48201/%3Fas_of%3D{day}",
        "/oembed?url=/es/states/TX/%3Fas_of%3D{day}",
        "/feeds/changes/?x={day}",
        "/feeds/changes/TX/?x={day}",
        "/es/feeds/corrections/?x={day}",
    ],
)
def test_oembed_and_feeds_count_as_computed_answers(client, dataset, settings, path):
    settings.COMPUTED_RATE = "2/minute"
    assert [client.get(path.format(day=day)).status_code for day in DAYS[:2]] == [200, 200]
    refused = client.get(path.format(day=DAYS[2]))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    if path.startswith("/oembed"):
        assert refused.json() == {"error": TOO_MANY}  # as its other errors


def test_a_release_this_process_does_not_hold_is_refused_before_it_is_built(
    client, dataset, releases_dir, settings, monkeypatch
):
    settings.COMPUTED_RATE = "2/minute"
    settings.RELEASE_SNAPSHOTS_KEPT = 1
    for n in range(2, 4):
        release_publish(note=f"Release {n}")
    reading.forget_releases()
    built = []
    loader = reading._release_loader
    monkeypatch.setattr(reading, "_release_loader", lambda pinned: built.append(pinned.number) or loader(pinned))
    assert [client.get(f"/jurisdictions/48201/?release=r{n}").status_code for n in (1, 2)] == [200, 200]
    # The third release is not held (one kept): refused before its snapshot is built, not after.
    assert client.get("/jurisdictions/48201/?release=r3").status_code == 429
    assert built == [1, 2]
    # A release that does not exist is still a 404, and the allowance is not the reason.
    assert client.get("/jurisdictions/48201/?release=r9").status_code == 404
