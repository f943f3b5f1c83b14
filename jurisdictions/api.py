"""API v1 viewsets for jurisdictions, states and sources (read-only)."""

import datetime
import json
import sys
from functools import cache as cache_once
from typing import NamedTuple

from django.db.models import Prefetch
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from agreements.models import Agreement
from jurisdictions.filters import JurisdictionFilter, StateFilter
from jurisdictions.models import Jurisdiction, Source, State, Status, StatusChange
from jurisdictions.serializers import JurisdictionSerializer, SourceSerializer, StateSerializer
from tracker import geometry
from tracker.api import (
    AS_OF_PARAMETER,
    BULK_FORMATS,
    GeoJSONRenderer,
    PerVersion,
    StrictOrderingFilter,
    TrackerViewSet,
    day_param,
    in_blocks,
    status_counts,
)


@extend_schema_serializer(many=False)
class GeoJSONFeatureCollection(serializers.Serializer):
    """Schema only: the GeoJSON download (RFC 7946), one Feature per county, not paginated."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text="Features with `id` (FIPS), `geometry` (WGS84 Polygon or MultiPolygon, null if no shape) and "
        "`properties` (the jurisdiction's fields as in JSON, without its history).",
    )


FORMATS_NOTE = (
    " Add `format=csv` (or `Accept: text/csv`) for every matching row as CSV, `format=ndjson` for "
    "newline-delimited JSON; both ignore pagination and stream."
)


@extend_schema_view(
    list=extend_schema(
        description="The 3,143 counted jurisdictions of 2008-2013 (add include=successors for the 7 later "
        "map units), with status on `as_of`." + FORMATS_NOTE + " `format=geojson` gives a FeatureCollection "
        "of the 3,142 units on today's map (WGS84).",
        responses={
            (200, "application/json"): JurisdictionSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "application/geo+json"): GeoJSONFeatureCollection,
        },
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
        return Jurisdiction.objects.all()

    def list(self, request, *args, **kwargs):
        fmt = request.accepted_renderer.format
        codes = self.matching_codes()
        if fmt in BULK_FORMATS:
            return self.stream(fmt, codes)
        page = self.paginate_queryset(codes)
        rows = load_rows(page, self.get_serializer_context()["as_of"], self._data_version)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def matching_codes(self) -> tuple[str, ...]:
        """The FIPS codes matching this request's filters, in order: found by SQL once per data version, day and
        filter values, then reused by every page, format and repeat of the same question in this process.

        Filtering and ordering depend on nothing else, so the key holds the values of the filter and ordering
        parameters only (a page number or an unknown parameter does not change the rows). A bad value raises
        its 400 on the way and is never kept. The rows themselves come from the copy of every unit (`load_rows`).
        """
        params = self.request.query_params
        names = _filter_names()
        key = (
            datetime.date.today(),
            tuple(sorted((name, tuple(params.getlist(name))) for name in params if name in names)),
        )
        return _matching.get(self._data_version, key, self._find_codes)

    def _find_codes(self) -> tuple[str, ...]:
        codes = self.filter_queryset(self.get_queryset()).values_list("fips", flat=True)
        # Interned: the same 3,150 strings shared by every kept list, 8 bytes a code.
        return tuple(map(sys.intern, codes))

    def retrieve(self, request, *args, **kwargs):
        day = day_param(request) or datetime.date.today()
        rows = load_rows([kwargs["fips"]], day, self._data_version)
        if not rows:
            raise Http404("No jurisdiction has this FIPS code.")
        return Response(self.get_serializer(rows[0]).data)

    def iter_rows(self, codes):
        serializer = self.get_serializer()
        as_of = self.get_serializer_context()["as_of"]
        # A few hundred rows at a time: a full download never holds all its rows, only the codes.
        for start in range(0, len(codes), STREAM_BATCH):
            for row in load_rows(codes[start : start + STREAM_BATCH], as_of, self._data_version):
                yield serializer.to_representation(row)

    def stream(self, fmt, codes):
        if fmt != "geojson":
            return super().stream(fmt, codes)
        response = StreamingHttpResponse(in_blocks(self._features(codes)), content_type="application/geo+json")
        response["Content-Disposition"] = f'attachment; filename="{self.export_filename("geojson")}"'
        return response

    def _features(self, codes):
        shapes = _geometry_json()
        yield '{"type":"FeatureCollection","features":['
        separator = ""
        for row in self.iter_rows(codes):
            del row["history"]
            fips = row["fips"]
            properties = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
            shape = shapes.get(fips, "null")
            yield f'{separator}{{"type":"Feature","id":"{fips}","geometry":{shape},"properties":{properties}}}'
            separator = ",\n"
        yield "]}\n"


# Rows built at a time for a full download.
STREAM_BATCH = 500

# Ordered FIPS codes per (day, filter values), for the current data version (see `matching_codes`).
_matching = PerVersion(kept=500)


@cache_once
def _filter_names() -> frozenset[str]:
    return frozenset({*JurisdictionFilter.base_filters, "ordering"})


# What a jurisdiction row holds from the database, before `load_rows` adds its history and status.
ROW_FIELDS = (
    "fips",
    "name",
    "kind",
    "state_id",
    "state__name",
    "in_dataset",
    "on_current_map",
    "status_from_id",
)


def load_rows(codes, as_of: datetime.date | None, version: str) -> list[dict]:
    """The rows of these FIPS codes (unknown ones left out), in their order, with status on `as_of`, dated
    history (own, or borrowed via status_from) and successors, for the serializer.

    Everything comes from this process's copy of every unit for the data version (see ``_all_units``): plain
    dicts, because a full export builds 3,000 rows per request and model instances with prefetch querysets were
    20 times slower than the SQL. The status is read from the history, by the same rule as ``with_status``.
    """
    day = as_of or datetime.date.today()
    units = _all_units(version)
    rows = []
    for fips in codes:
        found = units.rows.get(fips)
        if found is None:
            continue
        row = dict(found)
        row["history"] = units.history.get(row["status_from_id"] or fips, [])
        row["replaced_by"] = units.replaced.get(fips, [])
        row["status"], row["status_since"], row["activated_on"] = status_on(row["history"], day)
        rows.append(row)
    return rows


def _read_histories() -> tuple[dict[str, list], dict[str, list]]:
    """({unit: its changes, oldest first}, {fips: FIPS of its successors}) for every unit."""
    changes = list(
        StatusChange.objects.order_by("effective_on", "pk").values(
            "jurisdiction_id", "effective_on", "status", "confidence", "alternative_date", "note", "source_id"
        )
    )
    sources = Source.objects.in_bulk({change["source_id"] for change in changes})
    history: dict[str, list] = {}
    for change in changes:
        change["source"] = sources[change["source_id"]]
        history.setdefault(change["jurisdiction_id"], []).append(change)
    replaced: dict[str, list] = {}
    links = Jurisdiction.replaced_by.through.objects.order_by("to_jurisdiction_id")
    for old, new in links.values_list("from_jurisdiction_id", "to_jurisdiction_id"):
        replaced.setdefault(old, []).append(new)
    return history, replaced


class Units(NamedTuple):
    """Every jurisdiction as `load_rows` reads it, for one data version: rows by FIPS, histories, successors."""

    rows: dict[str, dict]
    history: dict[str, list]
    replaced: dict[str, list]


# This process's copy of every unit, for the current data version.
_units = PerVersion(kept=1)


def _all_units(version: str) -> Units:
    """Every unit's row, history and successors, read once per data version (the edit history) and process.

    The 3,150 units and their histories are a few thousand rows: reading them once costs about what three computed
    answers did, and every computed answer after that needs none of those queries. Treat them as read-only.
    """
    return _units.get(version, None, _read_units)


def _read_units() -> Units:
    rows = {row["fips"]: row for row in Jurisdiction.objects.order_by().values(*ROW_FIELDS)}
    return Units(rows, *_read_histories())


def status_on(history: list[dict], day: datetime.date) -> tuple[str, datetime.date | None, datetime.date | None]:
    """(status, status_since, activated_on) on `day` from a history ordered oldest first, as `with_status` gives.

    The same rule as the SQL: the latest change on or before `day` (ties: the last saved), not activated when
    there is none, and the first activation on or before `day`.
    """
    status, since, activated = Status.NOT_ACTIVATED, None, None
    for change in history:
        if change["effective_on"] > day:
            break
        status, since = change["status"], change["effective_on"]
        if activated is None and status == Status.ACTIVATED:
            activated = since
    return status, since, activated


@cache_once
def _geometry_json() -> dict[str, str]:
    # Serialised once per process: the shapes never change while it runs, and dumping them is the slow part.
    return {
        fips: json.dumps(shape, separators=(",", ":")) for fips, shape in geometry.county_geojson_geometries().items()
    }


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
            context["status_counts"] = status_counts(context["as_of"] or datetime.date.today(), self._data_version)
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
