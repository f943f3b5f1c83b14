"""Read and check the shipped dataset in fixtures/ (see fixtures/SOURCES.md): every file parsed and every rule
checked, and any problem named by file, line and reason, before anything is written (`plan_dataset`)."""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from agreements.models import AgreementStatus, EventKind
from jurisdictions.models import Kind
from tracker.dataset.rows import DatasetError, Row, kind_from_name, parse_date, read_rows, split_urls
from tracker.dataset.sources import KNOWN_SOURCES, plan_leads, plan_source_details

FIPS_RE = re.compile(r"^[0-9]{5}$")
ALTERNATIVE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2}) also possible\)")


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
    plan_leads(directory, plan, states, urls, problems)
    plan.source_urls = list(urls)
    plan_source_details(directory, plan, problems)

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
