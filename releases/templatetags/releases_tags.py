"""`{% cite_box %}` and `{% release_banner %}`: the release parts of every public page (included by base.html)."""

from django import template

from common.dates import real_today
from releases.citation import accessed_placeholder, cite

register = template.Library()


def latest_release(request):
    """The newest release as the request knows it: the one asked for, or the current snapshot's latest."""
    if getattr(request, "release", None) is not None:
        return request.release
    snapshot = getattr(request, "snapshot", None)
    return getattr(snapshot, "latest_release", None) or getattr(request, "latest_release", None)


def _fixed(request) -> bool:
    """Whether the page's bytes must never change (a release answer, a release's own page): then the Cite box leaves
    the access date to the reader's browser."""
    return getattr(request, "release", None) is not None or getattr(request, "cite_without_date", False)


@register.inclusion_tag("releases/_cite_box.html", takes_context=True)
def cite_box(context, path=None):
    request = context.get("request")
    pinned = latest_release(request) if request is not None else None
    if pinned is None:
        return {"citation": None}
    day = getattr(request, "day", None) or pinned.day
    citation = cite(
        request,
        release_id=pinned.public_id,
        published=pinned.day,
        title=str(context.get("page_title") or ""),
        day=day,
        # A release answer's bytes never change: the reader's browser writes today's date (static/js/cite.js).
        accessed=None if _fixed(request) else real_today(),
        path=path,
    )
    snapshot = getattr(request, "snapshot", None)
    # The live data moved after the cited release was published (a release itself moves it by one).
    changed_since = (
        getattr(request, "release", None) is None
        and snapshot is not None
        and getattr(snapshot, "latest_release_version", None) is not None
        and snapshot.version.number > snapshot.latest_release_version
    )
    return {
        "citation": citation,
        "asked": getattr(request, "release", None) is not None,
        "changed_since": changed_since,
        "placeholder": accessed_placeholder(),
    }


@register.inclusion_tag("releases/_banner.html", takes_context=True)
def release_banner(context):
    request = context.get("request")
    release = getattr(request, "release", None) if request is not None else None
    if release is None:
        return {"release": None}
    query = request.reading.query(drop=("release",)) if hasattr(request, "reading") else ""
    current = request.path + (f"?{query}" if query else "")
    return {"release": release, "current_url": current, "as_of": getattr(request, "as_of", None)}
