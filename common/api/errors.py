"""Every API error is JSON: `{"errors": {"<parameter>": ["reason"]}}` for bad input, `{"detail": ...}` else."""

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.views import exception_handler

from common.dates import BadDate, parse_day


def api_exception_handler(exc, context):
    """DRF's handler, with validation errors wrapped in `{"errors": ...}` and a bad date named as `as_of`."""
    if isinstance(exc, BadDate):
        exc = ValidationError({"as_of": [str(exc)]})
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, NotAcceptable):
        response.data = {"errors": _not_acceptable(context)}
    if response is not None and isinstance(exc, ValidationError):
        detail = response.data
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
        response.data = {"errors": detail}
    return response


def _not_acceptable(context) -> dict:
    """A 406 in the error shape, naming the formats this address does offer (by the parameter or header used)."""
    view, request = context.get("view"), context.get("request")
    offered = ", ".join(renderer.format for renderer in view.get_renderers()) if view is not None else "json"
    parameter = "format" if request is not None and request.query_params.get("format") else "accept"
    message = f"This address answers in {offered} only."
    if getattr(view, "action", None) == "retrieve":
        message += " CSV, NDJSON and GeoJSON hold whole lists: ask a list for them (?format=csv)."
    return {parameter: [message]}


def day_param(request, name: str = "as_of") -> datetime.date | None:
    """A date query parameter, validated by `parse_day`; a bad value is a 400 naming the parameter."""
    try:
        return parse_day(request.query_params.get(name), name=name)
    except BadDate as error:
        raise ValidationError({name: [str(error)]}) from None


AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Answer as it stood on this date (YYYY-MM-DD, 2008-01-01 to today in the US). Default: today.",
)

RELEASE_PARAMETER = OpenApiParameter(
    "release",
    OpenApiTypes.STR,
    description="Answer from a numbered data release (r1, r2, ...; see releases/): the same bytes next year. "
    "Without as_of, the answer is for the day the release was published. 404 for a release that does not exist.",
    pattern="^r[1-9][0-9]{0,8}$",
)
