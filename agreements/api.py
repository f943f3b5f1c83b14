"""API v1 viewsets for agreements (MOAs) and events (read-only), answered from the read-model snapshot."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from agreements.filters import AgreementFilter, EventFilter
from agreements.models import Agreement, Event
from agreements.serializers import AgreementSerializer, EventSerializer
from common.api.errors import AS_OF_PARAMETER
from common.api.filters import Rows
from common.api.formats import FORMATS_NOTE
from common.api.viewsets import SnapshotViewSet


@extend_schema_view(
    list=extend_schema(description="State MOAs and refusals, with status on `as_of`." + FORMATS_NOTE),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class AgreementViewSet(SnapshotViewSet):
    """Memoranda of agreement between ICE and state bodies."""

    model = Agreement
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter

    @property
    def sort_keys(self):
        return {
            "id": lambda agreement: agreement.pk,
            "state": lambda agreement: (agreement.state.name, agreement.pk),
            "signed_on": lambda agreement: agreement.signed_on,
            "status": lambda agreement: self.snapshot.agreement_status(agreement, self.day) or "",
        }

    default_ordering = ("state",)
    unique_key = "id"
    export_name = "agreements"
    csv_exclude = ("history",)

    def all_rows(self):
        return Rows(self.snapshot.agreements, model=Agreement)

    def find(self, pk):
        return self.snapshot.agreements_by_id.get(pk)


@extend_schema_view(list=extend_schema(description="Dated state and nationwide events." + FORMATS_NOTE))
class EventViewSet(SnapshotViewSet):
    """Dated, sourced events."""

    model = Event
    serializer_class = EventSerializer
    filterset_class = EventFilter
    sort_keys = {
        "id": lambda event: event.pk,
        "occurred_on": lambda event: (event.occurred_on, event.pk),
        "state": lambda event: (event.state_id or "", event.pk),
        "kind": lambda event: (event.kind, event.pk),
    }
    default_ordering = ("occurred_on",)
    unique_key = "id"
    export_name = "events"

    def all_rows(self):
        return Rows(self.snapshot.events, model=Event)

    def find(self, pk):
        return self.snapshot.events_by_id.get(pk)
