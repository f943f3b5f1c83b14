"""`/api/v1/releases/` and `/api/v1/releases/r<N>/`: the published releases, newest first."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from common.api.pagination import TrackerPagination
from common.api.throttling import AnonThrottle
from common.renderers import JSONRenderer
from releases import store
from releases.models import Release
from releases.serializers import ReleaseDetailSerializer, ReleaseSerializer


@extend_schema_view(
    list=extend_schema(description="Every published release, newest first: id, note, time, counts and files."),
    retrieve=extend_schema(description="One release: its manifest, its files' permanent addresses and its changelog."),
)
class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Numbered, immutable releases of the whole dataset (ask any answer for one with `release=rN`)."""

    serializer_class = ReleaseSerializer
    renderer_classes = [JSONRenderer]
    pagination_class = TrackerPagination
    throttle_classes = [AnonThrottle]
    lookup_field = "number"
    lookup_value_regex = "r[1-9][0-9]{0,8}"
    queryset = Release.objects.order_by("-number")

    def get_serializer_class(self):
        return ReleaseDetailSerializer if self.action == "retrieve" else ReleaseSerializer

    def retrieve(self, request, *args, **kwargs):
        number = int(kwargs["number"][1:])
        release = Release.objects.filter(number=number).first()
        if release is None:
            raise Http404(_("There is no release r%(number)s.") % {"number": number})
        context = {**self.get_serializer_context(), "changelog": store.changelog(release)}
        response = Response(ReleaseDetailSerializer(release, context=context).data)
        response["Cache-Control"] = "public, max-age=60"
        return response
