"""API representations of agreements (MOAs) and events: the published contract of /api/v1/."""

from rest_framework import serializers

from agreements.models import Agreement, AgreementStatus, Event, EventKind, Precision
from common.dates import us_today
from jurisdictions.serializers import SourceRefSerializer, _site, links_for, source_ref


class AgreementChangeSerializer(serializers.Serializer):
    """A dated change in an agreement's standing."""

    date = serializers.CharField(help_text="YYYY-MM-DD, or YYYY-MM when only the month is known.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    status = serializers.ChoiceField(choices=AgreementStatus.choices)
    note = serializers.CharField()
    event = serializers.URLField(allow_null=True, help_text="The event this change is part of, if any.")
    source = SourceRefSerializer()


class AgreementSerializer(serializers.Serializer):
    """A memorandum of agreement between ICE and a state body, with its status on `as_of` and its history."""

    id = serializers.IntegerField()
    state = serializers.CharField(help_text="State postal code.")
    state_name = serializers.CharField()
    state_party = serializers.CharField()
    federal_party = serializers.CharField()
    signed_on = serializers.CharField(
        allow_null=True, help_text="YYYY-MM-DD, YYYY-MM when only the month is known, null when no source gives it."
    )
    signed_precision = serializers.ChoiceField(choices=Precision.choices, allow_null=True)
    status = serializers.ChoiceField(
        choices=AgreementStatus.choices, allow_null=True, help_text="Standing on `as_of`; null before any record."
    )
    status_since = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    sources = SourceRefSerializer(many=True)
    history = AgreementChangeSerializer(many=True, help_text="Dated changes up to `as_of`, oldest first.")
    url = serializers.URLField()
    html_url = serializers.URLField()

    def to_representation(self, agreement: Agreement):
        context = self.context
        day = context.get("as_of") or us_today()
        event_url = links_for(context, "api:event-detail")
        timeline = [change for change in agreement.timeline if change.effective_on <= day]
        current = timeline[-1] if timeline else None
        return {
            "id": agreement.pk,
            "state": agreement.state_id,
            "state_name": agreement.state.name,
            "state_party": agreement.state_party,
            "federal_party": agreement.federal_party,
            "signed_on": agreement.signed_iso or None,
            "signed_precision": agreement.signed_precision or None,
            "status": current.status if current else None,
            "status_since": current.effective_iso if current else None,
            "notes": agreement.notes,
            "sources": [source_ref(source, context) for source in agreement.sources.all()],
            "history": [
                {
                    "date": change.effective_iso,
                    "precision": change.precision,
                    "status": change.status,
                    "note": change.note,
                    "event": event_url(change.event_id) if change.event_id else None,
                    "source": source_ref(change.source, context),
                }
                for change in timeline
            ],
            "url": links_for(context, "api:agreement-detail")(agreement.pk),
            "html_url": _site(context, agreement.get_absolute_url()),
        }


class EventSerializer(serializers.Serializer):
    """A dated, sourced event: nationwide (state null) or in one state."""

    id = serializers.IntegerField()
    occurred_on = serializers.CharField(help_text="YYYY-MM-DD, or YYYY-MM when only the month is known.")
    precision = serializers.ChoiceField(choices=Precision.choices)
    state = serializers.CharField(allow_null=True, help_text="State postal code; null for a nationwide event.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    summary = serializers.CharField()
    sources = SourceRefSerializer(many=True)
    url = serializers.URLField()
    html_url = serializers.URLField(allow_null=True, help_text="The state's page for a state event.")

    def to_representation(self, event: Event):
        context = self.context
        return {
            "id": event.pk,
            "occurred_on": event.occurred_iso,
            "precision": event.precision,
            "state": event.state_id,
            "kind": event.kind,
            "summary": event.summary,
            "sources": [source_ref(source, context) for source in event.sources.all()],
            "url": links_for(context, "api:event-detail")(event.pk),
            "html_url": _site(context, event.state.get_absolute_url()) if event.state_id else None,
        }
