"""`/api/v1/`: the human API docs page for browsers, a JSON map of the endpoints for programs."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from agreements.models import AgreementStatus
from common import reading
from common.dates import us_today
from jurisdictions.models import Status
from releases import store


def _status_labels() -> list[tuple[str, str, str, str]]:
    """(kind, code, English label, Spanish label) of every status code the API answers with."""
    rows = []
    for kind, choices in (("jurisdiction", Status), ("agreement", AgreementStatus)):
        for code in choices.values:
            with translation.override("en"):
                english = str(choices(code).label)
            with translation.override("es"):
                spanish = str(choices(code).label)
            rows.append((kind, code, english, spanish))
    return rows


def _unit_counts() -> dict:
    """The numbers the page says about the unit set, from the current snapshot (never typed into the page)."""
    snapshot = reading.current()
    return {
        "counted": len(snapshot.counted),
        "on_map": len(snapshot.scopes["on_map"]),
        "successors": sum(1 for unit in snapshot.units.values() if unit.status_from_id),
    }


def api_index(request):
    """The human API page for browsers; a JSON map of the endpoints for programs: chosen by Accept, so both say
    `Vary: Accept` (a shared cache keeps one per Accept header)."""
    response = _api_index(request)
    patch_vary_headers(response, ("Accept",))
    return response


def _api_index(request):
    accept = request.headers.get("Accept", "")
    endpoints = {
        name: request.build_absolute_uri(reverse(f"api:{name}-list"))
        for name in ("jurisdiction", "state", "agreement", "source", "event")
    }
    endpoints["stats"] = request.build_absolute_uri(reverse("api:stats"))
    endpoints["changes"] = request.build_absolute_uri(reverse("api:changes"))
    endpoints["schema"] = request.build_absolute_uri(reverse("api:schema"))
    endpoints["releases"] = request.build_absolute_uri(reverse("api:release-list"))
    if "text/html" in accept or request.GET.get("format") == "html":
        # The Cite box (base.html) names the newest release.
        request.latest_release, _ = store.latest()
        request.release, request.as_of, request.day = None, None, us_today()
        return render(
            request,
            "api/index.html",
            {
                "endpoints": endpoints,
                "base": request.build_absolute_uri(reverse("api:index")),
                # The API's codes stay English; the pages show these labels (in both languages on the docs page).
                "status_labels": _status_labels(),
                "site": f"{request.scheme}://{request.get_host()}",
                "units": _unit_counts(),
            },
        )
    return JsonResponse(endpoints)
