"""Agreements, honestly: one vocabulary for an agreement's state on every page, gaps in the sources said as gaps,
and the facts of agreement_leads.csv loaded with their sources."""

import re

import pytest

pytestmark = pytest.mark.django_db

REFUSED = ["MA", "WA"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", ["/agreements/", "/states/", "/states/MA/", "/states/WA/", "/jurisdictions/25025/"])
def test_a_refusal_is_never_shown_beside_signed_unknown(client, dataset, path):
    page = _text(client.get(path).content.decode())
    assert "Unknown" not in page.replace("Unknown: no activation", "")
    if path != "/states/":
        assert "Never signed: the state refused" in page


def test_every_agreement_says_whether_and_when_it_was_signed_in_the_same_words_everywhere(client, dataset):
    page = client.get("/agreements/").content.decode()
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    for row in table.split("<tr>")[1:]:
        party = re.search(r'href="#agreement-(\d+)"', row).group(1)
        said = _text(row.split("</td>")[1]).strip()
        entry = page.split(f'id="agreement-{party}"')[1].split("</dl>")[0]
        assert said in _text(entry), (party, said)
        assert said.startswith(("Signed ", "Signed;", "Never signed"))


def test_states_activated_before_the_rescission_without_an_agreement_are_listed_as_not_yet_sourced(client, dataset):
    page = client.get("/agreements/").content.decode()
    section = _text(page.split('id="not-yet-sourced"')[1].split("</section>")[0])
    assert "Texas : first county activated 27 October 2008" in section
    # A state with an agreement on record is not in the list; nor one whose counties all came after 5 August 2011.
    assert "California" not in section and "Maine" not in section and "Maryland" not in section
    assert 'href="/corrections/report/?page=/agreements/"' in page
    states = _text(client.get("/states/").content.decode())
    assert "Texas 254 of 254" in states and states.count("Not yet sourced") >= 30


def test_the_two_counts_of_agreements_are_shown_side_by_side_with_their_sources(client, dataset):
    page = client.get("/agreements/").content.decode()
    assert "<strong>42</strong> states" in page and "<strong>39</strong> governors" in page
    assert "Los Angeles Times" in page and "the other 11 states had not signed" in page
    assert 'href="https://www.washingtontimes.com/news/2011/aug/8/' in page


def test_the_leads_are_loaded_with_their_sources(client, dataset):
    agreements = client.get("/api/v1/agreements/?state=MD,VA,DE").json()["results"]
    by_state = {row["state"]: row for row in agreements}
    assert by_state["MD"]["signed_on"] is None and "signing body not yet sourced" in by_state["MD"]["state_party"]
    assert by_state["MD"]["status"] == "rescinded"
    assert any("washingtontimes.com" in (source["link"] or "") for source in by_state["VA"]["sources"])
    assert any("fi2w.org" in (source["link"] or "") for source in by_state["DE"]["sources"])
    vote = [row for row in client.get("/api/v1/events/?state=DC").json()["results"] if row["occurred_on"] == "2010-07"]
    assert len(vote) == 1 and vote[0]["precision"] == "month"
    # Shown as a month, never padded to a day.
    page = client.get("/states/DC/").content.decode()
    assert '<time datetime="2010-07">July 2010 (day not known)</time>' in page
    # Sources named by the leads carry their titles, and their publishers apart (fixtures/sources.csv).
    sources = client.get("/api/v1/sources/?page_size=1000").json()["results"]
    titles = {source["title"]: source["publisher"] for source in sources}
    assert titles["D.C. may be forced to enroll in immigrant program"] == "The Washington Times"
