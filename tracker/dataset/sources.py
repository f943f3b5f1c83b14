"""The sources the shipped dataset cites, checked: the sources data files name by id (`KNOWN_SOURCES`),
sources.csv's publisher and date for each cited address, and agreement_leads.csv's quoted facts. Parts of
`plan_dataset` (plan.py), each of which adds to its `Plan`."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING

from agreements.models import EventKind
from tracker.dataset.rows import parse_date, read_rows

if TYPE_CHECKING:
    from tracker.dataset.plan import Plan

# Sources that data files refer to by id rather than by address. Wording from fixtures/SOURCES.md.
KNOWN_SOURCES = {
    "asad-baer-bositis-2025": {
        "title": "Secure Communities county activation dates (securecommunities.dta), replication package of "
        "Vargas-Núñez et al. (2026, PNAS), 'Reconsideration of Secure Communities Rollout Reveals "
        "Preemptive Local-Federal Cooperation in Immigration Enforcement'",
        "publisher": "Vargas-Núñez, Bhatt, Seif, Mendoza, Laitin & Asad; dates compiled by Alsan & Yang (2018) "
        "and updated by Asad & Baer-Bositis (2025)",
        "url": "https://github.com/asadlasad/vargasnunezetal_2026_pnas/blob/"
        "6b917c51caa43a9b8a17bcb39e5b15db5a6afef5/securecommunities.dta",
        # Known to the year only (2026): left empty rather than padded to a day.
        "published_on": None,
        "note": "County activation dates for the 50 states and DC. Not ICE's own 'Activated Jurisdictions' "
        "list (ICE counted 3,181 jurisdictions, territories included). Counts agree with those published at "
        "the time to within a few percent (30 Sep 2010: ICE reported 658 jurisdictions in 32 states; this "
        "file gives 661 in 32). Names from county_fips_updated.xlsx in the same repository.",
    },
    "census-county-changes": {
        "title": "Substantial Changes to Counties and County Equivalent Entities",
        "publisher": "U.S. Census Bureau",
        "url": "https://www.census.gov/programs-surveys/geography/technical-documentation/county-changes.html",
        "published_on": None,
        "note": "The Census county change list: codes retired, renamed, merged or split since 1970.",
    },
}


def plan_source_details(directory: Path, plan: Plan, problems: list[str]) -> None:
    """sources.csv names every cited address once: a citation shows a publisher's name, never a bare domain."""
    cited = set(plan.source_urls)
    for row in read_rows(directory / "sources.csv", ["url", "title", "publisher", "published_on"], problems):
        url = row.values["url"]
        if url not in cited:
            problems.append(f"{row.where()}: '{url}' is not cited by any other file")
            continue
        published_on, _ = parse_date(row, "published_on", problems, required=False)
        plan.source_details[url] = {
            "title": row.values["title"],
            "publisher": row.values["publisher"],
            "published_on": published_on,
        }
    known = {attributes["url"] for attributes in KNOWN_SOURCES.values()}
    for url in plan.source_urls:
        if url not in plan.source_details and url not in known:
            problems.append(f"sources.csv: no row for the cited address '{url}'")


# What a row of agreement_leads.csv can say: (whether it needs a date, whether it is about one state or the nation).
LEAD_FACTS = {
    "moa_existed": (False, "state"),
    "moa_signed": (True, "state"),
    "council_voted_to_withdraw": (True, "state"),
    "refusal_announced": (True, "state"),
    "moa_rescinded_by_ice": (True, "nation"),
    "states_without_moa": (True, "nation"),
}


def plan_leads(directory: Path, plan: Plan, states, urls: dict, problems: list[str]) -> None:
    """agreement_leads.csv: each row quotes the sentence that carries one fact about a state's agreement, or about
    every state's (a blank state)."""
    columns = ["state_postal", "fact", "date", "precision", "source_title", "source_url", "quote"]
    for row in read_rows(directory / "agreement_leads.csv", columns, problems):
        postal, fact = row.values["state_postal"], row.values["fact"]
        if fact not in LEAD_FACTS:
            problems.append(f"{row.where()}: unknown fact '{fact}': use {', '.join(LEAD_FACTS)}")
            continue
        needs_date, scope = LEAD_FACTS[fact]
        if scope == "state" and postal not in states:
            problems.append(f"{row.where()}: unknown state '{postal}'")
            continue
        if scope == "nation" and postal:
            problems.append(f"{row.where()}: {fact} is about every state: leave state_postal empty")
            continue
        if row.values["precision"] == "year" and re.fullmatch(r"\d{4}", row.values["date"]):
            # Known to the year only: kept to match the agreement of that year, never stored as a day.
            day, precision = datetime.date(int(row.values["date"]), 1, 1), "year"
        else:
            day, precision = parse_date(row, "date", problems, allow_month=True, required=needs_date)
        if row.values["precision"] and precision and row.values["precision"] != precision:
            problems.append(
                f"{row.where()}: precision '{row.values['precision']}' does not match '{row.values['date']}'"
            )
        url, quote = row.values["source_url"], row.values["quote"]
        if not url or not quote:
            problems.append(f"{row.where()}: a lead needs its source and the sentence it quotes")
            continue
        missing = _lead_without_its_record(fact, postal, day, plan)
        if missing:
            problems.append(f"{row.where()}: {missing}")
            continue
        urls[url] = None
        if row.values["source_title"]:
            plan.source_titles[url] = row.values["source_title"]
        plan.source_quotes.setdefault(url, []).append(quote)
        plan.leads.append(
            {
                "state_id": postal or None,
                "fact": fact,
                "day": day,
                "precision": "" if precision == "year" else precision,
                "url": url,
                "quote": quote,
            }
        )


def _lead_without_its_record(fact: str, postal: str, day, plan: Plan) -> str:
    """Why a lead cannot be attached to what it is about (the agreement of that year, the rescission that day)."""
    if day is None:
        return ""
    if fact == "moa_signed":
        signed = [a for a in plan.agreements if a["state_id"] == postal and a["signed_on"]]
        if not any(a["signed_on"].year == day.year for a in signed):
            return f"no agreement of {postal} signed in {day.year} in agreements.csv"
    if LEAD_FACTS[fact][1] == "nation":
        rescissions = [e for e in plan.events if e["kind"] == EventKind.MOA_RESCINDED and not e["state_id"]]
        if not any(e["occurred_on"] == day for e in rescissions):
            return f"no nationwide moa_rescinded event on {day} in events.csv"
    return ""
