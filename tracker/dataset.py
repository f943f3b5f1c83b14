"""Read, check and load the shipped dataset in fixtures/ (see fixtures/SOURCES.md).

Loading is all or nothing: every file is parsed and checked first, and any problem (named by file, line and
reason) stops the load before a row is written. Loading is idempotent: rows already present (by their natural
key) are left alone, so a second run creates nothing and an editor's later corrections are never overwritten.
"""

import csv
import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementStatusChange,
    Event,
    EventKind,
    Precision,
)
from agreements.services import agreements_rescind
from jurisdictions.models import (
    PROGRAM_START,
    Confidence,
    Jurisdiction,
    Kind,
    Source,
    State,
    Status,
    StatusChange,
)

CHANGE_REASON = "Loaded from the shipped dataset"

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
    created: Counter = field(default_factory=Counter)
    present: Counter = field(default_factory=Counter)

    @property
    def changed_anything(self) -> bool:
        return sum(self.created.values()) > 0

    def lines(self) -> list[str]:
        if not self.changed_anything:
            total = sum(self.present.values())
            return [f"Dataset already loaded: nothing changed ({total} records already present)."]
        lines = ["Created:"]
        lines += [f"  {name}: {count}" for name, count in self.created.items() if count]
        if sum(self.present.values()):
            lines.append("Already present (left as they are):")
            lines += [f"  {name}: {count}" for name, count in self.present.items() if count]
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
    if not PROGRAM_START <= parsed <= datetime.date.today():
        problems.append(f"{row.where()}: {column} {value} is outside {PROGRAM_START.year} to today")
        return None, ""
    return parsed, Precision.DAY


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
            "replaced_by": [],
            "status_from_id": None,
        }
        if activated_on:
            plan.activations.append({"fips": fips, "effective_on": activated_on, "source_key": source_key, "note": ""})

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
        activation_by_fips[fips]["note"] = (
            f"The source's own fields disagree: date_secure gives {activation_by_fips[fips]['effective_on']}, "
            f"but its month/day/year fields give {alternative}. The recorded date is date_secure."
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
                    "urls": agreement_urls,
                }
            )
    plan.source_urls = list(urls)

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
                }
            )

    if not [event for event in plan.events if event["kind"] == EventKind.MOA_RESCINDED]:
        problems.append("events.csv: no moa_rescinded event (ICE's rescission of all MOAs)")
    if problems:
        raise DatasetError(problems)
    return plan


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


@transaction.atomic
def load_dataset(directory: Path) -> LoadReport:
    """Check the files in `directory`, then create whatever is not yet in the database, in one transaction."""
    plan = plan_dataset(directory)
    report = LoadReport()

    existing_states = set(State.objects.values_list("postal", flat=True))
    new_states = [
        State(postal=s["postal"], fips=s["fips"], name=s["name"])
        for s in plan.states
        if s["postal"] not in existing_states
    ]
    bulk_create_with_history(new_states, State, default_change_reason=CHANGE_REASON)
    report.created["states"] += len(new_states)
    report.present["states"] += len(plan.states) - len(new_states)

    sources_by_url = {source.url: source for source in Source.objects.exclude(url="")}
    sources_by_key = {source.key: source for source in Source.objects.exclude(key="")}
    for key, attributes in KNOWN_SOURCES.items():
        if key in sources_by_key:
            report.present["sources"] += 1
            continue
        source = sources_by_url.get(attributes["url"])
        if source is None:
            source = Source.objects.create(key=key, **attributes)
            report.created["sources"] += 1
        else:
            report.present["sources"] += 1
        sources_by_key[key] = sources_by_url[source.url] = source
    for url in plan.source_urls:
        if url in sources_by_url:
            # A known source's address cited again (e.g. the activation data in events.csv) is not a new source.
            if url not in {attributes["url"] for attributes in KNOWN_SOURCES.values()}:
                report.present["sources"] += 1
            continue
        sources_by_url[url] = Source.objects.create(url=url, publisher=_host(url))
        report.created["sources"] += 1

    existing_units = set(Jurisdiction.objects.values_list("fips", flat=True))
    fields = ["fips", "state_id", "name", "kind", "in_dataset", "on_current_map", "change_note"]
    new_units = [
        Jurisdiction(**{name: unit[name] for name in fields})
        for fips, unit in plan.jurisdictions.items()
        if fips not in existing_units
    ]
    bulk_create_with_history(new_units, Jurisdiction, default_change_reason=CHANGE_REASON)
    report.created["jurisdictions"] += len(new_units)
    report.present["jurisdictions"] += len(plan.jurisdictions) - len(new_units)
    new_fips = {unit.fips for unit in new_units}
    # Links between units are set only on units this run created, so an editor's later links stay as they are.
    for fips in new_fips:
        unit = plan.jurisdictions[fips]
        if unit["status_from_id"]:
            Jurisdiction.objects.filter(fips=fips).update(status_from_id=unit["status_from_id"])
        if unit["replaced_by"]:
            Jurisdiction.objects.get(fips=fips).replaced_by.add(*unit["replaced_by"])

    existing_changes = set(StatusChange.objects.values_list("jurisdiction_id", "effective_on", "status"))
    new_changes = []
    for activation in plan.activations:
        if (activation["fips"], activation["effective_on"], Status.ACTIVATED) in existing_changes:
            continue
        alternative = activation.get("alternative_date")
        new_changes.append(
            StatusChange(
                jurisdiction_id=activation["fips"],
                status=Status.ACTIVATED,
                effective_on=activation["effective_on"],
                source=sources_by_key[activation["source_key"]],
                confidence=Confidence.DISPUTED if alternative else Confidence.CONFIRMED,
                alternative_date=alternative,
                note=activation["note"],
            )
        )
    bulk_create_with_history(new_changes, StatusChange, default_change_reason=CHANGE_REASON)
    report.created["activation records"] += len(new_changes)
    report.present["activation records"] += len(plan.activations) - len(new_changes)

    events = {}
    for existing in Event.objects.all():
        events[(existing.occurred_on, existing.state_id, existing.kind, existing.summary)] = existing
    for planned in plan.events:
        key = (planned["occurred_on"], planned["state_id"], planned["kind"], planned["summary"])
        if key in events:
            report.present["events"] += 1
            continue
        event = Event.objects.create(**{name: planned[name] for name in ["occurred_on", "state_id", "kind", "summary"]})
        event.sources.set([sources_by_url[url] for url in planned["urls"]])
        events[key] = event
        report.created["events"] += 1
    events_by_state_day = {}
    for event in events.values():
        if event.kind != EventKind.OTHER:
            events_by_state_day.setdefault((event.state_id, event.occurred_on), event)

    agreements = {(a.state_id, a.state_party): a for a in Agreement.objects.all()}
    agreements_by_key = {}
    for planned in plan.agreements:
        agreement = agreements.get((planned["state_id"], planned["state_party"]))
        if agreement is None:
            agreement = Agreement.objects.create(
                state_id=planned["state_id"],
                state_party=planned["state_party"],
                signed_on=planned["signed_on"],
                signed_precision=planned["signed_precision"],
                notes=planned["notes"],
            )
            agreement.sources.set([sources_by_url[url] for url in planned["urls"]])
            report.created["agreements"] += 1
        else:
            report.present["agreements"] += 1
        agreements_by_key[planned["key"]] = agreement

    existing_agreement_changes = set(
        AgreementStatusChange.objects.values_list("agreement_id", "effective_on", "status")
    )
    for planned in plan.agreement_changes:
        agreement = agreements_by_key[planned["key"]]
        if (agreement.pk, planned["effective_on"], planned["status"]) in existing_agreement_changes:
            report.present["agreement status changes"] += 1
            continue
        event = events_by_state_day.get((planned["key"][0], planned["event_on"])) if planned["event_on"] else None
        AgreementStatusChange.objects.create(
            agreement=agreement,
            status=planned["status"],
            effective_on=planned["effective_on"],
            precision=planned["precision"],
            source=sources_by_url[planned["url"]],
            event=event,
            note=planned["note"],
        )
        report.created["agreement status changes"] += 1

    rescission = Event.objects.filter(kind=EventKind.MOA_RESCINDED, state__isnull=True).earliest("occurred_on")
    rescinded = agreements_rescind(event=rescission, agreements=Agreement.objects.all())
    report.created["agreement status changes"] += len(rescinded)
    return report
