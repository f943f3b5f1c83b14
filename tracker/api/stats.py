"""`/api/v1/stats/`: headline numbers on any date, per status and per state, with the program's own state."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.conditional import ConditionalGetMixin
from common.api.errors import AS_OF_PARAMETER
from common.api.throttling import AnonThrottle
from common.renderers import JSONRenderer
from jurisdictions.models import Status
from jurisdictions.serializers import ProgramStatusSerializer, links_for, program_status


def stats_on(snapshot, day) -> dict:
    """The stats answer for `day` without links: counted units per status, per state, and in total."""
    per_state = snapshot.state_counts(day)
    by_status = dict.fromkeys(Status.values, 0)
    by_state = []
    for postal, counts in per_state.items():
        for status, n in counts.by_status.items():
            by_status[status] += n
        by_state.append({"state": postal, "name": counts.state.name, **counts.by_status, "total": counts.total})
    return {
        "as_of": day.isoformat(),
        "activated_jurisdictions": by_status[Status.ACTIVATED],
        "states_with_activated_jurisdictions": sum(1 for counts in per_state.values() if counts.activated),
        "total_jurisdictions": sum(by_status.values()),
        "total_states": len(per_state),
        "by_status": by_status,
        "by_state": by_state,
    }


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
                "program_status": ProgramStatusSerializer(),
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
        body = stats_on(self.snapshot, self.day)
        context = {"request": request, "snapshot": self.snapshot}
        state_url = links_for(context, "api:state-detail")
        by_state = [{**row, "url": state_url(row["state"])} for row in body["by_state"]]
        program = program_status(self.snapshot.program_status(self.day), context)
        return Response({"as_of": body["as_of"], "program_status": program, **body, "by_state": by_state})
