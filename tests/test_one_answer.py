"""One answer on every surface: whatever shows a unit on a day (page, JSON, CSV, NDJSON, GeoJSON, the changes feed,
embeds, release answers) says the same thing, before and after an import and an edit."""

import csv
import datetime
import io
import json
import re

import pytest

from common import reading
from jurisdictions.models import Source, StatusChange
from tests.factories import make_source
from tests.test_import import good_file, upload  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

API = "/api/v1/"
STATE = "NY"  # 62 units, with disputed dates
DAYS_SAMPLED = 40


def _body(response) -> str:
    text = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    return text.removeprefix("\ufeff")  # the CSV's byte-order mark


def _sampled_days() -> list[datetime.date]:
    """Every change date of the snapshot, a day either side, and the era boundaries (2014-11-20, 2017-01-25)
    with theirs: all the era days, and the rest sampled evenly to about DAYS_SAMPLED days (deterministic)."""
    snapshot = reading.current()
    one = datetime.timedelta(days=1)
    changes = {change.effective_on for timeline in snapshot.timelines.values() for change in timeline}
    eras = {event.occurred_on + shift * one for event in snapshot.program_events for shift in (-1, 0, 1)}
    others = sorted({day + shift * one for day in changes for shift in (-1, 0, 1)} - eras)
    wanted = DAYS_SAMPLED - len(eras)
    step = max(1, len(others) // wanted)
    return sorted(eras | set(others[::step][:wanted]) | {others[-1]})


def _count_activated(rows) -> int:
    return sum(1 for row in rows if row["status"] == "activated" and row["in_dataset"] in (True, "true"))


def _answers_on(client, day: datetime.date, *, pages: bool, files: bool) -> dict:
    """What each surface says about `day`: activated counted units and all counted units. The pages (home,
    list, state) and the full files cost a render of hundreds or thousands of rows: asked on some days only."""
    iso = day.isoformat()
    stats = client.get(f"{API}stats/?as_of={iso}").json()
    said = {
        "stats": (stats["activated_jurisdictions"], stats["total_jurisdictions"]),
        "api": (
            client.get(f"{API}jurisdictions/?status=activated&as_of={iso}&page_size=1").json()["count"],
            client.get(f"{API}jurisdictions/?as_of={iso}&page_size=1").json()["count"],
        ),
    }
    state = next(row for row in stats["by_state"] if row["state"] == STATE)
    card = client.get(f"/embed/states/{STATE}/?as_of={iso}").context["counts"]
    said["state"] = {"stats": (state["activated"], state["total"]), "embed card": (card.activated, card.total)}
    if pages:
        home = client.get(f"/?as_of={iso}").context["counts"]
        said["home"] = (home["activated_jurisdictions"], home["total_jurisdictions"])
        listed = client.get(f"/jurisdictions/?status=activated&as_of={iso}").context["page"].paginator.count
        said["list page"] = (listed, stats["total_jurisdictions"])
        page = client.get(f"/states/{STATE}/?as_of={iso}").context
        said["state"]["page"] = (page["activated_count"], len(page["rows"]))
        said["state"]["page rows"] = (
            sum(1 for row in page["rows"] if row.standing.status == "activated"),
            len(page["rows"]),
        )
    if files:
        rows = list(csv.DictReader(io.StringIO(_body(client.get(f"{API}jurisdictions/?format=csv&as_of={iso}")))))
        said["csv"] = (_count_activated(rows), len(rows))
        ndjson = _body(client.get(f"{API}jurisdictions/?format=ndjson&as_of={iso}"))
        lines = [json.loads(line) for line in ndjson.splitlines()]
        said["ndjson"] = (_count_activated(lines), len(lines))
        collection = json.loads(_body(client.get(f"{API}jurisdictions/?format=geojson&as_of={iso}")))
        shown = [feature["properties"] for feature in collection["features"]] + collection["without_shape"]
        said["geojson"] = (_count_activated(shown), sum(1 for row in shown if row["in_dataset"]))
        said["geojson counts"] = tuple(
            collection["counts"][key] for key in ("activated_jurisdictions", "total_jurisdictions")
        )
    return said


def _agree(said: dict, day) -> None:
    national = {name: value for name, value in said.items() if name != "state"}
    assert len(set(national.values())) == 1, (day, national)
    assert len(set(said["state"].values())) == 1, (day, said["state"])


def _import_and_edit(editor_client, good_file):  # noqa: F811
    """An import (Harris County's date replaced with another source's; a new unit), then two edits: Dallas
    County's date replaced citing a new source (an earlier report), Kings County's re-read from its own source (a
    correction, not a report)."""
    response = upload(editor_client, "activated.csv", good_file)
    editor_client.post(response["Location"], {"confirm": "1"})
    dallas = StatusChange.objects.get(jurisdiction_id="48113")
    dallas.effective_on += datetime.timedelta(days=2)
    dallas.source = make_source(title="A later list of activations")
    dallas.save()
    kings = StatusChange.objects.get(jurisdiction_id="36047")
    kings.effective_on += datetime.timedelta(days=1)
    kings.save()


def test_every_surface_gives_the_same_counts_on_many_days_before_and_after_an_import_and_an_edit(
    client,
    editor_client,  # noqa: F811
    good_file,  # noqa: F811
):
    days = _sampled_days()
    assert len(days) >= DAYS_SAMPLED - 2
    assert {datetime.date(2014, 11, 20), datetime.date(2017, 1, 25)} <= set(days)
    before, released = {}, {}
    for number, day in enumerate(days):
        said = _answers_on(client, day, pages=number % 2 == 0, files=number % 5 == 0)
        _agree(said, day)
        before[day] = said["stats"]
        # Release r1 (published when the dataset was loaded) answers as the tracker does: the unit the import
        # fixture has just added (not yet activated) is not in it.
        release = client.get(f"{API}stats/?as_of={day.isoformat()}&release=r1").json()
        released[day] = (release["activated_jurisdictions"], release["total_jurisdictions"])
        assert released[day] == (said["stats"][0], said["stats"][1] - 1), day

    _import_and_edit(editor_client, good_file)
    changed = 0
    for number, day in enumerate(days):
        said = _answers_on(client, day, pages=number % 2 == 1, files=number % 5 == 1)
        _agree(said, day)
        changed += said["stats"] != before[day]
        # A release is frozen: it still answers as before the import.
        release = client.get(f"{API}stats/?as_of={day.isoformat()}&release=r1").json()
        assert (release["activated_jurisdictions"], release["total_jurisdictions"]) == released[day], day
    assert changed  # the import added a unit: the answers moved, together


def _reported(row: dict) -> tuple:
    """What an answer says of a unit's dates beyond the recorded one: disputed, the competing date, the earlier
    reports' dates (from a JSON or NDJSON object, or a CSV row)."""
    reports = row["earlier_reports"]
    if isinstance(reports, str):  # CSV: "2008-10-27 https://... | ..."
        dates = [item.split(" ", 1)[0] for item in reports.split(" | ") if item]
    else:
        dates = [report["date"] for report in reports]
    return (row["disputed"] in (True, "true"), row["alternative_date"] or None, tuple(dates))


def _page_reports(client, fips: str, iso: str | None) -> tuple:
    page = client.get(f"/jurisdictions/{fips}/" + (f"?as_of={iso}" if iso else "")).content.decode()
    facts = page.split('class="facts"')[1].split("</dl>")[0]
    history = page.split('id="history"')[1].split("</ol>")[0]
    earlier = re.findall(r'class="earlier-report">[^<]*<time datetime="([0-9-]+)"', history)
    return ("date disputed" in facts, tuple(earlier))


def test_every_unit_has_the_same_disputed_and_earlier_dates_in_json_csv_ndjson_and_its_page(
    client,
    editor_client,  # noqa: F811
    good_file,  # noqa: F811
):
    _import_and_edit(editor_client, good_file)
    for iso in [None, "2008-10-27", "2011-06-01"]:
        query = f"as_of={iso}&" if iso else ""
        listed = {}
        page = f"{API}jurisdictions/?{query}page_size=1000"
        while page:
            answer = client.get(page).json()
            listed.update({row["fips"]: _reported(row) for row in answer["results"]})
            page = answer["next"]
        lines = _body(client.get(f"{API}jurisdictions/?{query}format=ndjson")).splitlines()
        ndjson = {row["fips"]: _reported(row) for row in map(json.loads, lines)}
        rows = csv.DictReader(io.StringIO(_body(client.get(f"{API}jurisdictions/?{query}format=csv"))))
        in_csv = {row["fips"]: _reported(row) for row in rows}
        assert listed == ndjson == in_csv, iso
        disputed = {fips for fips, (flag, _, _) in listed.items() if flag}
        if iso is None:
            # The import's and the edit's replaced dates are earlier reports; a re-read of the same source is not.
            assert listed["48201"] == (True, None, ("2008-10-27",))
            assert listed["48113"][0] and len(listed["48113"][2]) == 1
            assert listed["36047"] == (False, None, ())
            assert len(disputed) == 8 + 2
        for fips in sorted(disputed | {"36047", "48201", "48113", "01001"}):
            detail = client.get(f"{API}jurisdictions/{fips}/" + (f"?as_of={iso}" if iso else "")).json()
            assert _reported(detail) == listed[fips], (iso, fips)
            shown_disputed, shown_earlier = _page_reports(client, fips, iso)
            assert shown_disputed == (listed[fips][0] and detail["activated_on"] is not None), (iso, fips)
            if iso is None:
                assert shown_earlier == listed[fips][2], fips


def test_the_changes_feed_and_the_embed_card_say_what_the_page_says_after_an_import(
    client,
    editor_client,  # noqa: F811
    good_file,  # noqa: F811
):
    response = upload(editor_client, "activated.csv", good_file)
    editor_client.post(response["Location"], {"confirm": "1"})
    feed, cursor = [], ""
    while True:
        answer = client.get(f"{API}changes/?limit=500" + (f"&since={cursor}" if cursor else "")).json()
        feed += answer["results"]
        cursor = answer["next"]
        if not answer["more"]:
            break
    harris = [item for item in feed if item["type"] == "status_change" and item["fields"]["jurisdiction"] == "48201"]
    assert harris[0]["fields"]["disputed"] is False and harris[0]["fields"]["earlier_reports"] == []
    last = harris[-1]["fields"]
    dataset_source = Source.objects.get(key="asad-baer-bositis-2025").pk
    assert last["disputed"] is True
    assert [(report["date"], report["source"]) for report in last["earlier_reports"]] == [
        ("2008-10-27", dataset_source)
    ]
    assert "disputed" in harris[-1]["changed_fields"] and "effective_on" in harris[-1]["changed_fields"]
    detail = client.get(f"{API}jurisdictions/48201/").json()
    assert [report["date"] for report in detail["earlier_reports"]] == ["2008-10-27"]
    assert detail["earlier_reports"][0]["source"]["id"] == dataset_source
    card = client.get("/embed/jurisdictions/48201/").content.decode()
    assert "disputed: also reported as 27 October 2008" in card
