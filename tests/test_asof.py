"""The as-of rule (jurisdictions/asof.py) is the one answer to "what was true on day D", wherever it is shown:
the SQL form kept for the admin agrees with it on every unit and agreement for many days, the program's eras
are said on every surface, and "today" is the date in the United States."""

import csv
import datetime
import io
import json

import pytest

from agreements.models import Agreement
from common import reading
from common.dates import us_today
from jurisdictions import asof
from jurisdictions.models import Jurisdiction, Status

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/"

# Era boundaries, the rollout's key days, and days either side of each.
ERA_DAYS = [D(2014, 11, 19), D(2014, 11, 20), D(2015, 6, 1), D(2017, 1, 24), D(2017, 1, 25)]
KEY_DAYS = [
    D(2008, 1, 1),
    D(2008, 10, 26),
    D(2008, 10, 27),
    D(2009, 1, 1),
    D(2010, 9, 30),
    D(2011, 1, 6),
    D(2011, 6, 1),
    D(2011, 8, 4),
    D(2011, 8, 5),
    D(2012, 4, 10),
    D(2013, 1, 21),
    D(2013, 1, 22),
    *ERA_DAYS,
]


def _body(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8-sig")


@pytest.mark.parametrize(
    "day, jurisdictions, states",
    [
        (D(2008, 10, 26), 0, 0),
        (D(2008, 10, 27), 1, 1),
        (D(2010, 9, 30), 661, 32),
        (D(2011, 8, 5), 1475, 43),
        (D(2013, 1, 21), 3037, 51),
        (D(2013, 1, 22), 3143, 51),
    ],
)
def test_activated_counts_on_key_dates(dataset, day, jurisdictions, states):
    counts = reading.current().state_counts(day)
    assert sum(row.activated for row in counts.values()) == jurisdictions
    assert sum(1 for row in counts.values() if row.activated) == states
    assert sum(row.total for row in counts.values()) == 3143


def test_the_sql_form_agrees_with_the_rule_on_every_unit_and_day(dataset):
    snapshot = reading.current()
    # Every distinct activation date too: each is a boundary where the two could disagree.
    days = sorted({*KEY_DAYS, *(c.effective_on for t in snapshot.timelines.values() for c in t)})[::7] + KEY_DAYS
    for day in days:
        rows = Jurisdiction.objects.with_status(day).values_list("fips", "status", "status_since", "activated_on")
        for fips, status, since, activated in rows:
            standing = snapshot.standing(fips, day)
            assert (status, since, activated) == (standing.status, standing.since, standing.activated_on), (fips, day)


def test_the_sql_form_agrees_with_the_rule_on_every_agreement_and_day(dataset):
    snapshot = reading.current()
    days = sorted({*KEY_DAYS, *(c.effective_on for a in snapshot.agreements for c in a.timeline)})
    for day in days:
        for agreement_id, status in Agreement.objects.with_status(day).values_list("pk", "status"):
            agreement = snapshot.agreements_by_id[agreement_id]
            assert status == snapshot.agreement_status(agreement, day), (agreement_id, day)


def test_a_unit_is_not_activated_before_its_date_and_activated_from_it(dataset):
    harris = reading.current().units["48201"]
    assert harris.status_on(D(2008, 10, 26)) == Status.NOT_ACTIVATED
    standing = harris.standing_on(D(2008, 10, 27))
    assert (standing.status, standing.since, standing.activated_on) == (
        Status.ACTIVATED,
        D(2008, 10, 27),
        D(2008, 10, 27),
    )


def test_a_successor_unit_borrows_the_history_of_the_unit_it_replaced(dataset):
    snapshot = reading.current()
    assert snapshot.row("02158", D(2012, 4, 10)).standing.status == Status.ACTIVATED
    assert snapshot.row("02158", D(2012, 4, 9)).standing.status == Status.NOT_ACTIVATED
    assert snapshot.units["02158"].in_dataset is False


@pytest.mark.parametrize(
    "day, code",
    [
        (D(2014, 11, 19), asof.OPERATING),
        (D(2014, 11, 20), asof.DISCONTINUED),
        (D(2015, 6, 1), asof.DISCONTINUED),
        (D(2017, 1, 24), asof.DISCONTINUED),
        (D(2017, 1, 25), asof.REINSTATED),
    ],
)
def test_the_programs_eras_are_said_on_every_surface(client, dataset, day, code):
    iso = day.isoformat()
    stats = client.get(f"{API}stats/?as_of={iso}").json()
    assert stats["program_status"]["status"] == code
    # A county's own status is unchanged by the era: it stays "activated", with the program's state beside it.
    harris = client.get(f"{API}jurisdictions/48201/?as_of={iso}").json()
    assert harris["status"] == Status.ACTIVATED
    assert harris["program_status"]["status"] == code
    if code != asof.OPERATING:
        assert harris["program_status"]["since"] in {"2014-11-20", "2017-01-25"}
        assert harris["program_status"]["event"].startswith("http://testserver/api/v1/events/")
    rows = list(
        csv.DictReader(io.StringIO(_body(client.get(f"{API}jurisdictions/?fips=48201&as_of={iso}&format=csv"))))
    )
    assert rows[0]["program_status"] == code
    page = client.get(f"/jurisdictions/48201/?as_of={iso}").content.decode()
    if code == asof.DISCONTINUED:
        assert "discontinued nationwide and replaced by the Priority Enforcement Program" in page
    elif code == asof.REINSTATED:
        assert "reinstated nationwide" in page
    else:
        assert 'class="program-status program-operating" role="note" hidden>' in page
    # The map's own data carries the eras, so the browser says the same when it recolours for a day.
    home = client.get(f"/?as_of={iso}", HTTP_ACCEPT_ENCODING="identity").content.decode()
    eras = json.loads(home.split('<script id="map-data" type="application/json">')[1].split("</script>")[0])["eras"]
    assert [era["date"] for era in eras] == ["2014-11-20", "2017-01-25"]


def test_today_is_the_date_in_the_united_states_not_in_utc():
    # 8 pm in New York on 29 November is already 30 November in UTC.
    evening = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=datetime.UTC)
    assert us_today(evening) == D(2026, 11, 29)
    assert us_today(datetime.datetime(2026, 11, 30, 5, 30, tzinfo=datetime.UTC)) == D(2026, 11, 30)
    # In July (daylight time) the change of day is at 04:00 UTC.
    assert us_today(datetime.datetime(2026, 7, 4, 3, 59, tzinfo=datetime.UTC)) == D(2026, 7, 3)


def test_the_disputed_filter_and_field_agree_on_every_day(client, dataset):
    """A filter and the field it filters on come from one rule: no row answers disputed=true with false."""
    for day in ["2009-01-01", "2010-09-30", "2011-01-06", "2011-06-01", "2013-01-22"]:
        for wanted in ("true", "false"):
            url = f"{API}jurisdictions/?disputed={wanted}&as_of={day}&page_size=1000&include=successors"
            page = 1
            while url:
                answer = client.get(url).json()
                assert {row["disputed"] for row in answer["results"]} <= {wanted == "true"}, (day, wanted)
                url, page = answer["next"], page + 1
    # Ray County's competing date is not yet known on 2009-01-01 (its activation is later): not disputed then.
    early = client.get(f"{API}jurisdictions/?disputed=true&fips=29177&as_of=2009-01-01").json()
    assert early["count"] == 0
    late = client.get(f"{API}jurisdictions/?disputed=true&fips=29177&as_of=2013-01-22").json()
    assert [row["disputed"] for row in late["results"]] == [True]


def test_the_list_page_shows_a_source_only_beside_a_status_it_backs(client, dataset):
    """Before a county's activation, the list shows no source next to "Not activated" (it cited the activation)."""
    page = client.get("/jurisdictions/?as_of=2009-01-01&state=TX").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 100
    for row in rows:
        if "status-not_activated" in row:
            assert 'class="col-source"></td>' in row, row[:200]
        else:
            assert "status-activated" in row and '<cite class="citation">' in row
