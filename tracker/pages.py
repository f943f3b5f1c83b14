"""Site-wide pages: about (method, sources, disputed dates, historical units) and downloads."""

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from tracker.public import public_page


@public_page
def about(request):
    """Method, sources and their limits, the disputed dates and the historical units (from the snapshot)."""
    snapshot = request.snapshot
    disputed = [
        (unit, change)
        for unit in snapshot.ordered_units
        if not unit.status_from_id
        for change in snapshot.timelines[unit.fips]
        if change.is_disputed
    ]
    historical = sorted(
        (unit for unit in snapshot.units.values() if unit.change_note), key=lambda unit: (unit.state.name, unit.fips)
    )
    return render(request, "tracker/about.html", {"disputed": disputed, "historical": historical})


@public_page
def downloads(request):
    """Bulk files (the API's exports), a data dictionary, licence and citation, and the schema.org Dataset."""
    return render(request, "tracker/downloads.html", {"today": request.day, "dataset_ld": _dataset_ld(request)})


# Characters that could end a <script> element or start markup, escaped inside JSON (as Django's json_script does).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _dataset_ld(request) -> str:
    """JSON-LD for search engines' dataset search (schema.org/Dataset): what the data is, its files and terms."""
    site = f"{request.scheme}://{request.get_host()}"
    snapshot = request.snapshot
    files = [
        ("CSV", "text/csv", "/api/v1/jurisdictions/?format=csv"),
        ("NDJSON", "application/x-ndjson", "/api/v1/jurisdictions/?format=ndjson"),
        ("GeoJSON", "application/geo+json", "/api/v1/jurisdictions/?format=geojson"),
    ]
    dataset = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": gettext("Secure Communities activations and state agreements, 2008-2013"),
        "description": gettext(
            "When ICE's Secure Communities program was activated in each of the 3,143 US counties and "
            "county-equivalents (2008-2013), the state memoranda of agreement and their fate, and the program's "
            "nationwide events, each fact with its source."
        ),
        "inLanguage": translation.get_language(),
        "url": site + reverse("downloads"),
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "temporalCoverage": "2008-10-27/2013-01-22",
        "spatialCoverage": "United States",
        "dateModified": snapshot.version.changed_at.date().isoformat() if snapshot.version.changed_at else None,
        "variableMeasured": ["fips", "status", "activated_on", "agreement status"],
        "distribution": [
            {"@type": "DataDownload", "name": name, "encodingFormat": media, "contentUrl": site + path}
            for name, media, path in files
        ],
    }
    return mark_safe(json.dumps(dataset, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
