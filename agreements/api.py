"""API v1 viewsets for agreements (MOAs) and events (read-only)."""

import datetime

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from agreements.filters import AgreementFilter, EventFilter
from agreements.models import Agreement, Event
from agreements.serializers import AgreementSerializer, EventSerializer
from jurisdictions.api import FORMATS_NOTE
from tracker.api import AS_OF_PARAMETER, StrictOrderingFilter, TrackerViewSet, day_param


@extend_schema_view(
    list=extend_schema(description="State MOAs and refusals, with status on `as_of`." + FORMATS_NOTE),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class AgreementViewSet(TrackerViewSet):
    """Memoranda of agreement between ICE and state bodies."""

    serializer_class = AgreementSerializer
    filter_backends = [django_filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = AgreementFilter
    ordering_fields = ["id", "state", "signed_on", "status"]
    ordering = ["state__name", "signed_on", "id"]
    tie_breaker = ("id",)
    export_name = "agreements"
    csv_exclude = ("history",)

    def get_queryset(self):
        return Agreement.objects.for_pages()

    def get_object(self):
        day = day_param(self.request) or datetime.date.today()
        return get_object_or_404(self.get_queryset().with_status(day), pk=self.kwargs["pk"])


@extend_schema_view(list=extend_schema(description="Dated state and nationwide events." + FORMATS_NOTE))
class EventViewSet(TrackerViewSet):
    """Dated, sourced events."""

    serializer_class = EventSerializer
    filter_backends = [django_filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = EventFilter
    ordering_fields = ["id", "occurred_on", "state", "kind"]
    ordering = ["occurred_on", "id"]
    tie_breaker = ("id",)
    export_name = "events"

    def get_queryset(self):
        return Event.objects.select_related("state").prefetch_related("sources")
