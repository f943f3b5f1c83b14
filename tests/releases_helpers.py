"""Shared by the tests of numbered releases (tests/test_releases_*.py): a release file's stored bytes, a
response's bytes, and one real edit of public data."""

import datetime

from jurisdictions.models import StatusChange
from releases.models import ReleaseFile


def stored_bytes(number: int, name: str) -> bytes:
    """A release file's bytes as the database holds them."""
    return bytes(ReleaseFile.objects.get(release__number=number, name=name).content)


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def edit_public_data(number: int) -> None:
    """One real edit of public data (each moves the data version)."""
    harris = StatusChange.objects.get(jurisdiction="48201")
    harris.effective_on = datetime.date(2009, 1, 1) + datetime.timedelta(days=number)
    harris.save()
