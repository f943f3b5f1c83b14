"""Shared machinery of the public API v1: errors, pagination, formats, ETags, throttles, stats and the changes feed.

Resource viewsets live in ``jurisdictions/api.py`` and ``agreements/api.py``; they build on ``TrackerViewSet``.
"""

import base64
import binascii
import csv
import datetime
import hashlib
import heapq
import json
import os
import tempfile
import time
import uuid
from functools import cache as cache_once
from pathlib import Path

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, router
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView, exception_handler

from agreements.models import Agreement, AgreementStatusChange, Event
from jurisdictions.models import Jurisdiction, Source, State, Status, StatusChange
from jurisdictions.serializers import Links
from tracker.asof import BadDate, parse_day
from tracker.renderers import JSONRenderer

# Bulk formats stream every matching row; 5,000 holds the whole dataset in one chunk, so the number of
# queries (one per chunk and prefetch) stays fixed while the bytes are still written row by row.
STREAM_CHUNK_SIZE = 5000
BULK_FORMATS = {"csv", "ndjson", "geojson"}
CACHE_CONTROL = "public, max-age=60"

# --- errors ------------------------------------------------------------------------------------------------


def api_exception_handler(exc, context):
    """Every error is JSON: ``{"errors": {"<parameter>": ["reason"]}}`` for bad input, ``{"detail": ...}`` else."""
    if isinstance(exc, BadDate):
        exc = ValidationError({"as_of": [str(exc)]})
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        detail = response.data
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
        response.data = {"errors": detail}
    return response


def day_param(request, name: str = "as_of") -> datetime.date | None:
    """A date query parameter, validated by ``parse_day``; a bad value is a 400 naming the parameter."""
    try:
        return parse_day(request.query_params.get(name), name=name)
    except BadDate as error:
        raise ValidationError({name: [str(error)]}) from None


# --- pagination and ordering -------------------------------------------------------------------------------


class TrackerPagination(PageNumberPagination):
    """``?page=N&page_size=M``: 100 rows by default, at most 1,000; a bad value is a 400, not a guess."""

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"page_size must be a whole number from 1 to {self.max_page_size}; got '{raw[:20]}'."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw not in (None, "", "last") and not raw.isdigit():
            raise ValidationError({"page": [f"page must be a whole number from 1; got '{raw[:20]}'."]})
        return super().paginate_queryset(queryset, request, view)


class StrictOrderingFilter(OrderingFilter):
    """DRF's ``?ordering=`` that refuses unknown fields instead of ignoring them, with a stable tie-breaker."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            bad = [field for field in fields if field.lstrip("-") not in allowed]
            if bad or not fields:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by '{','.join(bad)[:40]}': use {', '.join(sorted(allowed))}."
                        ]
                    }
                )
            return [*fields, *view.tie_breaker]
        return self.get_default_ordering(view)


# --- formats -----------------------------------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """``?format=csv`` or ``Accept: text/csv``: every matching row, streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer (rows are streamed by the view): show them as plain text.
        return json.dumps(data).encode() if data is not None else b""


class NDJSONRenderer(CSVRenderer):
    """``?format=ndjson``: one JSON object a line, every matching row (for bulk pulls)."""

    media_type = "application/x-ndjson"
    format = "ndjson"


class GeoJSONRenderer(CSVRenderer):
    """``?format=geojson``: a FeatureCollection of WGS84 county shapes with the status properties."""

    media_type = "application/geo+json"
    format = "geojson"


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        # Embedded sources and similar lists: their links (or titles), one cell.
        return " | ".join(
            str(item.get("link") or item.get("title") or item.get("url") or "") if isinstance(item, dict) else str(item)
            for item in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def stream_csv(rows, columns):
    writer = csv.writer(_Echo())
    # A byte-order mark makes Excel read UTF-8 (accents in names, section signs in notes) correctly.
    yield "\ufeff" + writer.writerow(columns)
    for row in rows:
        yield writer.writerow([_csv_cell(row.get(column)) for column in columns])


def in_blocks(pieces, size: int = 64 * 1024):
    """Join small string pieces into ~64 KB byte blocks: one socket write per block, not one per row."""
    buffer, length = [], 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode()
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode()


def stream_ndjson(rows):
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- data version, ETag, Last-Modified ----------------------------------------------------------------------

HISTORY_MODELS = {
    "source": Source,
    "state": State,
    "jurisdiction": Jurisdiction,
    "status_change": StatusChange,
    "agreement": Agreement,
    "agreement_status_change": AgreementStatusChange,
    "event": Event,
}


@cache_once
def _version_sql() -> str:
    # One row per table: "<id>@<date>" of its newest history row, found through the primary key (no scan, no
    # date index needed); none for an empty table. The date guards against an id reused after a delete.
    # This shape plans in half the time of one row of scalar subqueries on PostgreSQL, where planning is most
    # of the cost; CAST and || work alike there and on SQLite.
    # Built once: `Model.history` creates a new manager class on every access.
    parts = []
    for n, model in enumerate(HISTORY_MODELS.values()):
        table = connection.ops.quote_name(model.history.model._meta.db_table)
        parts.append(
            f"SELECT * FROM (SELECT CAST(history_id AS TEXT) || '@' || CAST(history_date AS TEXT) AS newest "
            f"FROM {table} ORDER BY history_id DESC LIMIT 1) AS t{n}"
        )
    return " UNION ALL ".join(parts)


def _prepared_version_statement() -> str:
    """On PostgreSQL, the version query prepared once per database session: planning it took three times as long
    as running it. Prepared through the driver's own cursor, like Django's other per-session setup, so that it
    is not counted as one of a request's queries; a prepared statement outlives a rolled-back transaction."""
    raw = connection.connection
    if getattr(connection, "_data_version_prepared_on", None) is not raw:
        with raw.cursor() as cursor:
            cursor.execute(f"PREPARE tracker_data_version AS {_version_sql()}")
        connection._data_version_prepared_on = raw
    return "EXECUTE tracker_data_version"


def data_version() -> tuple[datetime.datetime | None, str]:
    """(latest edit time, opaque version) from the edit history in one query; any save or delete changes it.

    Asked on every public request (tracker/fast_path.py), so it does no more than it must: a line of text per
    table, and only the latest date parsed (the dates are written alike, in UTC, so the greatest text is the latest).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_prepared_version_statement())
        else:
            cursor.execute(_version_sql())
        newest = [marker for (marker,) in cursor.fetchall()]
    if not newest:
        return None, ""
    latest = datetime.datetime.fromisoformat(max(marker.partition("@")[2] for marker in newest))
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=datetime.UTC)
    return latest, ";".join(newest)


def request_data_version(request) -> tuple[datetime.datetime | None, str]:
    """``data_version()``, read once per request: the fast path (tracker/fast_path.py) keeps it in the environ."""
    environ = getattr(request, "environ", None)
    if environ is None:
        return data_version()
    if "tracker.data_version" not in environ:
        environ["tracker.data_version"] = data_version()
    return environ["tracker.data_version"]


def not_modified_since(header: str | None, last_modified: datetime.datetime | None) -> bool:
    """True when an If-Modified-Since header is at or after the last change (RFC 9110 section 13.1.3)."""
    since = parse_http_date_safe(header) if header else None
    return since is not None and last_modified is not None and int(last_modified.timestamp()) <= since


class ConditionalGetMixin:
    """ETag, Last-Modified and Cache-Control on every GET; 304 when the client already has this answer.

    The ETag hashes the data version (latest edit history row of every table), the scheme, host and full path
    with its query, the negotiated format and, when no ``as_of`` is given, today's date (a scheduled change
    takes effect at midnight without any edit). So it changes when the data behind the response can have changed.

    The same key names a server-side copy of each full download, a file in ``API_EXPORT_DIR``: a repeat request
    for unchanged data is served from it without touching the data, and any edit changes the version, so a stale
    copy is never served. Other answers are stored whole, headers included, by the fast path
    (tracker/fast_path.py).
    """

    # The data version of this request's answer (set for GET and HEAD), for per-version copies of the data.
    _data_version: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        latest, version = request_data_version(request._request)
        renderer = getattr(request, "accepted_renderer", None)
        media = getattr(renderer, "media_type", "")
        today = "" if request.query_params.get("as_of") else datetime.date.today().isoformat()
        key = "\n".join([version, request.scheme, request.get_host(), request.get_full_path(), media, today])
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        self._etag = quote_etag(digest)
        self._last_modified = latest
        self._data_version = version
        if today and latest is not None:
            # An answer for "today" can change at midnight with no edit (a scheduled change takes effect).
            midnight = datetime.datetime.combine(datetime.date.today(), datetime.time(), tzinfo=datetime.UTC)
            self._last_modified = max(latest, midnight)
        if_none_match = request.headers.get("If-None-Match", "")
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if self._etag in tags or if_none_match.strip() == "*":
            raise _Ready(HttpResponseNotModified())
        if not if_none_match and not_modified_since(request.headers.get("If-Modified-Since"), self._last_modified):
            raise _Ready(HttpResponseNotModified())
        if getattr(renderer, "format", "") in BULK_FORMATS:
            path = export_dir() / f"{digest}.{renderer.format}"
            if path.exists():
                raise _Ready(_file_response(path, self._export_headers(renderer.format)))

    def _export_headers(self, fmt) -> dict:
        filename = self.export_filename(fmt) if hasattr(self, "export_filename") else f"scomm.{fmt}"
        return {"Content-Disposition": f'attachment; filename="{filename}"', "Content-Type": _BULK_TYPES[fmt]}

    def handle_exception(self, exc):
        if isinstance(exc, _Ready):
            self._set_cache_headers(exc.response)
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and hasattr(self, "_etag"):
            self._set_cache_headers(response)
            if response.streaming:
                fmt = request.accepted_renderer.format
                response.streaming_content = _tee_to_file(
                    response.streaming_content, export_dir(), self._etag[1:-1], fmt
                )
        return response

    def _set_cache_headers(self, response):
        response["ETag"] = self._etag
        if self._last_modified is not None:
            response["Last-Modified"] = http_date(self._last_modified.timestamp())
        response["Cache-Control"] = CACHE_CONTROL
        response["Vary"] = "Accept, Origin"


class _Ready(Exception):
    """Raised once the answer is known before the view runs (304, or a stored copy)."""

    def __init__(self, response):
        super().__init__()
        self.response = response


# Stored full downloads are pruned to the newest few when a new one is written.
EXPORT_FILES_KEPT = 200
_BULK_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson; charset=utf-8",
    "geojson": "application/geo+json",
}


def export_dir() -> Path:
    configured = getattr(settings, "API_EXPORT_DIR", "") or os.environ.get("API_EXPORT_DIR", "")
    path = Path(configured or Path(tempfile.gettempdir()) / "scomm-api-exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_response(path: Path, headers: dict) -> FileResponse:
    response = FileResponse(open(path, "rb"), content_type=headers["Content-Type"])  # noqa: SIM115 (closed by Django)
    response["Content-Disposition"] = headers["Content-Disposition"]
    return response


def _tee_to_file(chunks, directory: Path, digest: str, fmt: str):
    """Pass the chunks on to the client and keep a copy; the copy is published only if the stream completed."""
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".partial-", delete=False)  # noqa: SIM115
    try:
        for chunk in chunks:
            handle.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            yield chunk
        handle.close()
        os.replace(handle.name, directory / f"{digest}.{fmt}")
        _prune(directory)
    finally:
        if not handle.closed:
            handle.close()
        if os.path.exists(handle.name):
            os.unlink(handle.name)


def _prune(directory: Path) -> None:
    stored = []
    for path in directory.iterdir():
        if path.suffix.lstrip(".") in _BULK_TYPES and not path.name.startswith("."):
            try:
                stored.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                # Another worker pruned it first.
                continue
    for _, old in sorted(stored, reverse=True)[EXPORT_FILES_KEPT:]:
        old.unlink(missing_ok=True)


# --- throttling --------------------------------------------------------------------------------------------


class _LiveRateMixin:
    # DRF reads the rates once at import; reading them per request lets settings (and tests) change them.
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Anonymous JSON requests, per client address (rate: REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"])."""

    scope = "anon"

    def allow_request(self, request, view):
        if getattr(request, "accepted_renderer", None) and request.accepted_renderer.format in BULK_FORMATS:
            return True
        return super().allow_request(request, view)


class BulkThrottle(_LiveRateMixin, AnonRateThrottle):
    """Full downloads (CSV, NDJSON, GeoJSON): their own, separate allowance ("bulk")."""

    scope = "bulk"

    def allow_request(self, request, view):
        if not (getattr(request, "accepted_renderer", None) and request.accepted_renderer.format in BULK_FORMATS):
            return True
        return super().allow_request(request, view)


# --- the base viewset --------------------------------------------------------------------------------------


class TrackerViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only resource: JSON pages, plus CSV and NDJSON (every matching row, streamed)."""

    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    pagination_class = TrackerPagination
    throttle_classes = [AnonThrottle, BulkThrottle]
    ordering_param = "ordering"
    tie_breaker: tuple[str, ...] = ("pk",)
    # What the download is called: scomm-<export_name>[-as-of-<date>].csv
    export_name = ""

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, exceptions.NotFound):
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            value = request.query_params.get("format", "")[:20]
            raise ValidationError({"format": [f"Unknown format '{value}': use {formats}."]}) from None

    def get_serializer_context(self):
        # Built once per request: it may hold per-request lookups (counts, URL templates).
        if not hasattr(self, "_context"):
            self._context = super().get_serializer_context()
            self._context["as_of"] = day_param(self.request)
        return self._context

    def export_filename(self, extension: str) -> str:
        day = day_param(self.request)
        when = f"as-of-{day.isoformat()}" if day else f"as-of-{datetime.date.today().isoformat()}"
        return f"scomm-{self.export_name}-{when}.{extension}"

    def csv_columns(self) -> list[str]:
        serializer = self.get_serializer()
        return [name for name in serializer.fields if name not in getattr(self, "csv_exclude", ())]

    def iter_rows(self, queryset):
        serializer = self.get_serializer()
        for instance in queryset.iterator(chunk_size=STREAM_CHUNK_SIZE):
            yield serializer.to_representation(instance)

    def list(self, request, *args, **kwargs):
        fmt = request.accepted_renderer.format
        if fmt in BULK_FORMATS:
            queryset = self.filter_queryset(self.get_queryset())
            return self.stream(fmt, queryset)
        return super().list(request, *args, **kwargs)

    def stream(self, fmt, queryset):
        if fmt == "csv":
            body = stream_csv(self.iter_rows(queryset), self.csv_columns())
            content_type = "text/csv; charset=utf-8"
        elif fmt == "ndjson":
            body = stream_ndjson(self.iter_rows(queryset))
            content_type = "application/x-ndjson; charset=utf-8"
        else:
            raise exceptions.NotFound("GeoJSON is available for jurisdictions only.")
        response = StreamingHttpResponse(in_blocks(body), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.export_filename(fmt)}"'
        return response


# --- stats -------------------------------------------------------------------------------------------------

AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Answer as it stood on this date (YYYY-MM-DD, 2008-01-01 to today). Default: today.",
)


# A date no answer asks for: it marks where `as_of` goes in the compiled status count query's parameters.
_SENTINEL_DAY = datetime.date(1, 1, 1)


@cache_once
def _status_counts_query(alias: str) -> tuple[str, tuple]:
    # Compiled once per database: building the `with_status` subqueries took longer than running them, and only
    # the date changes from one request to the next.
    queryset = (
        Jurisdiction.objects.using(alias)
        .counted()
        .with_status(_SENTINEL_DAY)
        .order_by()
        .values("state_id", "status")
        .annotate(n=Count("fips"))
    )
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


# Names the current generation of the answer cache: clearing that cache (as the tests do between tests, or an
# operator after a change that left no edit history) starts a new one, so per-process copies of the data keyed
# on it are dropped with the cached answers.
GENERATION_KEY = "api-v1:generation"


# (generation, when it was read) in this process: with a shared cache (Redis) each read is a round trip, and
# every computed answer asks. CACHE_GENERATION_SECONDS bounds how long a cleared cache can go unnoticed here.
_generation: tuple[str, float] = ("", float("-inf"))


def cache_generation() -> str:
    global _generation
    held, read_at = _generation
    now = time.monotonic()
    if held and now - read_at < settings.CACHE_GENERATION_SECONDS:
        return held
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY, "")
    _generation = (generation, now)
    return generation


class PerVersion:
    """Values computed from the data and kept in this process for one data version and cache generation.

    Replaced as a whole when the version or generation changes (older values are never asked for again), so a
    thread never sees a mix; at most `kept` keys (e.g. days) are held. Callers treat the values as read-only.
    """

    def __init__(self, kept: int = 1000):
        self.kept = kept
        self._held: tuple[tuple, dict] = ((None, None), {})

    def get(self, version: str, key, compute):
        current = (cache_generation(), version)
        held, values = self._held
        if held != current:
            values = {}
            self._held = (current, values)
        found = values.get(key)
        if found is None:
            found = compute()
            if len(values) >= self.kept:
                values.clear()
            values[key] = found
        # The local name, not values[key]: another thread may have cleared the dict meanwhile.
        return found


# Status counts per day already computed in this process.
_counts = PerVersion()


def status_counts(as_of: datetime.date, version: str | None = None) -> dict[str, dict[str, int]]:
    """{postal: {status: n}} for the counted jurisdictions on a date, in one query (none if already counted).

    With the data `version` (see ``data_version``), counts already computed for that day in this process are
    reused: they change only with the data, and every stats and states answer for a day asks for the same ones.
    """
    if version is None:
        return _count_statuses(as_of)
    found = _counts.get(version, as_of, lambda: _count_statuses(as_of))
    # A copy: callers may change the answer they get.
    return {postal: dict(counts) for postal, counts in found.items()}


def _count_statuses(as_of: datetime.date) -> dict[str, dict[str, int]]:
    alias = router.db_for_read(Jurisdiction)
    ops = connections[alias].ops
    sql, params = _status_counts_query(alias)
    sentinel, day = ops.adapt_datefield_value(_SENTINEL_DAY), ops.adapt_datefield_value(as_of)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [day if param == sentinel else param for param in params])
        rows = cursor.fetchall()
    per_state: dict[str, dict[str, int]] = {}
    for state_id, status, n in rows:
        per_state.setdefault(state_id, {})[status] = n
    return per_state


class StatsView(ConditionalGetMixin, APIView):
    """Headline numbers on any date: activated jurisdictions, the states they are in, per status and per state."""

    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]

    @extend_schema(
        parameters=[AS_OF_PARAMETER],
        responses=inline_serializer(
            "Stats",
            {
                "as_of": serializers.DateField(),
                "activated_jurisdictions": serializers.IntegerField(),
                "states_with_activated_jurisdictions": serializers.IntegerField(),
                "total_jurisdictions": serializers.IntegerField(),
                "total_states": serializers.IntegerField(),
                "by_status": serializers.DictField(child=serializers.IntegerField()),
                "by_state": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        day = day_param(request) or datetime.date.today()
        body = _stats.get(self._data_version, day, lambda: _stats_on(day, self._data_version))
        # One reverse() for the 51 links: reversing each one was a third of the answer's time.
        state_url = Links(request, "api:state-detail")
        by_state = [{**row, "url": state_url(row["state"])} for row in body["by_state"]]
        return Response({**body, "by_state": by_state})


# Stats answers per day already computed in this process, without their links (those depend on the request).
_stats = PerVersion()


def _stats_on(day: datetime.date, version: str) -> dict:
    per_state = status_counts(day, version)
    states = list(State.objects.order_by("name").values_list("postal", "name"))
    # Status.values builds a new list on every use: read it once, not 52 times.
    statuses = Status.values
    by_status = {status: 0 for status in statuses}
    by_state = []
    for postal, name in states:
        found = per_state.get(postal, {})
        counts = {status: found.get(status, 0) for status in statuses}
        for status, n in counts.items():
            by_status[status] += n
        by_state.append({"state": postal, "name": name, **counts, "total": sum(counts.values())})
    return {
        "as_of": day.isoformat(),
        "activated_jurisdictions": by_status[Status.ACTIVATED],
        "states_with_activated_jurisdictions": sum(1 for row in by_state if row[Status.ACTIVATED]),
        "total_jurisdictions": sum(by_status.values()),
        "total_states": len(states),
        "by_status": by_status,
        "by_state": by_state,
    }


# --- changes feed ------------------------------------------------------------------------------------------

CHANGES_LIMIT = 500
_ACTIONS = {"+": "create", "~": "update", "-": "delete"}
_KIND_OF_HISTORY = {model.history.model: kind for kind, model in HISTORY_MODELS.items()}
_API_DETAIL = {
    "source": "api:source-detail",
    "state": "api:state-detail",
    "jurisdiction": "api:jurisdiction-detail",
    "agreement": "api:agreement-detail",
    "event": "api:event-detail",
}


def encode_cursor(positions: dict[str, int]) -> str:
    raw = json.dumps(positions, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, int]:
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        positions = json.loads(raw)
        if not isinstance(positions, dict) or not all(
            key in HISTORY_MODELS and isinstance(value, int) for key, value in positions.items()
        ):
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(
            {
                "since": [
                    "since must be a cursor returned as `next` by this feed (or omitted to start from the beginning)."
                ]
            }
        ) from None
    return positions


def _field_values(record, fields) -> dict:
    values = {}
    for field in fields:
        value = getattr(record, field.attname)
        if isinstance(value, datetime.date | datetime.datetime):
            value = value.isoformat()
        values[field.name] = value
    return values


def _m2m_values(records) -> dict:
    """{(kind, history_id): {m2m field: sorted ids}} for history rows of models whose m2m links are tracked.

    One query per tracked m2m field present (agreement and event sources, jurisdiction replaced_by).
    """
    by_kind: dict[str, set] = {}
    for record in records:
        kind = _KIND_OF_HISTORY.get(type(record))
        if kind and getattr(record, "_history_m2m_fields", None):
            by_kind.setdefault(kind, set()).add(record.history_id)
    values: dict = {}
    for kind, history_ids in by_kind.items():
        historical = HISTORY_MODELS[kind].history.model
        for field in historical._history_m2m_fields:
            through = getattr(historical, field.name).model
            target = f"{field.m2m_reverse_field_name()}_id"
            for key in history_ids:
                values.setdefault((kind, key), {})[field.name] = []
            rows = through.objects.filter(history_id__in=history_ids).values_list("history_id", target)
            for history_id, target_id in rows:
                values[(kind, history_id)][field.name].append(target_id)
            for key in history_ids:
                values[(kind, key)][field.name].sort()
    return values


class ChangesView(ConditionalGetMixin, APIView):
    """Every create, update and delete since a cursor, oldest first, from the edit history.

    The cursor holds, per kind of object, the last history row already returned, so a row committed late is
    never skipped. Start without ``since``; then pass the ``next`` you were given until ``more`` is false.
    """

    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="The `next` cursor of your previous call; omit to start."),
            OpenApiParameter("limit", int, description=f"Changes per call, 1 to {CHANGES_LIMIT} (default)."),
        ],
        responses=inline_serializer(
            "Changes",
            {
                "next": serializers.CharField(),
                "more": serializers.BooleanField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request):
        positions = decode_cursor(request.query_params.get("since"))
        raw_limit = request.query_params.get("limit", "")
        if raw_limit and (not raw_limit.isdigit() or not 1 <= int(raw_limit) <= CHANGES_LIMIT):
            raise ValidationError({"limit": [f"limit must be a whole number from 1 to {CHANGES_LIMIT}."]})
        limit = int(raw_limit) if raw_limit else CHANGES_LIMIT

        streams = []
        fetched = {}
        for kind, model in HISTORY_MODELS.items():
            rows = list(model.history.filter(history_id__gt=positions.get(kind, 0)).order_by("history_id")[: limit + 1])
            fetched[kind] = rows
            streams.append([(row.history_date, kind, row.history_id, row) for row in rows])
        merged = list(heapq.merge(*streams, key=lambda item: item[:3]))
        page, more = merged[:limit], len(merged) > limit

        results = []
        new_positions = dict(positions)
        previous = self._previous_records(page)
        related = _m2m_values([item[3] for item in page] + list(previous.values()))
        for history_date, kind, history_id, record in page:
            model = HISTORY_MODELS[kind]
            fields = [field for field in model._meta.concrete_fields]
            values = {**_field_values(record, fields), **related.get((kind, history_id), {})}
            action = _ACTIONS[record.history_type]
            if action == "update":
                before = previous.get((kind, history_id))
                old = {}
                if before is not None:
                    old = {**_field_values(before, fields), **related.get((kind, before.history_id), {})}
                changed = {name: value for name, value in values.items() if old.get(name) != value}
            elif action == "create":
                changed = values
            else:
                changed = {}
            object_id = getattr(record, model._meta.pk.attname)
            url = None
            if kind in _API_DETAIL and action != "delete":
                url = request.build_absolute_uri(reverse(_API_DETAIL[kind], args=[object_id]))
            results.append(
                {
                    "type": kind,
                    "id": object_id,
                    "action": action,
                    "time": history_date.isoformat(),
                    "changed_fields": sorted(changed),
                    "fields": values if action != "delete" else {},
                    "url": url,
                }
            )
            new_positions[kind] = history_id
        return Response({"next": encode_cursor(new_positions), "more": more, "results": results})

    def _previous_records(self, page) -> dict:
        """For each update on the page, the history row just before it for the same object (one query a kind)."""
        previous = {}
        by_kind: dict[str, list] = {}
        for _, kind, _, record in page:
            if record.history_type == "~":
                by_kind.setdefault(kind, []).append(record)
        for kind, records in by_kind.items():
            model = HISTORY_MODELS[kind]
            pk = model._meta.pk.attname
            ids = {getattr(record, pk) for record in records}
            top = max(record.history_id for record in records)
            older = model.history.filter(**{f"{pk}__in": ids, "history_id__lt": top}).order_by("history_id")
            last_seen: dict = {}
            wanted = {record.history_id for record in records}
            for row in list(older) + records:
                key = getattr(row, pk)
                if row.history_id in wanted and key in last_seen:
                    previous[(kind, row.history_id)] = last_seen[key]
                last_seen[key] = row
        return previous


# --- human docs page ---------------------------------------------------------------------------------------


def api_index(request):
    """The human API page for browsers; a JSON map of the endpoints for programs."""
    accept = request.headers.get("Accept", "")
    endpoints = {
        name: request.build_absolute_uri(reverse(f"api:{name}-list"))
        for name in ("jurisdiction", "state", "agreement", "source", "event")
    }
    endpoints["stats"] = request.build_absolute_uri(reverse("api:stats"))
    endpoints["changes"] = request.build_absolute_uri(reverse("api:changes"))
    endpoints["schema"] = request.build_absolute_uri(reverse("api:schema"))
    if "text/html" in accept or request.GET.get("format") == "html":
        return render(
            request,
            "api/index.html",
            {"endpoints": endpoints, "base": request.build_absolute_uri(reverse("api:index"))},
        )
    return JsonResponse(endpoints)


# --- filter parts shared by the FilterSets -----------------------------------------------------------------


MAX_LIST_VALUES = 500


def _literal_error(text: str) -> forms.ValidationError:
    """A form error whose text is shown as is: django-filter applies `message % params`, and a '%' in the
    quoted value (e.g. `fips=%`) would otherwise raise while formatting the error, a 500 instead of a 400."""
    return forms.ValidationError("%(reason)s", params={"reason": text})


class ListWidget(forms.TextInput):
    """Reads ``x=A,B`` and ``x=A&x=B`` alike as ["A", "B"]."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [item.strip() for value in values if value for item in value.split(",") if item.strip()]


class ListField(forms.Field):
    """A list of codes, each normalised and checked; an unknown one is an error naming it."""

    widget = ListWidget

    def __init__(self, *, valid=None, normalize=str, hint="", **kwargs):
        self.valid, self.normalize, self.hint = valid, normalize, hint
        super().__init__(**kwargs)

    def clean(self, value):
        if not value:
            return []
        if len(value) > MAX_LIST_VALUES:
            raise _literal_error(f"At most {MAX_LIST_VALUES} values; for more, download the CSV and filter it.")
        items = [self.normalize(item) for item in value]
        valid = self.valid() if callable(self.valid) else self.valid
        bad = [item for item in items if valid is not None and item not in valid]
        if bad:
            raise _literal_error(f"Unknown value '{', '.join(bad)[:60]}': {self.hint}")
        return list(dict.fromkeys(items))


@extend_schema_field(
    {"type": "string", "description": "One value, several separated by commas, or the parameter repeated."}
)
class ListFilter(django_filters.Filter):
    field_class = ListField


class DayField(forms.CharField):
    def __init__(self, *, param="as_of", **kwargs):
        self.param = param
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return parse_day(value, name=self.param)
        except BadDate as error:
            raise _literal_error(str(error)) from None


@extend_schema_field(OpenApiTypes.DATE)
class DayFilter(django_filters.Filter):
    field_class = DayField


class StrictBooleanField(forms.CharField):
    TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no"}

    def clean(self, value):
        value = (value or "").strip().lower()
        if value == "":
            return None
        if value in self.TRUE:
            return True
        if value in self.FALSE:
            return False
        raise _literal_error(f"Must be true or false; got '{value[:20]}'.")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.Filter):
    field_class = StrictBooleanField

    def filter(self, qs, value):
        if value is None:
            return qs
        return super().filter(qs, value)


def valid_postals() -> set[str]:
    return set(State.objects.values_list("postal", flat=True))


STATE_HINT = "use two-letter postal codes such as TX, or several: TX,CA."
