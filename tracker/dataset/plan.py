"""Read and check the shipped dataset in fixtures/ (see fixtures/SOURCES.md): every file parsed and every rule
checked, and any problem named by file, line and reason, before anything is written (`plan_dataset`)."""

import csv
import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from agreements.models import AgreementStatus, EventKind, Precision
from common.dates import us_today
from jurisdictions.models import PROGRAM_START, Kind

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

FIPS_RE = re.compile(r"^[0-9]{5}$")
ALTERNATIVE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2}) also possible\)")
SOURCE_SEPARATOR = " ; "


class DatasetError(Exception):
    """The files are not loadable; `problems` lists each one as 'file, line N: reason'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Row:
    file: str
    line: int
    values: dict

    def where(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass
class LoadReport:
    """What a `load_dataset` run did: seeded an empty database (`created`), or wrote nothing and found how the
    database differs from the shipped files (`differences`, by kind; `changed_files` since the seed)."""

    seeded: bool = False
    seed: object = None
    created: Counter = field(default_factory=Counter)
    differences: defaultdict = field(default_factory=lambda: defaultdict(list))
    changed_files: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return self.seeded

    def lines(self, *, examples: int | None = 5) -> list[str]:
        """The report for a person; `examples`: how many of each kind of difference to name (None: all)."""
        if self.seeded:
            lines = ["Loaded the shipped dataset into the empty database:"]
            return lines + [f"  {name}: {count}" for name, count in self.created.items() if count]
        when = f" on {self.seed.loaded_at:%Y-%m-%d %H:%M} UTC" if self.seed else " before loads were recorded"
        lines = [f"The database is the record (dataset loaded{when}): nothing was written."]
        if self.changed_files:
            lines.append(f"Shipped files changed since that load: {', '.join(self.changed_files)}.")
        differences = {kind: found for kind, found in self.differences.items() if found}
        if not differences:
            lines.append("It holds everything the shipped files hold.")
            return lines
        lines.append("How it differs from the shipped files (editors' and imports' work, or changed files):")
        for kind, found in differences.items():
            shown = found if examples is None else found[:examples]
            more = f", and {len(found) - len(shown)} more" if len(found) > len(shown) else ""
            lines.append(f"  {kind}: {len(found)} ({'; '.join(shown)}{more})")
        if any("activation" in kind for kind in differences):
            lines.append(
                "To review the shipped activation dates as an import (preview, apply, undo in the admin; rows "
                "edited since the load are kept as they are): manage.py load_dataset --review"
            )
        return lines


def read_rows(path: Path, required: list[str], problems: list[str]) -> list[Row]:
    """Rows of a CSV file with their line numbers; a missing file or column is a problem, not a crash."""
    if not path.exists():
        problems.append(f"{path.name}: file is missing")
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            problems.append(f"{path.name}, line 1: missing column(s) {', '.join(missing)}")
            return []
        rows = []
        for values in reader:
            if not any((value or "").strip() for value in values.values()):
                continue
            clean = {key: (value or "").strip() for key, value in values.items() if key is not None}
            rows.append(Row(path.name, reader.line_num, clean))
        return rows


def parse_date(row: Row, column: str, problems: list[str], *, allow_month=False, required=True):
    """A date in YYYY-MM-DD (or YYYY-MM where allowed); returns (date, precision) or (None, '')."""
    value = row.values.get(column, "")
    if not value:
        if required:
            problems.append(f"{row.where()}: {column} is empty")
        return None, ""
    try:
        if allow_month and re.fullmatch(r"\d{4}-\d{2}", value):
            return datetime.date.fromisoformat(value + "-01"), Precision.MONTH
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        parsed = datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(f"{row.where()}: {column} '{value}' is not a valid date (expected YYYY-MM-DD)")
        return None, ""
    if not PROGRAM_START <= parsed <= us_today():
        problems.append(f"{row.where()}: {column} {value} is outside {PROGRAM_START.year} to today")
        return None, ""
    return parsed, Precision.DAY


def _plan_source_details(directory: Path, plan: "Plan", problems: list[str]) -> None:
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


def kind_from_name(name: str) -> str:
    """The unit's kind as its Census name says it ('Juneau City and Borough', 'Baltimore city')."""
    if name == "District of Columbia":
        return Kind.DISTRICT
    for suffix, kind in [
        ("City and Borough", Kind.CITY_AND_BOROUGH),
        ("Census Area", Kind.CENSUS_AREA),
        ("Borough", Kind.BOROUGH),
        ("Parish", Kind.PARISH),
        ("Municipality", Kind.MUNICIPALITY),
        ("County", Kind.COUNTY),
    ]:
        if name.endswith(suffix):
            return kind
    if name.lower().endswith(" city"):
        return Kind.CITY
    return Kind.COUNTY


def split_urls(value: str) -> list[str]:
    return [url.strip() for url in value.split(SOURCE_SEPARATOR.strip()) if url.strip()]


@dataclass
class Plan:
    """Everything the files say, checked, ready to write."""

    states: list[dict] = field(default_factory=list)
    jurisdictions: dict[str, dict] = field(default_factory=dict)
    activations: list[dict] = field(default_factory=list)
    source_urls: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    agreements: list[dict] = field(default_factory=list)
    agreement_changes: list[dict] = field(default_factory=list)
    # agreement_leads.csv: facts about agreements found after the first release (see fixtures/SOURCES.md).
    leads: list[dict] = field(default_factory=list)
    # Titles of sources that the files name, and the sentences leads quote from them, by address.
    source_titles: dict[str, str] = field(default_factory=dict)
    source_quotes: dict[str, list[str]] = field(default_factory=dict)
    # sources.csv: each cited address's title, publisher (from the site's masthead) and date, where known.
    source_details: dict[str, dict] = field(default_factory=dict)


def plan_dataset(directory: Path) -> Plan:
    """Parse and check every file; raise DatasetError listing all problems found."""
    problems: list[str] = []
    plan = Plan()

    states = {}
    for row in read_rows(directory / "states.csv", ["postal", "fips", "name"], problems):
        postal, fips = row.values["postal"], row.values["fips"]
        if not re.fullmatch(r"[A-Z]{2}", postal) or not re.fullmatch(r"[0-9]{2}", fips):
            problems.append(f"{row.where()}: bad state postal code or FIPS '{postal}', '{fips}'")
            continue
        states[postal] = row.values
    plan.states = list(states.values())

    def check_unit(row: Row, fips: str, postal: str) -> bool:
        if postal not in states:
            problems.append(f"{row.where()}: unknown state '{postal}'")
            return False
        if not FIPS_RE.match(fips):
            problems.append(f"{row.where()}: bad FIPS '{fips}' (expected 5 digits)")
            return False
        if not fips.startswith(states[postal]["fips"]):
            prefix = states[postal]["fips"]
            problems.append(f"{row.where()}: FIPS {fips} does not belong to {postal} (its codes start with {prefix})")
            return False
        return True

    seen_lines: dict[str, int] = {}
    columns = ["county_fips", "state_postal", "jurisdiction_name", "activation_date", "source_id"]
    for row in read_rows(directory / "activations.csv", columns, problems):
        fips, postal = row.values["county_fips"], row.values["state_postal"]
        if not check_unit(row, fips, postal):
            continue
        if fips in seen_lines:
            problems.append(f"{row.where()}: duplicate FIPS {fips} (already on line {seen_lines[fips]})")
            continue
        seen_lines[fips] = row.line
        activated_on, _ = parse_date(row, "activation_date", problems)
        source_key = row.values["source_id"]
        if source_key not in KNOWN_SOURCES:
            problems.append(f"{row.where()}: unknown source_id '{source_key}'")
            continue
        if not row.values["jurisdiction_name"]:
            problems.append(f"{row.where()}: jurisdiction_name is empty")
            continue
        name = row.values["jurisdiction_name"]
        plan.jurisdictions[fips] = {
            "fips": fips,
            "state_id": postal,
            "name": name,
            "kind": kind_from_name(name),
            "in_dataset": True,
            "on_current_map": True,
            "change_note": "",
            "change_note_es": "",
            "replaced_by": [],
            "status_from_id": None,
        }
        if activated_on:
            plan.activations.append(
                {"fips": fips, "effective_on": activated_on, "source_key": source_key, "note": "", "note_es": ""}
            )

    flag_columns = ["county_fips", "state_postal", "jurisdiction_name", "activation_date", "issue"]
    activation_by_fips = {activation["fips"]: activation for activation in plan.activations}
    for row in read_rows(directory / "activations_flags.csv", flag_columns, problems):
        match = ALTERNATIVE_DATE_RE.search(row.values["issue"])
        if not match:
            continue
        fips = row.values["county_fips"]
        if fips not in activation_by_fips:
            problems.append(f"{row.where()}: disputed FIPS {fips} is not in activations.csv")
            continue
        alternative = datetime.date.fromisoformat(match.group(1))
        activation_by_fips[fips]["alternative_date"] = alternative
        # In words, with no dates typed in: the page shows both dates from the record itself.
        activation_by_fips[fips]["note"] = (
            "The county dataset gives two dates for this county: its activation date, recorded here, and another "
            "in its separate month, day and year fields, shown as the disputed alternative."
        )
        activation_by_fips[fips]["note_es"] = (
            "El conjunto de datos por condado da dos fechas para este condado: su fecha de activación, la que se "
            "registra aquí, y otra en sus campos separados de mes, día y año, que se muestra como alternativa en "
            "disputa."
        )

    unit_columns = [
        "fips",
        "state_postal",
        "name",
        "kind",
        "in_dataset",
        "on_current_map",
        "replaced_by",
        "status_from",
        "change_note",
    ]
    unit_rows = read_rows(directory / "map_units.csv", unit_columns, problems)
    for row in unit_rows:
        fips, postal = row.values["fips"], row.values["state_postal"]
        if not check_unit(row, fips, postal):
            continue
        if row.values["kind"] not in Kind.values:
            problems.append(f"{row.where()}: unknown kind '{row.values['kind']}'")
            continue
        in_dataset = row.values["in_dataset"] == "1"
        if in_dataset and fips not in plan.jurisdictions:
            problems.append(f"{row.where()}: historical unit {fips} is not in activations.csv")
            continue
        if not in_dataset and fips in plan.jurisdictions:
            problems.append(f"{row.where()}: successor unit {fips} is already in activations.csv")
            continue
        unit = plan.jurisdictions.setdefault(fips, {"fips": fips, "state_id": postal, "status_from_id": None})
        unit.update(
            name=row.values["name"],
            kind=row.values["kind"],
            in_dataset=in_dataset,
            on_current_map=row.values["on_current_map"] == "1",
            change_note=row.values["change_note"],
            change_note_es=row.values.get("change_note_es", ""),
            replaced_by=row.values["replaced_by"].split(),
            status_from_id=row.values["status_from"] or None,
        )
    for row in unit_rows:
        unit = plan.jurisdictions.get(row.values["fips"])
        if not unit:
            continue
        for other in unit["replaced_by"] + ([unit["status_from_id"]] if unit["status_from_id"] else []):
            if other not in plan.jurisdictions:
                problems.append(f"{row.where()}: unit {unit['fips']} refers to unknown FIPS {other}")

    urls: dict[str, None] = {}
    event_columns = ["date", "state_postal", "kind", "summary", "source"]
    for row in read_rows(directory / "events.csv", event_columns, problems):
        occurred_on, _ = parse_date(row, "date", problems)
        postal, kind = row.values["state_postal"], row.values["kind"]
        if postal and postal not in states:
            problems.append(f"{row.where()}: unknown state '{postal}'")
            continue
        if kind not in EventKind.values:
            problems.append(f"{row.where()}: unknown event kind '{kind}'")
            continue
        event_urls = split_urls(row.values["source"])
        if not event_urls:
            problems.append(f"{row.where()}: event has no source")
            continue
        if occurred_on:
            urls.update(dict.fromkeys(event_urls))
            plan.events.append(
                {
                    "occurred_on": occurred_on,
                    "state_id": postal or None,
                    "kind": kind,
                    "summary": row.values["summary"],
                    "summary_es": row.values.get("summary_es", ""),
                    "urls": event_urls,
                }
            )

    agreement_columns = [
        "state_postal",
        "state_agency",
        "signed_on",
        "precision",
        "ended_on",
        "ended_how",
        "source_url",
        "note",
    ]
    agreement_keys = set()
    for filename in ["agreements.csv", "agreements_undated.csv"]:
        for row in read_rows(directory / filename, agreement_columns, problems):
            postal = row.values["state_postal"]
            if postal not in states:
                problems.append(f"{row.where()}: unknown state '{postal}'")
                continue
            signed_on, precision = parse_date(row, "signed_on", problems, allow_month=True, required=False)
            if row.values["precision"] and precision and row.values["precision"] != precision:
                problems.append(
                    f"{row.where()}: precision '{row.values['precision']}' does not match signed_on "
                    f"'{row.values['signed_on']}'"
                )
            agreement_urls = split_urls(row.values["source_url"])
            if not agreement_urls:
                problems.append(f"{row.where()}: agreement has no source")
                continue
            urls.update(dict.fromkeys(agreement_urls))
            key = (postal, row.values["signed_on"])
            agreement_keys.add(key)
            plan.agreements.append(
                {
                    "key": key,
                    "state_id": postal,
                    "state_party": row.values["state_agency"],
                    "signed_on": signed_on,
                    "signed_precision": precision,
                    "notes": row.values["note"],
                    "notes_es": row.values.get("note_es", ""),
                    "urls": agreement_urls,
                }
            )
    _plan_leads(directory, plan, states, urls, problems)
    plan.source_urls = list(urls)
    _plan_source_details(directory, plan, problems)

    event_index = {(event["state_id"], event["occurred_on"]) for event in plan.events}
    status_columns = [
        "state_postal",
        "signed_on",
        "status",
        "effective_on",
        "precision",
        "source_url",
        "event_on",
        "note",
    ]
    for row in read_rows(directory / "agreement_status.csv", status_columns, problems):
        key = (row.values["state_postal"], row.values["signed_on"])
        if key not in agreement_keys:
            problems.append(f"{row.where()}: no agreement for state {key[0]} signed '{key[1]}'")
            continue
        if row.values["status"] not in AgreementStatus.values:
            problems.append(f"{row.where()}: unknown agreement status '{row.values['status']}'")
            continue
        effective_on, precision = parse_date(row, "effective_on", problems, allow_month=True)
        if row.values["source_url"] not in urls:
            problems.append(
                f"{row.where()}: source {row.values['source_url']} is not cited in agreements.csv or events.csv"
            )
            continue
        event_on = None
        if row.values["event_on"]:
            event_on, _ = parse_date(row, "event_on", problems)
            if event_on and (key[0], event_on) not in event_index:
                problems.append(f"{row.where()}: no event in events.csv for {key[0]} on {event_on}")
                continue
        if effective_on:
            plan.agreement_changes.append(
                {
                    "key": key,
                    "status": row.values["status"],
                    "effective_on": effective_on,
                    "precision": precision,
                    "url": row.values["source_url"],
                    "event_on": event_on,
                    "note": row.values["note"],
                    "note_es": row.values.get("note_es", ""),
                }
            )

    if not [event for event in plan.events if event["kind"] == EventKind.MOA_RESCINDED]:
        problems.append("events.csv: no moa_rescinded event (ICE's rescission of all MOAs)")
    if problems:
        raise DatasetError(problems)
    return plan


# What a row of agreement_leads.csv can say: (whether it needs a date, whether it is about one state or the nation).
LEAD_FACTS = {
    "moa_existed": (False, "state"),
    "moa_signed": (True, "state"),
    "council_voted_to_withdraw": (True, "state"),
    "refusal_announced": (True, "state"),
    "moa_rescinded_by_ice": (True, "nation"),
    "states_without_moa": (True, "nation"),
}


def _plan_leads(directory: Path, plan: Plan, states, urls: dict, problems: list[str]) -> None:
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
