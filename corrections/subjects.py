"""What a report is about: one of the site's record pages, named by its public path.

A report names the page it was sent from (`/jurisdictions/48201/`, `/states/TX/`, `/agreements/#agreement-3`,
`/about/`); `parse_page` turns that into a kind and a public key, or refuses it with a message a reader can act on.
The reader may paste a full address: only its path (and, on the agreements page, an agreement's anchor) is kept.
"""

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement
from jurisdictions.models import Jurisdiction, State

# Longer than any record page's address, even pasted with a host name.
MAX_PAGE_LENGTH = 500


class SubjectKind(models.TextChoices):
    JURISDICTION = "jurisdiction", "Jurisdiction"
    STATE = "state", "State"
    AGREEMENTS = "agreements", "Agreements page"
    ABOUT = "about", "About page"


# The key's format for each kind; the model's check constraint says the same in SQL.
KEY_FORMATS = {
    SubjectKind.JURISDICTION: r"^[0-9]{5}$",
    SubjectKind.STATE: r"^[A-Z]{2}$",
    SubjectKind.AGREEMENTS: r"^(agreement-[0-9]{1,9})?$",
    SubjectKind.ABOUT: r"^$",
}

_PATHS = [
    (SubjectKind.JURISDICTION, re.compile(r"/jurisdictions/(?P<key>[0-9]{5})/")),
    (SubjectKind.STATE, re.compile(r"/states/(?P<key>[A-Za-z]{2})/")),
    (SubjectKind.AGREEMENTS, re.compile(r"/agreements/")),
    (SubjectKind.ABOUT, re.compile(r"/about/")),
]
_AGREEMENT_ANCHOR = re.compile(r"agreement-(?P<pk>[0-9]{1,9})")

UNKNOWN_PAGE = gettext_lazy(
    "“%(value)s” is not a page a report can be about. Use the address of a jurisdiction’s page "
    "(e.g. /jurisdictions/48201/), a state’s page (e.g. /states/TX/), /agreements/ or /about/."
)
# The Spanish pages' prefix (tracker/urls.py): a report sent from /es/states/TX/ is about /states/TX/.
_SPANISH_PREFIX = re.compile(r"^/es(?=/)")


class Subject(NamedTuple):
    """A record page: its kind, its public key ('' for the agreements and about pages) and its path."""

    kind: str
    key: str

    @property
    def path(self) -> str:
        return subject_path(self.kind, self.key)


def subject_path(kind: str, key: str) -> str:
    """The public address of a record page (with the agreement's anchor on the agreements page)."""
    if kind == SubjectKind.JURISDICTION:
        return f"/jurisdictions/{key}/"
    if kind == SubjectKind.STATE:
        return f"/states/{key}/"
    if kind == SubjectKind.AGREEMENTS:
        return f"/agreements/#{key}" if key else "/agreements/"
    return "/about/"


def _shown(value: str) -> str:
    """The value as an error message repeats it: short (templates escape it)."""
    return value if len(value) <= 80 else value[:79] + "…"


def parse_page(value: str, *, check_exists: bool = True) -> Subject:
    """The record page `value` names (a path or a full address), or a ValidationError that says what is wrong.

    The record must exist: a well-formed address of a unit or state that is not in the tracker is refused too
    (`check_exists=False` skips that query, for a path that was checked when it was stored).
    """
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Say which page the report is about."), code="required")
    if len(value) > MAX_PAGE_LENGTH or "\x00" in value:
        raise ValidationError(UNKNOWN_PAGE, code="unknown_page", params={"value": _shown(value)})
    parts = urlsplit(value)
    if parts.scheme not in ("", "http", "https") or (parts.scheme and not parts.netloc):
        raise ValidationError(UNKNOWN_PAGE, code="unknown_page", params={"value": _shown(value)})
    path = _SPANISH_PREFIX.sub("", unquote(parts.path))
    for kind, pattern in _PATHS:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        key = match.groupdict().get("key", "") or ""
        if kind == SubjectKind.STATE:
            key = key.upper()
        elif kind == SubjectKind.AGREEMENTS:
            # Only an agreement's own anchor names a record; other anchors (#rescission) mean the page.
            anchor = _AGREEMENT_ANCHOR.fullmatch(parts.fragment)
            key = anchor.group(0) if anchor else ""
        subject = Subject(kind, key)
        if check_exists:
            _check_exists(subject)
        return subject
    raise ValidationError(UNKNOWN_PAGE, code="unknown_page", params={"value": _shown(value)})


def _check_exists(subject: Subject) -> None:
    if subject.kind == SubjectKind.JURISDICTION and not Jurisdiction.objects.filter(fips=subject.key).exists():
        raise ValidationError(
            _(
                "No jurisdiction in the tracker has the FIPS code %(key)s. If a county is missing, report it from its "
                "state’s page."
            ),
            code="no_record",
            params={"key": subject.key},
        )
    if subject.kind == SubjectKind.STATE and not State.objects.filter(postal=subject.key).exists():
        raise ValidationError(
            _("No state in the tracker has the postal code %(key)s."), code="no_record", params={"key": subject.key}
        )
    if subject.kind == SubjectKind.AGREEMENTS and subject.key:
        pk = int(subject.key.removeprefix("agreement-"))
        if not Agreement.objects.filter(pk=pk).exists():
            raise ValidationError(
                _("No agreement on the agreements page has the anchor #%(key)s."),
                code="no_record",
                params={"key": subject.key},
            )


def subject_labels(subjects) -> dict[tuple[str, str], str]:
    """A reader's name for each (kind, key): 'Harris County, TX (48201)', 'Texas', 'Agreements page: Illinois'.

    One query per kind that needs names (jurisdictions, states, agreements), whatever the number of subjects.
    """
    subjects = set(subjects)
    wanted = {kind: {key for k, key in subjects if k == kind and key} for kind in SubjectKind.values}
    units = {
        unit.fips: f"{unit.name}, {unit.state_id} ({unit.fips})"
        for unit in Jurisdiction.objects.filter(fips__in=wanted[SubjectKind.JURISDICTION]).only(
            "fips", "name", "state_id"
        )
    }
    states = dict(State.objects.filter(postal__in=wanted[SubjectKind.STATE]).values_list("postal", "name"))
    agreement_ids = {int(key.removeprefix("agreement-")) for key in wanted[SubjectKind.AGREEMENTS]}
    agreements = {
        f"agreement-{pk}": name
        for pk, name in Agreement.objects.filter(pk__in=agreement_ids).values_list("pk", "state__name")
    }
    labels = {}
    for kind, key in subjects:
        if kind == SubjectKind.JURISDICTION:
            labels[kind, key] = units.get(key, _("Jurisdiction %(key)s") % {"key": key})
        elif kind == SubjectKind.STATE:
            labels[kind, key] = states.get(key, _("State %(key)s") % {"key": key})
        elif kind == SubjectKind.AGREEMENTS:
            name = agreements.get(key)
            labels[kind, key] = _("State agreements: %(name)s") % {"name": name} if name else _("State agreements")
        else:
            labels[kind, key] = _("About this tracker")
    return labels
