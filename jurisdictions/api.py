"""API v1 viewsets for jurisdictions, states and sources (read-only)."""

import datetime
import json

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view

from agreements.models import Agreement
from jurisdictions.filters import JurisdictionFilter, StateFilter
from jurisdictions.models import Jurisdiction, Source, State
from jurisdictions.serializers import JurisdictionSerializer, SourceSerializer, StateSerializer
from tracker import geometry
from tracker.api import (
    AS_OF_PARAMETER,
    GeoJSONRenderer,
    StrictOrderingFilter,
    TrackerViewSet,
    day_param,
    status_counts,
)

FORMATS_NOTE = (
    " Add `format=csv` (or `Accept: text/csv`) for every matching row as CSV, `format=ndjson` for "
    "newline-delimited JSON; both ignore pagination and stream."
)


@extend_schema_view(
    list=extend_schema(
        description="The 3,143 counted jurisdictions of 2008-2013 (add include=successors for the 7 later "
        "map units), with status on `as_of`." + FORMATS_NOTE + " `format=geojson` gives a FeatureCollection "
        "of the 3,142 units on today's map (WGS84)."
    ),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class JurisdictionViewSet(TrackerViewSet):
    """Counties and county-equivalents, identified by FIPS code."""

    serializer_class = JurisdictionSerializer
    filter_backends = [django_filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = JurisdictionFilter
    ordering_fields = ["fips", "name", "state", "status", "status_since", "activated_on", "kind"]
    ordering = ["state__name", "name", "fips"]
    tie_breaker = ("fips",)
    lookup_field = "fips"
    lookup_value_regex = "[0-9]{5}"
    export_name = "jurisdictions"
    csv_exclude = ("history",)
    renderer_classes = [*TrackerViewSet.renderer_classes, GeoJSONRenderer]

    def get_queryset(self):
        return Jurisdiction.objects.for_pages().with_history()

    def get_object(self):
        day = day_param(self.request) or datetime.date.today()
        return get_object_or_404(self.get_queryset().with_status(day), fips=self.kwargs["fips"])

    def stream(self, fmt, queryset):
        if fmt != "geojson":
            return super().stream(fmt, queryset)
        response = StreamingHttpResponse(self._features(queryset), content_type="application/geo+json")
        response["Content-Disposition"] = f'attachment; filename="{self.export_filename("geojson")}"'
        return response

    def _features(self, queryset):
        shapes = geometry.county_geojson_geometries()
        yield '{"type":"FeatureCollection","features":['
        first = True
        for row in self.iter_rows(queryset):
            row.pop("history")
            feature = {"type": "Feature", "id": row["fips"], "geometry": shapes.get(row["fips"]), "properties": row}
            yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            first = False
        yield "]}\n"


@extend_schema_view(
    list=extend_schema(description="The 50 states and DC with their counts on `as_of`." + FORMATS_NOTE),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class StateViewSet(TrackerViewSet):
    """States and DC, identified by postal code."""

    serializer_class = StateSerializer
    filter_backends = [django_filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = StateFilter
    ordering_fields = ["postal", "name", "fips"]
    ordering = ["name"]
    tie_breaker = ("postal",)
    lookup_field = "postal"
    lookup_value_regex = "[A-Za-z]{2}"
    export_name = "states"
    csv_exclude = ("agreements", "status_counts")

    def get_queryset(self):
        return State.objects.prefetch_related(Prefetch("agreements", queryset=Agreement.objects.for_pages()))

    def get_object(self):
        return get_object_or_404(self.get_queryset(), postal=self.kwargs["postal"].upper())

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "status_counts" not in context:
            context["status_counts"] = status_counts(context["as_of"] or datetime.date.today())
        return context


class SourceViewSet(TrackerViewSet):
    """Citations: every fact points to one."""

    serializer_class = SourceSerializer
    filter_backends = [django_filters.DjangoFilterBackend, StrictOrderingFilter]
    filterset_fields = {"key": ["exact"]}
    ordering_fields = ["id", "title", "published_on"]
    ordering = ["id"]
    tie_breaker = ("id",)
    export_name = "sources"

    def get_queryset(self):
        return Source.objects.all()
