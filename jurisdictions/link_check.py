"""Checking every source's address: does it still answer? For editors, who decide what to do about a dead link.

Each address is asked once (HEAD, then GET where a server refuses HEAD), with a timeout, and no faster than a
bounded rate over the whole run, so a check never hammers a publisher. Nothing public changes: the outcome goes to
`LinkCheck` (editors' notes, outside the data version) and to the command's output. The HTTP client is the standard
library's urllib: one request at a time needs nothing more.
"""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.utils import timezone

from jurisdictions.archive import LinkCheck
from jurisdictions.models import Source

USER_AGENT = "scomm-tracker link check (+/about/)"


@dataclass(frozen=True)
class Outcome:
    source: Source
    alive: bool
    status_code: int | None
    error: str

    @property
    def said(self) -> str:
        return str(self.status_code) if self.status_code is not None else self.error


def _ask(url: str, timeout: float) -> tuple[int | None, str]:
    """(status, error) of one address: the status of HEAD, or of GET where HEAD is refused."""
    status = None
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, below
                return response.status, ""
        except urllib.error.HTTPError as error:
            status = error.code
            if error.code not in (405, 501):
                return status, ""
        except TimeoutError:
            return None, "timed out"
        except urllib.error.URLError as error:
            reason = error.reason
            return None, "timed out" if isinstance(reason, TimeoutError) else str(reason)[:300]
        except OSError as error:
            return None, str(error)[:300]
    return status, ""


def sources_check_links(*, timeout: float, per_second: float, ids=None, sleep=time.sleep) -> list[Outcome]:
    """Ask every source's address (or those of `ids`) at most `per_second` times a second in all; record each
    outcome in LinkCheck and return them. Sources and every public row stay as they are."""
    sources = Source.objects.exclude(url="").order_by("pk")
    if ids:
        sources = sources.filter(pk__in=ids)
    gap = 1 / per_second
    outcomes = []
    last = None
    for source in sources:
        if not source.url.lower().startswith(("http://", "https://")):
            outcome = Outcome(source, False, None, "not an http(s) address")
        else:
            if last is not None:
                sleep(max(0.0, last + gap - time.monotonic()))
            last = time.monotonic()
            status, error = _ask(source.url, timeout)
            outcome = Outcome(source, status is not None and status < 400, status, error)
        LinkCheck.objects.update_or_create(
            source=source,
            defaults={
                "checked_at": timezone.now(),
                "alive": outcome.alive,
                "status_code": outcome.status_code,
                "error": outcome.error,
            },
        )
        outcomes.append(outcome)
    return outcomes
