"""`/api/v1/`: the human API docs page for browsers, a JSON map of the endpoints for programs."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from releases import store
from tracker.dates import us_today


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
                "site": f"{request.scheme}://{request.get_host()}",
            },
        )
    return JsonResponse(endpoints)
