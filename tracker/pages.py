"""Site-wide pages: about (method, sources, disputed dates, historical units) and downloads."""

import datetime
import json
from collections import Counter

from django.contrib.humanize.templatetags.humanize import intcomma
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from common.public import public_page
from jurisdictions import unit_set
from tracker import pictures
from tracker.api.stats import stats_on


@public_page
def about(request):
    """Method, sources and their limits, the disputed dates, the source's codes and the historical units, every
    number computed from the snapshot."""
    snapshot = request.snapshot
    disputed = []
    for unit in snapshot.ordered_units:
        if unit.status_from_id:
            continue
        for change in snapshot.timelines[unit.fips]:
            others = [change.alternative_date] if change.is_disputed else []
            others += [report.effective_on for report in change.earlier_reports if report.effective_on not in others]
            if others:
                disputed.append((unit, change, others))
    historical = sorted(
        (unit for unit in snapshot.units.values() if unit.change_note), key=lambda unit: (unit.state.name, unit.fips)
    )
    context = {
        "disputed": disputed,
        "historical": historical,
        "units": unit_set.unit_set(snapshot),
        "census_changes_url": unit_set.CENSUS_CHANGES_URL,
        "events_count": len(snapshot.events),
        # The cross-check with ICE's count of 30 September 2010 (SOURCES.md), from the data as they are now.
        "check": stats_on(snapshot, ICE_CHECK_DAY),
        "dated_agreements": _dated_agreements(snapshot),
    }
    return render(request, "tracker/about.html", context)


# ICE reported 658 jurisdictions in 32 states on this day (SOURCES.md, "Cross-checks").
ICE_CHECK_DAY = datetime.date(2010, 9, 30)


def _dated_agreements(snapshot) -> dict:
    """The agreements (and refusals) with a sourced date: how many, and their states ("NY (2)" for two)."""
    signed = Counter(a.state_id for a in snapshot.agreements if a.signed_on and not a.was_refused)
    refused = [a.state_id for a in snapshot.agreements if a.was_refused]
    return {
        "count": sum(signed.values()) + len(refused),
        "signed": ", ".join(postal if n == 1 else f"{postal} ({n})" for postal, n in signed.items()),
        "refused": ", ".join(refused),
    }


@public_page
def downloads(request):
    """Bulk files (the API's exports), a data dictionary, licence and citation, and the schema.org Dataset."""
    snapshot = request.snapshot
    units = unit_set.unit_set(snapshot)
    context = {
        "today": request.day,
        "dataset_ld": _dataset_ld(request, units.total),
        "units": units,
        "census_changes_url": unit_set.CENSUS_CHANGES_URL,
        # What the GeoJSON download holds (jurisdictions/api.py): the units with a shape, the others listed.
        "shapes": len(snapshot.scopes["on_map"]),
        "without_shape": sum(1 for unit in snapshot.scopes["off_map"] if unit.in_dataset),
        "rollout_credit": pictures.rollout_credit(),
    }
    return render(request, "tracker/downloads.html", context)


# Characters that could end a <script> element or start markup, escaped inside JSON (as Django's json_script does).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _dataset_ld(request, total: int) -> str:
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
            "When ICE's Secure Communities program was activated in each of the %(total)s US counties and "
            "county-equivalents (2008-2013), the state memoranda of agreement and their fate, and the program's "
            "nationwide events, each fact with its source."
        )
        % {"total": intcomma(total)},
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
