"""Load the checked dataset (tracker/dataset/plan.py) into the database.

Loading is all or nothing: `plan_dataset` checks every file first, and the load runs in one transaction.
Loading is idempotent: rows already present (by their natural key) are left alone, so a second run creates
nothing and an editor's later corrections are never overwritten.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from agreements.models import Agreement, AgreementStatus, AgreementStatusChange, Event, EventKind, Precision
from agreements.services import RESCISSION_NOTE, RESCISSION_NOTE_ES, agreements_rescind
from jurisdictions.models import Confidence, Jurisdiction, Source, State, Status, StatusChange
from tracker.dataset.plan import CHANGE_REASON, KNOWN_SOURCES, LoadReport, plan_dataset


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
        sources_by_url[url] = Source.objects.create(
            url=url, title=plan.source_titles.get(url, ""), publisher=_host(url)
        )
        report.created["sources"] += 1

    existing_units = set(Jurisdiction.objects.values_list("fips", flat=True))
    fields = ["fips", "state_id", "name", "kind", "in_dataset", "on_current_map", "change_note", "change_note_es"]
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
                note_es=activation["note_es"],
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
        names = ["occurred_on", "state_id", "kind", "summary", "summary_es"]
        event = Event.objects.create(**{name: planned[name] for name in names})
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
                notes_es=planned["notes_es"],
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
            note_es=planned["note_es"],
        )
        report.created["agreement status changes"] += 1

    _load_leads(plan, sources_by_url, report)
    _add_spanish(plan, report)

    rescission = Event.objects.filter(kind=EventKind.MOA_RESCINDED, state__isnull=True).earliest("occurred_on")
    rescinded = agreements_rescind(event=rescission, agreements=Agreement.objects.all())
    report.created["agreement status changes"] += len(rescinded)
    return report


def _load_leads(plan, sources_by_url: dict, report) -> None:
    """Facts found after the first release (agreement_leads.csv), each with its source and quoted sentence.

    - moa_existed: the state had an MOA (ICE's 2011-08-05 letter went to its governor) but no source gives its
      signing date or signing body: an agreement with both unknown, never guessed; if the state already has one,
      the source is added to it.
    - council_voted_to_withdraw: a local vote, not a termination notice: a dated event of the state, the agreement
      itself unchanged.
    - refusal_announced: the source is added to the state's refusal.
    Idempotent, like the rest of the load.
    """
    for lead in plan.leads:
        source = sources_by_url[lead["url"]]
        state = State.objects.get(postal=lead["state_id"])
        agreements = list(Agreement.objects.filter(state=state).order_by("pk"))
        if lead["fact"] == "moa_existed":
            if not agreements:
                agreement = Agreement.objects.create(
                    state=state,
                    state_party=f"{state.name} (signing body not yet sourced)",
                    notes=f"An MOA existed: \u201c{lead['quote']}\u201d Signing date and state party not yet sourced.",
                    notes_es=_moa_existed_es(lead),
                )
                report.created["agreements"] += 1
                agreements = [agreement]
            for agreement in agreements:
                agreement.sources.add(source)
        elif lead["fact"] == "council_voted_to_withdraw":
            summary = (
                f"{state.name}'s council votes to withdraw from Secure Communities (a local vote, not a "
                f"termination notice): \u201c{lead['quote']}\u201d"
            )
            event, created = Event.objects.get_or_create(
                state=state,
                occurred_on=lead["day"],
                kind=EventKind.OTHER,
                summary=summary,
                defaults={"precision": lead["precision"] or Precision.DAY, "summary_es": _council_vote_es(state, lead)},
            )
            event.sources.add(source)
            (report.created if created else report.present)["events"] += 1
        else:
            for agreement in agreements:
                if agreement.status_changes.filter(status=AgreementStatus.DECLINED).exists():
                    agreement.sources.add(source)


def _moa_existed_es(lead) -> str:
    quote = lead["quote"]
    return f"Existía un MOA: \u201c{quote}\u201d Aún no hay fuente para la fecha de firma ni para la parte estatal."


def _council_vote_es(state, lead) -> str:
    return (
        f"El concejo de {state.name} vota retirarse de Secure Communities (una votación local, no un aviso de "
        f"terminación): \u201c{lead['quote']}\u201d"
    )


def _add_spanish(plan, report) -> None:
    """The Spanish texts of records loaded before the files had them (a database loaded by an earlier release).

    Only a blank Spanish field of a record whose English text is still the file's is filled: an editor's own text,
    in either language, is never overwritten, and a second run finds nothing to do.
    """
    filled = 0

    def fill(queryset, field: str, english: str, spanish: str) -> None:
        nonlocal filled
        if not spanish:
            return
        for record in queryset.filter(**{field: english, f"{field}_es": ""}):
            setattr(record, f"{field}_es", spanish)
            record._change_reason = CHANGE_REASON
            record.save(update_fields=[f"{field}_es"])
            filled += 1

    for fips, unit in plan.jurisdictions.items():
        fill(Jurisdiction.objects.filter(fips=fips), "change_note", unit["change_note"], unit["change_note_es"])
    for activation in plan.activations:
        changes = StatusChange.objects.filter(
            jurisdiction_id=activation["fips"], effective_on=activation["effective_on"]
        )
        fill(changes, "note", activation["note"], activation["note_es"])
    for planned in plan.events:
        events = Event.objects.filter(
            occurred_on=planned["occurred_on"], state_id=planned["state_id"], kind=planned["kind"]
        )
        fill(events, "summary", planned["summary"], planned["summary_es"])
    for planned in plan.agreements:
        agreements = Agreement.objects.filter(state_id=planned["state_id"], state_party=planned["state_party"])
        fill(agreements, "notes", planned["notes"], planned["notes_es"])
    for planned in plan.agreement_changes:
        changes = AgreementStatusChange.objects.filter(
            agreement__state_id=planned["key"][0], effective_on=planned["effective_on"], status=planned["status"]
        )
        fill(changes, "note", planned["note"], planned["note_es"])
    for lead in plan.leads:
        if lead["fact"] == "council_voted_to_withdraw":
            state = State.objects.get(postal=lead["state_id"])
            events = Event.objects.filter(state=state, occurred_on=lead["day"], kind=EventKind.OTHER)
            english = (
                f"{state.name}'s council votes to withdraw from Secure Communities (a local vote, not a "
                f"termination notice): \u201c{lead['quote']}\u201d"
            )
            fill(events, "summary", english, _council_vote_es(state, lead))
        elif lead["fact"] == "moa_existed":
            english = f"An MOA existed: \u201c{lead['quote']}\u201d Signing date and state party not yet sourced."
            fill(Agreement.objects.filter(state_id=lead["state_id"]), "notes", english, _moa_existed_es(lead))
    rescinded = AgreementStatusChange.objects.filter(status=AgreementStatus.RESCINDED)
    fill(rescinded, "note", RESCISSION_NOTE, RESCISSION_NOTE_ES)
    if filled:
        report.created["Spanish texts added to records already present"] += filled
