"""API representations of sources, states and jurisdictions: the published contract of /api/v1/.

The declared fields document the schema; ``to_representation`` builds each row by hand, because the full
export serialises thousands of rows per request and DRF's generic field machinery is the slow part.
"""

import datetime
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from rest_framework import serializers

from common.dates import us_today
from jurisdictions import asof
from jurisdictions.models import Confidence, Kind, Source, Status


def _iso(value):
    return value.isoformat() if value else None


def _as_of(context) -> datetime.date:
    return context.get("as_of") or us_today()


class Links:
    """Absolute URLs built once per request: reverse() for every row of a 3,000-row export adds up."""

    PLACEHOLDERS = {
        "api:state-detail": "ZZ",
        "api:jurisdiction-detail": "99999",
        "jurisdictions:jurisdiction_detail": "99999",
    }

    def __init__(self, request, view_name):
        placeholder = self.PLACEHOLDERS.get(view_name, "999999")
        template = _reversed(view_name, placeholder, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
        self.prefix, _, self.suffix = (request.build_absolute_uri(template) if request else template).rpartition(
            placeholder
        )

    def __call__(self, key) -> str:
        return f"{self.prefix}{key}{self.suffix}"


@lru_cache(maxsize=256)
def _reversed(view_name: str, placeholder: str, script_prefix: str, urlconf) -> str:
    # The URL patterns do not change while the process runs; reverse() itself took a tenth of a computed answer.
    return reverse(view_name, args=[placeholder], urlconf=urlconf)


def links_for(context, view_name) -> Links:
    cache = context.setdefault("links_for", {})
    if view_name not in cache:
        cache[view_name] = Links(context.get("request"), view_name)
    return cache[view_name]


def _site(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


class SourceRefSerializer(serializers.Serializer):
    """A citation as embedded in other objects."""

    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Title, or the site's name when only the address is known.")
    link = serializers.URLField(help_text="Where the source can be read.")
    url = serializers.URLField(help_text="This source in the API.")

    def to_representation(self, source):
        return source_ref(source, self.context)


def source_ref(source: Source, context) -> dict:
    return {
        "id": source.pk,
        "title": source.label,
        "link": source.url or None,
        "url": links_for(context, "api:source-detail")(source.pk),
    }


class SourceSerializer(serializers.Serializer):
    """A citation that facts point to."""

    id = serializers.IntegerField()
    key = serializers.CharField(help_text="Short stable id used by the data files, or empty.")
    title = serializers.CharField(help_text="Title, or the site's name when only the address is known.")
    publisher = serializers.CharField()
    link = serializers.URLField(allow_null=True, help_text="Where the source can be read.")
    archived_link = serializers.URLField(allow_null=True, help_text="An archived copy, if any.")
    published_on = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    url = serializers.URLField(help_text="This source in the API.")
    html_url = serializers.URLField(help_text="The site's page on sources and method (sources have no page each).")

    def to_representation(self, source):
        return {
            "id": source.pk,
            "key": source.key,
            "title": source.label,
            "publisher": source.publisher,
            "link": source.url or None,
            "archived_link": source.archived_url or None,
            "published_on": _iso(source.published_on),
            "note": source.note,
            "url": links_for(self.context, "api:source-detail")(source.pk),
            "html_url": _site(self.context, "/about/#sources"),
        }


class EarlierReportSerializer(serializers.Serializer):
    """A date another source gave for a dated change before an import or an edit replaced it."""

    date = serializers.DateField(help_text="The date that source gave.")
    source = SourceRefSerializer()
    replaced_on = serializers.DateField(help_text="When the tracker replaced it (US Eastern date).")


def earlier_report(report, ref) -> dict:
    return {
        "date": report.effective_on.isoformat(),
        "source": ref,
        "replaced_on": report.replaced_on.isoformat(),
    }


class StatusChangeSerializer(serializers.Serializer):
    """One dated status change of a jurisdiction, with its source."""

    date = serializers.DateField()
    status = serializers.ChoiceField(choices=Status.choices)
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    alternative_date = serializers.DateField(allow_null=True, help_text="For a disputed date: the competing date.")
    earlier_reports = EarlierReportSerializer(many=True, help_text="Dates other sources gave before this one.")
    note = serializers.CharField()
    source = SourceRefSerializer()


class ProgramStatusSerializer(serializers.Serializer):
    """The program's own nationwide state on `as_of` (shown beside a unit's status, never folded into it)."""

    status = serializers.ChoiceField(
        choices=[asof.OPERATING, asof.DISCONTINUED, asof.REINSTATED],
        help_text="operating (as rolled out); discontinued (2014-11-20: replaced by PEP); reinstated (2017-01-25).",
    )
    label = serializers.CharField()
    since = serializers.DateField(allow_null=True, help_text="Date of the nationwide event that set it, if any.")
    summary = serializers.CharField(allow_null=True, help_text="That event, as its sources describe it.")
    event = serializers.URLField(allow_null=True, help_text="That event in the API.")


def program_status(standing: asof.ProgramStatus, context) -> dict:
    """The `program_status` object of an answer (see ProgramStatusSerializer)."""
    event = standing.event
    return {
        "status": standing.code,
        "label": standing.label,
        "since": _iso(standing.since),
        "summary": event.summary if event else None,
        "event": links_for(context, "api:event-detail")(event.pk) if event else None,
    }


class JurisdictionSerializer(serializers.Serializer):
    """A county or county-equivalent, with its status on `as_of` (default today) and its dated history."""

    fips = serializers.CharField(help_text="Five-digit county FIPS code: the stable public id.")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    state = serializers.CharField(help_text="State postal code, e.g. TX.")
    state_name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices, help_text="Status on `as_of`.")
    status_since = serializers.DateField(allow_null=True, help_text="Date the status on `as_of` took effect.")
    activated_on = serializers.DateField(allow_null=True, help_text="First activation on or before `as_of`.")
    disputed = serializers.BooleanField(
        help_text="The sources give another date for a change in its history up to `as_of`: a competing date "
        "(`alternative_date`) or an earlier report (`earlier_reports`)."
    )
    alternative_date = serializers.DateField(allow_null=True, help_text="The competing date of a disputed change.")
    earlier_reports = EarlierReportSerializer(
        many=True,
        help_text="Dates other sources gave for its changes up to `as_of` before an import or an edit replaced "
        "them, oldest change first (in CSV: `date source-link`, joined by ` | `).",
    )
    program_status = ProgramStatusSerializer(help_text="The program's own nationwide state on `as_of`.")
    in_dataset = serializers.BooleanField(help_text="One of the 3,143 units of 2008-2013 (counted in totals).")
    on_current_map = serializers.BooleanField(help_text="Has a shape on today's county map.")
    status_from = serializers.CharField(
        allow_null=True,
        help_text="For a unit on today's map that the source records under another code: that code, whose "
        "history gives it a status.",
    )
    replaced_by = serializers.ListField(child=serializers.CharField(), help_text="FIPS of the units that replaced it.")
    sources = SourceRefSerializer(many=True, help_text="Every source of its history up to `as_of`.")
    history = StatusChangeSerializer(many=True, help_text="Dated status changes up to `as_of`, oldest first.")
    url = serializers.URLField(help_text="This jurisdiction in the API.")
    html_url = serializers.URLField(help_text="Its page on the site.")

    def to_representation(self, row):
        """`row`: a `readmodel.snapshot.UnitRow` (unit, its standing on the day, its timeline up to the day)."""
        context = self.context
        refs = context.setdefault("_source_refs", {})
        programs = context.setdefault("_program_status", {})
        day = _as_of(context)
        if day not in programs:
            programs[day] = program_status(context["snapshot"].program_status(day), context)
        sources = {}
        history = []

        def ref_of(source):
            ref = refs.get(source.pk)
            if ref is None:
                ref = refs[source.pk] = source_ref(source, context)
            return ref

        for change in row.timeline:
            ref = sources[change.source_id] = ref_of(change.source)
            history.append(
                {
                    "date": change.effective_on.isoformat(),
                    "status": change.status,
                    "confidence": change.confidence,
                    "alternative_date": _iso(change.alternative_date),
                    "earlier_reports": [
                        earlier_report(report, ref_of(report.source)) for report in change.earlier_reports
                    ],
                    "note": change.note,
                    "source": ref,
                }
            )
        unit, standing = row.unit, row.standing
        reports = [earlier_report(report, ref_of(report.source)) for report in standing.earlier_reports]
        fips = unit.fips
        return {
            "fips": fips,
            "name": unit.name,
            "kind": unit.kind,
            "state": unit.state_id,
            "state_name": unit.state.name,
            "status": standing.status,
            "status_since": _iso(standing.since),
            "activated_on": _iso(standing.activated_on),
            "disputed": standing.disputed,
            "alternative_date": _iso(standing.alternative_date),
            "earlier_reports": reports,
            "program_status": programs[day],
            "in_dataset": unit.in_dataset,
            "on_current_map": unit.on_current_map,
            "status_from": unit.status_from_id,
            "replaced_by": unit.successor_codes,
            "sources": list(sources.values()),
            "history": history,
            "url": links_for(context, "api:jurisdiction-detail")(fips),
            "html_url": links_for(context, "jurisdictions:jurisdiction_detail")(fips),
        }


class AgreementRefSerializer(serializers.Serializer):
    """An agreement as embedded in its state."""

    id = serializers.IntegerField()
    state_party = serializers.CharField()
    signed_on = serializers.CharField(allow_null=True, help_text="YYYY-MM-DD, or YYYY-MM when only the month is known.")
    status = serializers.CharField(allow_null=True, help_text="Standing on `as_of`; null before any dated record.")
    url = serializers.URLField()


class StateSerializer(serializers.Serializer):
    """A state (or DC): its counts on `as_of` and its agreements."""

    postal = serializers.CharField(help_text="Two-letter postal code: the public id.")
    fips = serializers.CharField()
    name = serializers.CharField()
    activated_jurisdictions = serializers.IntegerField(help_text="Counted units activated on `as_of`.")
    total_jurisdictions = serializers.IntegerField(help_text="Counted units (2008-2013) in the state.")
    status_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Counted units per status.")
    agreements = AgreementRefSerializer(many=True)
    jurisdictions_url = serializers.URLField(help_text="Its jurisdictions in the API.")
    url = serializers.URLField()
    html_url = serializers.URLField()

    def to_representation(self, row):
        """`row`: a `readmodel.snapshot.StateCounts` (the state and its counted units per status on the day)."""
        context = self.context
        day = _as_of(context)
        state = row.state
        snapshot = context["snapshot"]
        agreement_url = links_for(context, "api:agreement-detail")
        return {
            "postal": state.postal,
            "fips": state.fips,
            "name": state.name,
            "activated_jurisdictions": row.activated,
            "total_jurisdictions": row.total,
            "status_counts": dict(row.by_status),
            "agreements": [
                {
                    "id": agreement.pk,
                    "state_party": agreement.state_party,
                    "signed_on": agreement.signed_iso or None,
                    "status": snapshot.agreement_status(agreement, day),
                    "url": agreement_url(agreement.pk),
                }
                for agreement in snapshot.agreements_by_state.get(state.postal, [])
            ],
            "jurisdictions_url": _site(context, reverse("api:jurisdiction-list") + f"?state={state.postal}"),
            "url": links_for(context, "api:state-detail")(state.postal),
            "html_url": _site(context, state.get_absolute_url()),
        }
