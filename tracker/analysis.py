"""`/downloads/scomm.xlsx`, `scomm.sqlite`, `metadata.json` and `datapackage.json`: the files for analysis of any
day (`as_of`) and any release (`release=rN`), built by releases/analysis.py from the read model.

Building them costs about a second, so each day's files are kept with the snapshot (a bounded few days) and each
build counts against the client's allowance for full downloads (API_BULK_RATE), as the API's CSV does.
"""

import re

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

from common.allowances import SharedRateThrottle
from common.public import public_page
from common.reading import Choice
from releases import analysis, analysis_package

FILES = {
    analysis_package.XLSX_FILE: analysis_package.XLSX_TYPE,
    analysis_package.SQLITE_FILE: analysis_package.SQLITE_TYPE,
    analysis_package.METADATA_FILE: "application/json",
    analysis_package.DATAPACKAGE_FILE: "application/json",
}
# The route's pattern (tracker/urls.py): only these names, so /downloads/rollout.png and the page stay theirs.
NAMES = "|".join(re.escape(name) for name in FILES)


class _BuildThrottle(SharedRateThrottle):
    """The full-downloads allowance (API_BULK_RATE), counted where every worker and server counts it."""

    scope = "bulk"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


@public_page
def analysis_file(request, name: str):
    if name not in FILES:
        raise Http404(_("There is no download of that name."))
    site = f"{request.scheme}://{request.get_host()}"
    kept = request.snapshot.encoded(("analysis", request.day, site, request.reading.canonical))
    files = kept.get("files")
    if files is None:
        throttle = _BuildThrottle()
        if not throttle.allow_request(request, None):
            response = HttpResponse(
                _("Too many downloads from this address; try again shortly."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(max(1, int(throttle.wait() or 1)))
            return response
        query = {}
        if request.as_of:
            query["as_of"] = request.as_of.isoformat()
        if request.release:
            query["release"] = request.release.public_id
        caller = analysis.Caller(
            Choice(request.snapshot, request.release), host=request.get_host(), secure=request.is_secure(), query=query
        )
        files = kept["files"] = analysis.live_files(caller, request.day)
    response = HttpResponse(files[name], content_type=FILES[name])
    filename = analysis.saved_name(name, request.day, request.release)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
