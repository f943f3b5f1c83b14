"""Seed an empty database with the checked dataset (tracker/dataset/plan.py), once.

The database is the record (ARCHITECTURE.md, point 7). `load_dataset` writes only into a database that holds no
jurisdiction yet: everything in one transaction, recorded as a `DatasetSeed` with each file's SHA-256. On any other
database it writes nothing at all, and reports how the database differs from the shipped files (`compare`): an
editor's or an import's later work is never overwritten, re-dated, deleted or brought back by a start or a deploy.
A later change to the shipped activation dates reaches the database as an import an editor reviews, applies and
may undo (`dataset_review`, `manage.py load_dataset --review`), in which rows edited since the load are conflicts.
"""

import hashlib
import re
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agreements.models import Agreement, AgreementStatus, AgreementStatusChange, Event, EventKind, Precision
from agreements.services import agreements_rescind
from jurisdictions.models import DATASET_LOAD_REASON as CHANGE_REASON
from jurisdictions.models import Confidence, ImportBatch, Jurisdiction, Source, State, Status, StatusChange
from jurisdictions.services import import_batch_preview
from tracker.dataset.plan import plan_dataset
from tracker.dataset.report import LoadReport
from tracker.dataset.sources import KNOWN_SOURCES
from tracker.models import DatasetSeed

ACTIVATIONS_FILE = "activations.csv"
# The examples each kind of difference lists (the command's -v 2 lists all).
EXAMPLES = 5


def quoted(text: str) -> str:
    """A quoted sentence in curly double quotes, its own quotes made single (US style), so that a quotation nested
    in it never closes it early: the Spanish pages mark each quotation as English (jurisdictions/templatetags)."""
    inner = re.sub(r'"([^"]*)"', "\u2018\\1\u2019", text).replace("\u201c", "\u2018").replace("\u201d", "\u2019")
    return f"\u201c{inner}\u201d"


def file_hashes(directory: Path) -> dict[str, dict]:
    """{name: {"sha256", "size"}} of every CSV file of the shipped dataset."""
    hashes = {}
    for path in sorted(Path(directory).glob("*.csv")):
        body = path.read_bytes()
        hashes[path.name] = {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
    return hashes


def load_dataset(directory: Path) -> LoadReport:
    """Check the files in `directory` (DatasetError lists every problem), then seed the database if it holds no
    jurisdiction yet; otherwise write nothing and report the differences."""
    plan = plan_dataset(directory)
    seed = DatasetSeed.objects.order_by("pk").first()
    if seed is not None or Jurisdiction.objects.exists():
        return compare(plan, directory, seed)
    return _seed(plan, directory)


def _create(model, **fields):
    """One record, its history entry saying it came from the dataset load."""
    record = model(**fields)
    record._change_reason = CHANGE_REASON
    record.save()
    return record


@transaction.atomic
def _seed(plan, directory: Path) -> LoadReport:
    report = LoadReport(seeded=True)

    states = [State(postal=s["postal"], fips=s["fips"], name=s["name"]) for s in plan.states]
    bulk_create_with_history(states, State, default_change_reason=CHANGE_REASON)
    report.created["states"] += len(states)

    sources_by_key, sources_by_url = {}, {}
    for key, attributes in KNOWN_SOURCES.items():
        sources_by_key[key] = sources_by_url[attributes["url"]] = _create(Source, key=key, **attributes)
    for url in plan.source_urls:
        if url not in sources_by_url:
            details = plan.source_details[url]
            title = details["title"] or plan.source_titles.get(url, "")
            note = " … ".join(quoted(quote) for quote in plan.source_quotes.get(url, []))
            sources_by_url[url] = _create(Source, url=url, **{**details, "title": title}, note=note)
    report.created["sources"] += len(sources_by_url)

    fields = ["fips", "state_id", "name", "kind", "in_dataset", "on_current_map", "change_note", "change_note_es"]
    units = [Jurisdiction(**{name: unit[name] for name in fields}) for unit in plan.jurisdictions.values()]
    bulk_create_with_history(units, Jurisdiction, default_change_reason=CHANGE_REASON)
    report.created["jurisdictions"] += len(units)
    for fips, unit in plan.jurisdictions.items():
        if unit["status_from_id"]:
            Jurisdiction.objects.filter(fips=fips).update(status_from_id=unit["status_from_id"])
        if unit["replaced_by"]:
            Jurisdiction.objects.get(fips=fips).replaced_by.add(*unit["replaced_by"])

    changes = [
        StatusChange(
            jurisdiction_id=activation["fips"],
            status=Status.ACTIVATED,
            effective_on=activation["effective_on"],
            source=sources_by_key[activation["source_key"]],
            confidence=Confidence.DISPUTED if activation.get("alternative_date") else Confidence.CONFIRMED,
            alternative_date=activation.get("alternative_date"),
            note=activation["note"],
            note_es=activation["note_es"],
        )
        for activation in plan.activations
    ]
    bulk_create_with_history(changes, StatusChange, default_change_reason=CHANGE_REASON)
    report.created["activation records"] += len(changes)

    events_by_state_day = {}
    for planned in plan.events:
        names = ["occurred_on", "state_id", "kind", "summary", "summary_es"]
        event = _create(Event, **{name: planned[name] for name in names})
        event.sources.set([sources_by_url[url] for url in planned["urls"]])
        if event.kind != EventKind.OTHER:
            events_by_state_day.setdefault((event.state_id, event.occurred_on), event)
        report.created["events"] += 1

    agreements_by_key = {}
    for planned in plan.agreements:
        names = ["state_id", "state_party", "signed_on", "signed_precision", "notes", "notes_es"]
        agreement = _create(Agreement, **{name: planned[name] for name in names})
        agreement.sources.set([sources_by_url[url] for url in planned["urls"]])
        agreements_by_key[planned["key"]] = agreement
        report.created["agreements"] += 1

    for planned in plan.agreement_changes:
        event = events_by_state_day.get((planned["key"][0], planned["event_on"])) if planned["event_on"] else None
        _create(
            AgreementStatusChange,
            agreement=agreements_by_key[planned["key"]],
            status=planned["status"],
            effective_on=planned["effective_on"],
            precision=planned["precision"],
            source=sources_by_url[planned["url"]],
            event=event,
            note=planned["note"],
            note_es=planned["note_es"],
        )
        report.created["agreement status changes"] += 1

    _load_leads(plan, sources_by_url, report)

    rescission = Event.objects.filter(kind=EventKind.MOA_RESCINDED, state__isnull=True).earliest("occurred_on")
    rescinded = agreements_rescind(event=rescission, agreements=Agreement.objects.all())
    report.created["agreement status changes"] += len(rescinded)
    report.seed = DatasetSeed.objects.create(files=file_hashes(directory), created=dict(report.created))
    return report


def _load_leads(plan, sources_by_url: dict, report) -> None:
    """Facts found after the first release (agreement_leads.csv), each with its source and quoted sentence.

    - moa_existed: the state had an MOA (ICE's 2011-08-05 letter went to its governor) but no source gives its
      signing date or signing body: an agreement with both unknown, never guessed; if the state already has one,
      the source is added to it.
    - moa_signed: a source on who signed the state's agreement of that year, and when: the source is added to that
      agreement (the latest of the year), and where its signer differs from the one on file, the notes say both.
    - council_voted_to_withdraw: a local vote, not a termination notice: a dated event of the state, the agreement
      itself unchanged.
    - refusal_announced: the source is added to the state's refusal.
    - moa_rescinded_by_ice: another report of ICE's letters of that day (to how many governors), and
      states_without_moa: how many states had signed none: each a source of the nationwide rescission, its quoted
      sentences kept as the source's note.
    """
    for lead in plan.leads:
        source = sources_by_url[lead["url"]]
        fact = lead["fact"]
        if fact in ("moa_rescinded_by_ice", "states_without_moa"):
            rescission = Event.objects.get(kind=EventKind.MOA_RESCINDED, state__isnull=True, occurred_on=lead["day"])
            rescission.sources.add(source)
            continue
        state = State.objects.get(postal=lead["state_id"])
        agreements = list(Agreement.objects.filter(state=state).order_by("pk"))
        if fact == "moa_existed":
            if not agreements:
                agreements = [
                    _create(
                        Agreement,
                        state=state,
                        state_party=f"{state.name} (signing body not yet sourced)",
                        notes=f"An MOA existed: {quoted(lead['quote'])} Signing date and state party not yet sourced.",
                        notes_es=f"Existía un MOA: {quoted(lead['quote'])} Aún no hay fuente para la fecha de "
                        "firma ni para la parte estatal.",
                    )
                ]
                report.created["agreements"] += 1
            for agreement in agreements:
                agreement.sources.add(source)
        elif fact == "moa_signed":
            of_year = [a for a in agreements if a.signed_on and a.signed_on.year == lead["day"].year]
            agreement = max(of_year, key=lambda a: a.signed_on)
            quote = quoted(lead["quote"])
            agreement.notes = f"{agreement.notes} Another source, cited here, names another signer: {quote}"
            agreement.notes_es = f"{agreement.notes_es} Otra fuente, citada aquí, nombra a otro firmante: {quote}"
            agreement.notes, agreement.notes_es = agreement.notes.strip(), agreement.notes_es.strip()
            agreement._change_reason = CHANGE_REASON
            agreement.save(update_fields=["notes", "notes_es"])
            agreement.sources.add(source)
        elif fact == "council_voted_to_withdraw":
            event = _create(
                Event,
                state=state,
                occurred_on=lead["day"],
                kind=EventKind.OTHER,
                precision=lead["precision"] or Precision.DAY,
                summary=f"{state.name}'s council votes to withdraw from Secure Communities (a local vote, not a "
                f"termination notice): {quoted(lead['quote'])}",
                summary_es=f"El concejo de {state.name} vota retirarse de Secure Communities (una votación local, "
                f"no un aviso de terminación): {quoted(lead['quote'])}",
            )
            event.sources.add(source)
            report.created["events"] += 1
        else:
            for agreement in agreements:
                if agreement.status_changes.filter(status=AgreementStatus.DECLINED).exists():
                    agreement.sources.add(source)


# --- After the seed: the database is the record ---------------------------------------------------------------


def compare(plan, directory: Path, seed: DatasetSeed | None) -> LoadReport:
    """How the database differs from the checked files, kind by kind; nothing is written."""
    report = LoadReport(seeded=False, seed=seed)
    if seed is not None:
        now = file_hashes(directory)
        report.changed_files = sorted(
            name
            for name in set(now) | set(seed.files)
            if now.get(name, {}).get("sha256") != seed.files.get(name, {}).get("sha256")
        )
    differences = report.differences

    units = set(Jurisdiction.objects.values_list("fips", flat=True))
    for fips in sorted(set(plan.jurisdictions) - units):
        differences["units in the files, not in the database"].append(fips)
    for fips in sorted(units - set(plan.jurisdictions)):
        differences["units in the database, not in the files"].append(fips)

    activated: dict[str, list] = {}
    for fips, day in StatusChange.objects.filter(status=Status.ACTIVATED).values_list(
        "jurisdiction_id", "effective_on"
    ):
        activated.setdefault(fips, []).append(day)
    for activation in plan.activations:
        fips, day = activation["fips"], activation["effective_on"]
        found = activated.get(fips)
        if not found:
            differences["activations in the files, none in the database"].append(f"{fips} ({day})")
        elif day not in found:
            dates = ", ".join(str(other) for other in sorted(found))
            differences["activation dates that differ"].append(f"{fips}: database {dates}, files {day}")
    planned = {activation["fips"] for activation in plan.activations}
    for fips in sorted(set(activated) - planned):
        differences["activations in the database, not in the files"].append(fips)
    others = StatusChange.objects.exclude(status=Status.ACTIVATED).values_list("jurisdiction_id", "status")
    for fips, status in others:
        differences["other dated statuses in the database (the files hold activations only)"].append(f"{fips} {status}")

    events = set(Event.objects.values_list("occurred_on", "state_id", "kind"))
    for event in plan.events:
        if (event["occurred_on"], event["state_id"], event["kind"]) not in events:
            where = event["state_id"] or "nationwide"
            differences["events in the files, not in the database"].append(f"{event['occurred_on']} {where}")
    parties = set(Agreement.objects.values_list("state_id", "state_party"))
    for agreement in plan.agreements:
        if (agreement["state_id"], agreement["state_party"]) not in parties:
            differences["agreements in the files, not in the database"].append(
                f"{agreement['state_id']}: {agreement['state_party']}"
            )
    urls = set(Source.objects.values_list("url", flat=True))
    for url in plan.source_urls:
        if url not in urls:
            differences["sources in the files, not in the database"].append(url)
    return report


def dataset_review(directory: Path, *, user=None) -> tuple[ImportBatch | None, object]:
    """The shipped activation dates as an import to review (jurisdictions/services.py): preview now, applied or
    undone by an editor in the admin like any import, citing the dataset's own source. A unit whose activation an
    editor or an import changed since the load is listed as a conflict and left as it is."""
    plan_dataset(directory)
    path = Path(directory) / ACTIVATIONS_FILE
    source = Source.objects.get(key="asad-baer-bositis-2025")
    return import_batch_preview(
        file_name=f"shipped {ACTIVATIONS_FILE}", data=path.read_bytes(), source=source, user=user, protects_edits=True
    )
