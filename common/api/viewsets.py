"""The read-only base viewset: lists, details and full downloads, answered from the read-model snapshot."""

import re

from django.http import Http404, StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common import params
from common.api.conditional import ConditionalGetMixin
from common.api.filters import Rows, filterset_params
from common.api.formats import (
    BULK_FORMATS,
    CONTENT_TYPES,
    CSVRenderer,
    NDJSONRenderer,
    in_blocks,
    stream_csv,
    stream_ndjson,
)
from common.api.ordering import RowOrdering
from common.api.pagination import PAGINATION, TrackerPagination
from common.api.throttling import AnonThrottle, BulkThrottle
from common.renderers import JSONRenderer

# Anything but letters and digits becomes a hyphen in a download's name (no quotes, slashes or spaces).
_UNSAFE_IN_FILENAMES = re.compile(r"[^A-Za-z0-9]+")


class RowFilterBackend(DjangoFilterBackend):
    """django-filter's backend over snapshot rows (`common.api.filters.Rows`); schema generation unchanged."""

    def get_filterset_class(self, view, queryset=None):
        return getattr(view, "filterset_class", None)

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), **view.filterset_kwargs()}


class SnapshotViewSet(ConditionalGetMixin, viewsets.GenericViewSet):
    """A read-only resource: JSON pages, details, and every matching row as CSV or NDJSON.

    A subclass gives `all_rows()` (every row of the resource for `self.day`, as `Rows`, in default order),
    `find(key)` (one row, or None), `sort_keys`/`default_ordering`/`unique_key` for `?ordering=`, a FilterSet, and a
    serializer whose `to_representation` takes a row. Nothing here reads the database: the rows come from
    `self.snapshot`.
    """

    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    pagination_class = TrackerPagination
    throttle_classes = [AnonThrottle, BulkThrottle]
    filter_backends = [RowFilterBackend, RowOrdering]
    # The model the rows stand for (for the schema and django-filter's FilterSet check).
    model = None
    sort_keys: dict = {}
    default_ordering: tuple[str, ...] = ()
    unique_key = ""
    # What the download is called: scomm-<export_name>-as-of-<date>.<format>
    export_name = ""
    # How a detail's id is written: a number by default; None where the URL's pattern already says (FIPS, postal).
    lookup_param: params.Param | None = params.Number(low=1)
    csv_exclude: tuple[str, ...] = ()

    @classmethod
    def declared_params(cls, action=None) -> dict:
        declared = super().declared_params(action)
        if action == "retrieve":
            return declared
        # A list: its FilterSet's filters, the pages and the order.
        return {
            **declared,
            **filterset_params(cls.filterset_class),
            **PAGINATION,
            "ordering": params.Codes(ordered=True),
        }

    @property
    def ordering_fields(self):
        # Read by drf-spectacular to document `?ordering=`.
        return list(self.sort_keys)

    def all_rows(self):
        raise NotImplementedError

    def find(self, key):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: no request, no snapshot; the model tells drf-spectacular the id's type.
            return Rows(model=self.model)
        return self.all_rows()

    def filterset_kwargs(self) -> dict:
        """Extra keyword arguments for the FilterSet: the snapshot it validates against."""
        return {"snapshot": self.snapshot, "day": self.day}

    def get_renderers(self):
        # One object is JSON only: the bulk formats are whole lists. A detail asked for CSV (`?format=csv`,
        # `Accept: text/csv`) is a 406 naming what it offers, never JSON labelled text/csv; the schema says the same.
        if getattr(self, "action", None) == "retrieve":
            return [renderer() for renderer in self.renderer_classes if renderer.format not in BULK_FORMATS]
        return super().get_renderers()

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, exceptions.NotFound):
            value = request.query_params.get("format", "")[:20]
            if value in BULK_FORMATS and self.action == "retrieve":
                # A list's format asked of one object: 406 (common/api/errors.py names the formats offered).
                raise exceptions.NotAcceptable() from None
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [f"Unknown format '{value}': use {formats}."]}) from None

    def get_serializer_context(self):
        if not hasattr(self, "_context"):
            self._context = {**super().get_serializer_context(), "as_of": self.day, "snapshot": self.snapshot}
        return self._context

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        fmt = request.accepted_renderer.format
        if fmt in BULK_FORMATS:
            return self.stream(fmt, rows)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.represent(page))

    def retrieve(self, request, *args, **kwargs):
        key = kwargs[self.lookup_url_kwarg or self.lookup_field]
        if self.lookup_param is not None:
            try:
                key = self.lookup_param.parse("id", [key])
            except params.BadParameter as error:
                raise ValidationError({"id": [str(error)]}) from None
        row = self.find(key)
        if row is None:
            raise Http404("Nothing has this id.")
        return Response(self.represent([row])[0])

    def export_filename(self, extension: str) -> str:
        """scomm-<resource>[-<filter>-<values>...]-as-of-<day>.<format>: the file says what it holds, e.g.
        scomm-jurisdictions-state-TX-CA-status-activated-as-of-2011-08-05.csv (at most about 150 characters)."""
        parts = [self.export_name]
        for name, value in self.params.pairs:
            if name in getattr(self.filterset_class, "base_filters", {}) and name != "as_of":
                parts += [name, value]
        words = _UNSAFE_IN_FILENAMES.sub("-", "-".join(parts)).strip("-")[:120].rstrip("-")
        return f"scomm-{words}-as-of-{self.day.isoformat()}.{extension}"

    def csv_columns(self) -> "list[str]":
        return [name for name in self.get_serializer().fields if name not in self.csv_exclude]

    def represent(self, rows) -> list:
        """The rows of a JSON page, as the serializer writes them."""
        serializer = self.get_serializer()
        return [serializer.to_representation(row) for row in rows]

    def iter_rows(self, rows):
        serializer = self.get_serializer()
        for row in rows:
            yield serializer.to_representation(row)

    def csv_lines(self, rows):
        """The CSV text of these rows, header first (a resource may keep its lines: see jurisdictions/api.py)."""
        return stream_csv(self.iter_rows(rows), self.csv_columns())

    def stream(self, fmt, rows):
        if fmt == "csv":
            body = self.csv_lines(rows)
        elif fmt == "ndjson":
            body = stream_ndjson(self.iter_rows(rows))
        else:
            raise exceptions.NotFound("GeoJSON is available for jurisdictions only.")
        return self.attachment(StreamingHttpResponse(in_blocks(body), content_type=CONTENT_TYPES[fmt]), fmt)

    def attachment(self, response, fmt):
        response["Content-Disposition"] = f'attachment; filename="{self.export_filename(fmt)}"'
        return response
