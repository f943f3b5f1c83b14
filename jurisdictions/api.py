"""API v1 viewsets for jurisdictions, states and sources (read-only), answered from the read-model snapshot."""

import json
from functools import cache

import orjson
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers

from common import geometry
from common.api.errors import AS_OF_PARAMETER
from common.api.filters import Rows
from common.api.formats import CONTENT_TYPES, FORMATS_NOTE, GeoJSONRenderer, csv_header, csv_lines, in_blocks
from common.api.viewsets import SnapshotViewSet
from common.renderers import JSONRenderer
from jurisdictions.filters import JurisdictionFilter, SourceFilter, StateFilter
from jurisdictions.models import Jurisdiction, Source, State, Status
from jurisdictions.search.explain import matched
from jurisdictions.serializers import JurisdictionSerializer, SourceSerializer, StateSerializer, links_for


@extend_schema_serializer(many=False)
class GeoJSONFeatureCollection(serializers.Serializer):
    """Schema only: the GeoJSON download (RFC 7946), one Feature per unit, not paginated."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(
        child=serializers.DictField(),
        help_text="Features with `id` (FIPS), `geometry` (WGS84 Polygon or MultiPolygon from the Census 2017 "
        "boundaries, outer rings counter-clockwise and holes clockwise as RFC 7946 says; a Point, with a "
        "`geometry_note`, for a unit those shapes leave no area) and `properties`: the jurisdiction's fields as in "
        "JSON without its history, and `representative_point` ([longitude, latitude] inside the unit's shape and "
        "no other's).",
    )
    as_of = serializers.DateField()
    holds = serializers.CharField(help_text="What the file holds, in words.")
    counts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="features, counted_features, counted_without_shape, and total_jurisdictions and "
        "activated_jurisdictions of the matching counted units (the stats' for the same day).",
    )
    without_shape = serializers.ListField(
        child=serializers.DictField(),
        help_text="The matching units with no shape on today's map: their fields, plus `geometry_note` (why) and "
        "`drawn_as` (the FIPS of the features the map draws with this unit's status, e.g. 46113 as 46102).",
    )


def _name_key(row):
    return (row.unit.name, row.unit.state.name)


@extend_schema_view(
    list=extend_schema(
        description="The counted jurisdictions of 2008-2013, the source's codes (add include=successors for "
        "the later map units that show their status), with status on `as_of`." + FORMATS_NOTE + " `format=geojson` "
        "gives a FeatureCollection of the units with a shape on today's map (WGS84), with the counted units "
        "that have none listed beside the features and counts equal to the stats'.",
        responses={
            (200, "application/json"): JurisdictionSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/x-ndjson"): OpenApiTypes.STR,
            (200, "application/geo+json"): GeoJSONFeatureCollection,
        },
    ),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class JurisdictionViewSet(SnapshotViewSet):
    """Counties and county-equivalents, identified by FIPS code."""

    model = Jurisdiction
    serializer_class = JurisdictionSerializer
    filterset_class = JurisdictionFilter
    sort_keys = {
        "fips": lambda row: row.unit.fips,
        "name": _name_key,
        "state": lambda row: (row.unit.state.name, row.unit.name),
        "status": lambda row: row.standing.status,
        "status_since": lambda row: row.standing.since,
        "activated_on": lambda row: row.standing.activated_on,
        "kind": lambda row: row.unit.kind,
    }
    default_ordering = ("state",)
    unique_key = "fips"
    lookup_field = "fips"
    lookup_value_regex = "[0-9]{5}"
    lookup_param = None
    export_name = "jurisdictions"
    csv_exclude = ("history", "program_status")
    renderer_classes = [*SnapshotViewSet.renderer_classes, GeoJSONRenderer]

    def all_rows(self):
        return self.snapshot.scoped_rows(self.day, "all")

    def represent(self, rows) -> list:
        """Rows as the JSON list holds them. A unit's JSON per standing, era and site address is encoded once per data
        version (orjson fragments, kept by the snapshot) and reused by every page that lists it; an indented
        answer (`Accept: application/json; indent=2`) is built by DRF's own encoder, as always."""
        renderer = self.request.accepted_renderer
        search = getattr(self, "_search", None)
        # A search's rows carry `matched`: why each is there (its name, a place in it, a ZIP code, ...).
        reasons = search.reasons() if search is not None else None
        if not isinstance(renderer, JSONRenderer) or renderer.get_indent(self.request.accepted_media_type, {}):
            results = super().represent(rows)
            if reasons is not None:
                for row, result in zip(rows, results, strict=True):
                    result["matched"] = matched(reasons.get(row.unit.fips), row.unit.name)
            return results
        encoded = self.snapshot.encoded(("json", self.request.build_absolute_uri("/")))
        era = self.snapshot.program_status(self.day).since
        serializer = self.get_serializer()
        results = []
        for row in rows:
            key = (row.unit.fips, row.stage, era)
            body = encoded.get(key)
            if body is None:
                body = encoded[key] = orjson.dumps(serializer.to_representation(row))
            if reasons is not None:
                # The unit's kept JSON object, with one more member before its closing brace.
                reason = matched(reasons.get(row.unit.fips), row.unit.name)
                body = body[:-1] + b',"matched":' + orjson.dumps(reason) + b"}"
            results.append(orjson.Fragment(body))
        return results

    def csv_lines(self, rows):
        """CSV lines of these rows, each encoded once per data version, site address, unit and standing (a line
        holds neither the history nor the program's era: `csv_exclude`), so any day's CSV joins kept lines."""
        encoded = self.snapshot.encoded(("csv", self.request.build_absolute_uri("/")))
        columns = self.csv_columns()
        rows = list(rows)
        lines = [encoded.get((row.unit.fips, row.stage)) for row in rows]
        missing = [index for index, line in enumerate(lines) if line is None]
        made = csv_lines(self.iter_rows(rows[index] for index in missing), columns)
        for index, line in zip(missing, made, strict=True):
            lines[index] = encoded[(rows[index].unit.fips, rows[index].stage)] = line
        yield csv_header(columns)
        yield from lines

    def find(self, fips):
        return self.snapshot.row(fips, self.day)

    def filterset_kwargs(self):
        return {**super().filterset_kwargs(), "everything": self.request.accepted_renderer.format == "geojson"}

    def filter_queryset(self, rows):
        rows = super().filter_queryset(rows)  # a bad `q` (too long) is a 400 here
        query = self.request.query_params.get("q", "").strip()
        # The matcher keeps its answers, so asking again what `q` found costs a lookup.
        self._search = self.snapshot.matcher.search(query) if query else None
        return rows

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        search = getattr(self, "_search", None)
        if search is not None:
            # What the name search made of `q`: closest names when nothing matched, and notes (a later FIPS code).
            link = links_for(self.get_serializer_context(), "api:jurisdiction-detail")
            whys = search.did_you_mean_why
            response.data["did_you_mean"] = [
                {
                    "fips": place.fips,
                    "name": place.name,
                    "state": place.state_postal,
                    "url": link(place.fips),
                    "matched": matched(whys[position] if position < len(whys) else None, place.name),
                }
                for position, place in enumerate(search.did_you_mean)
            ]
            response.data["notes"] = list(search.notes)
        return response

    def csv_columns(self):
        # The program's state is one column: its status code (the label and event are in JSON).
        return [*super().csv_columns(), "program_status"]

    def iter_rows(self, rows):
        for row in super().iter_rows(rows):
            if self.request.accepted_renderer.format == "csv":
                row = {**row, "program_status": row["program_status"]["status"], "earlier_reports": _reports_cell(row)}
            yield row

    def stream(self, fmt, rows):
        if fmt != "geojson":
            return super().stream(fmt, rows)
        response = StreamingHttpResponse(in_blocks(self._features(rows)), content_type=CONTENT_TYPES["geojson"])
        return self.attachment(response, "geojson")

    def _features(self, rows):
        """The FeatureCollection: a feature for each matching unit with a shape on today's map, and, as members
        beside the features (RFC 7946, section 6.1), what the file holds and the counts of the matching counted
        units, which for the default download are the stats' for the day: the counted units without a shape are
        listed, with their status, so no counted unit goes missing from the totals."""
        shapes = _geometry_json()
        rows = list(rows)
        shaped, unshaped = [], []
        drawn_as = self.snapshot.memo("drawn_as", lambda: _drawn_as(self.snapshot))
        for row, properties in zip(rows, self.iter_rows(rows), strict=True):
            del properties["history"]
            fips = row.unit.fips
            if fips in shapes:
                shaped.append((row, {**properties, **shapes[fips][1]}))
            else:
                note = geometry_note(row.unit, self.snapshot)
                unshaped.append({**properties, "geometry_note": note, "drawn_as": drawn_as.get(fips, [])})
        counted = [row for row in rows if row.unit.in_dataset]
        counts = {
            "features": len(shaped),
            "counted_features": sum(1 for row, _ in shaped if row.unit.in_dataset),
            "counted_without_shape": sum(1 for entry in unshaped if entry["in_dataset"]),
            "total_jurisdictions": len(counted),
            "activated_jurisdictions": sum(1 for row in counted if row.standing.status == Status.ACTIVATED),
        }
        head = {
            "as_of": self.day.isoformat(),
            "holds": GEOJSON_HOLDS,
            "counts": counts,
            "without_shape": unshaped,
        }
        members = ",".join(
            f"{json.dumps(name)}:{json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
            for name, value in head.items()
        )
        yield f'{{"type":"FeatureCollection",{members},"features":['
        separator = ""
        for row, properties in shaped:
            text = json.dumps(properties, ensure_ascii=False, separators=(",", ":"))
            feature = (
                f'"type":"Feature","id":"{row.unit.fips}","geometry":{shapes[row.unit.fips][0]},"properties":{text}'
            )
            yield f"{separator}{{{feature}}}"
            separator = ",\n"
        yield "]}\n"


# What the GeoJSON download says it holds (its `holds` member).
GEOJSON_HOLDS = (
    "One feature for each matching unit with a shape on today's county map (Census 2017 boundaries), with its "
    "status on `as_of`: the counted units of 2008-2013 that are on that map (in_dataset true) and the newer map "
    "units that show the status of the unit they came from (in_dataset false, never counted). The counted units "
    "with no shape today are listed in `without_shape`, so `counts` covers every matching counted unit: "
    "total_jurisdictions and activated_jurisdictions equal /api/v1/stats/ for the same day and filters."
)


def _reports_cell(row: dict) -> list[str]:
    """An answer's earlier reports as CSV shows them: "2008-10-27 <the source's address or title>" each."""
    return [
        f"{report['date']} {report['source']['link'] or report['source']['title']}" for report in row["earlier_reports"]
    ]


def geometry_note(unit, snapshot) -> str:
    """Why a unit has no shape in the GeoJSON: it is not on today's map (Census 2017 boundaries)."""
    successors = ", ".join(f"{other.name} ({other.fips})" for other in snapshot.successors(unit))
    where = f" Its area is mapped as {successors}." if successors else ""
    return (
        f"No geometry: {unit.name} is a 2008-2013 unit that is not on today's county map (Census 2017 "
        f"boundaries), and no shape of it from that period is shipped.{where}"
    )


@cache
def _geometry_json() -> dict[str, tuple[str, dict]]:
    """{FIPS: (its geometry as JSON text, properties the shape adds)}: RFC 7946 winding, a Point where the shipped
    shapes leave a unit no area (with a note saying so), and a point inside each unit. Serialised once per process:
    the shapes are files that never change while it runs."""
    shapes = {}
    for fips, (shape, point, is_point) in geometry.county_geojson_for_analysts().items():
        extra = {"representative_point": point}
        if is_point:
            extra["geometry_note"] = POINT_NOTE
        shapes[fips] = (json.dumps(shape, separators=(",", ":")), extra)
    return shapes


POINT_NOTE = (
    "A point stands for this unit: the Census 2017 shapes at 1:10,000,000 that the tracker ships (us-atlas 3.0.1) "
    "reduce it to a line with no area, and no finer shape of that vintage is shipped. Its area lies within the "
    "shape of the county around it."
)


def _drawn_as(snapshot) -> dict[str, list[str]]:
    """{FIPS of a unit without a shape: the FIPS of the features the map draws with its status} (46113 is drawn
    as 46102, 02232 as 02105 and 02230)."""
    drawn: dict[str, list[str]] = {}
    for unit in snapshot.ordered_units:
        if unit.status_from_id and unit.on_current_map:
            drawn.setdefault(unit.status_from_id, []).append(unit.fips)
    return {fips: sorted(found) for fips, found in drawn.items()}


@extend_schema_view(
    list=extend_schema(description="The 50 states and DC with their counts on `as_of`." + FORMATS_NOTE),
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
)
class StateViewSet(SnapshotViewSet):
    """States and DC, identified by postal code."""

    model = State
    serializer_class = StateSerializer
    filterset_class = StateFilter
    sort_keys = {
        "postal": lambda row: row.state.postal,
        "name": lambda row: row.state.name,
        "fips": lambda row: row.state.fips,
    }
    default_ordering = ("name",)
    unique_key = "postal"
    lookup_field = "postal"
    lookup_value_regex = "[A-Za-z]{2}"
    lookup_param = None
    export_name = "states"
    csv_exclude = ("agreements", "status_counts")

    def all_rows(self):
        return Rows(self.snapshot.state_counts(self.day).values(), model=State)

    def find(self, postal):
        return self.snapshot.state_counts(self.day).get(postal.upper())


class SourceViewSet(SnapshotViewSet):
    """Citations: every fact points to one."""

    model = Source
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    sort_keys = {
        "id": lambda source: source.pk,
        "title": lambda source: (source.label, source.pk),
        "published_on": lambda source: source.published_on,
    }
    default_ordering = ("id",)
    unique_key = "id"
    export_name = "sources"

    def all_rows(self):
        return Rows(sorted(self.snapshot.sources.values(), key=lambda source: source.pk), model=Source)

    def find(self, pk):
        return self.snapshot.sources.get(pk)
