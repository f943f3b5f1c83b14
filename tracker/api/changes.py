"""`/api/v1/changes/`: every create, update and delete since a cursor, from the edit history (SQL, not the snapshot).

A mirror applies the feed in order: each result names its object by the public id (`key`: FIPS, postal code,
or the unique fields of a dated change), with the object's fields as they were after the change (for a delete,
as they were when deleted), and `changed_fields` compares each update with the history row just before it for
the same object, whatever the page size. A dated change also carries what the public answers say of it at that
row: `earlier_reports` (dates other sources gave before it was replaced) and `disputed`, by the read model's rule.
"""

import base64
import binascii
import datetime
import heapq
import json

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import Agreement, AgreementStatusChange, Event
from common import params
from common.api.conditional import ConditionalGetMixin
from common.api.throttling import AnonThrottle
from common.dates import us_today
from common.renderers import JSONRenderer
from jurisdictions.models import Confidence, Jurisdiction, Source, State, StatusChange
from readmodel.rowdata import replaced_reports, walk_versions

HISTORY_MODELS = {
    "source": Source,
    "state": State,
    "jurisdiction": Jurisdiction,
    "status_change": StatusChange,
    "agreement": Agreement,
    "agreement_status_change": AgreementStatusChange,
    "event": Event,
}
# The public id of each kind: what a mirror matches a change on (the primary key where it is public).
PUBLIC_KEYS = {
    "source": ("id", "key", "url"),
    "state": ("postal",),
    "jurisdiction": ("fips",),
    "status_change": ("jurisdiction", "effective_on", "status"),
    "agreement": ("id", "state"),
    "agreement_status_change": ("agreement", "effective_on", "status"),
    "event": ("id",),
}

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


def _status_readings(records, previous) -> dict[int, list]:
    """{history id: earlier reports} of dated-change history rows, as the read model reads them
    (readmodel/rowdata.py `walk_versions`, `replaced_reports`) at that row: one query over those changes' history."""
    wanted = [record for record in [*records, *previous] if isinstance(record, StatusChange.history.model)]
    if not wanted:
        return {}
    history = (
        StatusChange.history.filter(
            id__in={record.id for record in wanted}, history_id__lte=max(record.history_id for record in wanted)
        )
        .order_by("history_id")
        .values_list(
            "id", "effective_on", "source_id", "history_date", "history_type", "history_change_reason", "history_id"
        )
    )
    ids = {record.history_id for record in wanted}
    return {
        history_id: [
            {"date": day.isoformat(), "source": source_id, "replaced_on": us_today(replaced_at).isoformat()}
            for day, source_id, replaced_at in replaced_reports(kept)
        ]
        for _, history_id, kept in walk_versions(history)
        if history_id in ids
    }


def _reading(record, readings) -> dict:
    """What an answer says of a dated change besides its fields: its earlier reports and whether it is disputed
    (jurisdictions/asof.py), as of this history row."""
    reports = readings.get(record.history_id, [])
    return {"earlier_reports": reports, "disputed": record.confidence == Confidence.DISPUTED or bool(reports)}


class ChangesView(ConditionalGetMixin, APIView):
    """Every create, update and delete since a cursor, oldest first, from the edit history.

    The cursor holds, per kind of object, the last history row already returned, so a row committed late is
    never skipped. Start without ``since``; then pass the ``next`` you were given until ``more`` is false.
    """

    renderer_classes = [JSONRenderer]
    throttle_classes = [AnonThrottle]
    answers_releases = False
    own_params = {
        "since": params.Text(max_length=1000),
        "limit": params.Number(low=1, high=CHANGES_LIMIT, default=CHANGES_LIMIT),
    }

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
        positions = decode_cursor(self.params["since"])
        limit = self.params["limit"]

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
        readings = _status_readings([item[3] for item in page if item[1] == "status_change"], previous.values())
        for history_date, kind, history_id, record in page:
            model = HISTORY_MODELS[kind]
            fields = [field for field in model._meta.concrete_fields]
            values = {**_field_values(record, fields), **related.get((kind, history_id), {})}
            if kind == "status_change":
                values.update(_reading(record, readings))
            action = _ACTIONS[record.history_type]
            if action == "update":
                before = previous.get((kind, history_id))
                old = {}
                if before is not None:
                    old = {**_field_values(before, fields), **related.get((kind, before.history_id), {})}
                    if kind == "status_change":
                        old.update(_reading(before, readings))
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
                    "key": {name: values.get(name) for name in PUBLIC_KEYS[kind]},
                    "action": action,
                    "time": history_date.isoformat(),
                    "changed_fields": sorted(changed),
                    "fields": values,
                    "url": url,
                }
            )
            new_positions[kind] = history_id
        return Response({"next": encode_cursor(new_positions), "more": more, "results": results})

    def _previous_records(self, page) -> dict:
        """For each update on the page, the history row just before it for the same object (one query a kind).

        Reads every history row of those objects up to the page's last one, in order, once: the row before an
        update is the last one seen for its object. (Adding the page's rows again, as an earlier version did,
        compared a row with itself whenever two updates of one object fell on the same page.)
        """
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
            rows = model.history.filter(**{f"{pk}__in": ids, "history_id__lte": top}).order_by("history_id")
            wanted = {record.history_id for record in records}
            last_seen: dict = {}
            for row in rows:
                key = getattr(row, pk)
                if row.history_id in wanted and key in last_seen:
                    previous[(kind, row.history_id)] = last_seen[key]
                last_seen[key] = row
        return previous
