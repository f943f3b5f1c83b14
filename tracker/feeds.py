"""Atom feeds for feed readers (Django's syndication framework), in English and under /es/ in Spanish:

- `/feeds/changes/`: the latest edits of dated facts nationwide (a unit's status change, an agreement's change of
  standing, an event), newest first; `/feeds/changes/<postal>/` the same for one state;
- `/feeds/corrections/`: the public corrections log.

Each entry links the record's page and, as a `related` link, the source it cites. The changes come from the edit
history (as the API's changes feed does: SQL, not the snapshot); names and sources from the read model. A fixed
number of queries per feed, whatever the history holds.
"""

import heapq

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements.models import AgreementStatus, AgreementStatusChange, Event
from common import reading
from common.public import over_allowance
from corrections.models import CorrectionReport
from corrections.subjects import parse_page, subject_labels
from jurisdictions.models import Status, StatusChange
from tracker.templatetags.languages import editors_text, local_path

ENTRIES = 50


class AtomWithSources(Atom1Feed):
    """Atom 1.0, each entry with `<link rel="related">` to its source when it cites one."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("source_link"):
            handler.addQuickElement(
                "link", "", {"rel": "related", "href": item["source_link"], "title": item["source_title"]}
            )


def _action(kind: str) -> str:
    return {"+": _("recorded"), "~": _("changed"), "-": _("removed")}[kind]


class _Entry:
    """One entry: what changed (title), where it is (link), the source it cites, when."""

    def __init__(self, *, key, title, link, text, source, at):
        self.key, self.title, self.link, self.text, self.source, self.at = key, title, link, text, source, at


class ChangesFeed(Feed):
    """The latest edits of dated facts: nationwide, or one state's (`postal`)."""

    feed_type = AtomWithSources

    def __call__(self, request, *args, **kwargs):
        # A feed is read from the database on every request (nothing in front keeps it in the embedded default):
        # counted against the client's allowance of computed answers (COMPUTED_RATE), a 429 beyond it.
        return over_allowance(request) or super().__call__(request, *args, **kwargs)

    def get_object(self, request, postal=None):
        self.request = request
        self.snapshot = reading.current()
        if postal is None:
            return None
        state = self.snapshot.states.get(postal.upper())
        if state is None:
            raise Http404(_("No state has that postal code."))
        return state

    def title(self, state):
        if state is None:
            return _("Secure Communities tracker: latest changes")
        return _("Secure Communities tracker: latest changes in %(state)s") % {"state": state.name}

    def link(self, state):
        return state.get_absolute_url() if state else reverse("home")

    def feed_url(self, state):
        return reverse("feed_state_changes", args=[state.postal]) if state else reverse("feed_changes")

    def subtitle(self, state):
        return _(
            "Dated facts as editors record, change or remove them: activations, agreements' changes of standing and "
            "events, each with its source."
        )

    def items(self, state):
        snapshot = self.snapshot
        units = StatusChange.history.all()
        agreements = AgreementStatusChange.history.all()
        events = Event.history.all()
        if state is not None:
            units = units.filter(
                jurisdiction_id__in=[u.fips for u in snapshot.units.values() if u.state_id == state.postal]
            )
            agreements = agreements.filter(
                agreement_id__in=[a.pk for a in snapshot.agreements_by_state.get(state.postal, [])]
            )
            events = events.filter(state_id=state.postal)
        # Newest first by the time of the edit (indexed), each list already in the order heapq.merge needs.
        newest = ("-history_date", "-history_id")
        found = [
            (self._unit_entry(row) for row in units.order_by(*newest)[:ENTRIES]),
            (self._agreement_entry(row) for row in agreements.order_by(*newest)[:ENTRIES]),
            (self._event_entry(row) for row in events.order_by(*newest)[:ENTRIES]),
        ]
        return list(heapq.merge(*found, key=lambda entry: entry.at, reverse=True))[:ENTRIES]

    def _source(self, source_id):
        return self.snapshot.sources.get(source_id) if source_id else None

    def _unit_entry(self, row) -> _Entry:
        unit = self.snapshot.units.get(row.jurisdiction_id)
        name = f"{unit.name}, {unit.state_id}" if unit else row.jurisdiction_id
        title = _("%(unit)s: %(status)s from %(date)s (%(action)s)") % {
            "unit": name,
            "status": Status(row.status).label.lower() if row.status in Status.values else row.status,
            "date": row.effective_on.isoformat(),
            "action": _action(row.history_type),
        }
        link = unit.get_absolute_url() if unit else reverse("home")
        return _Entry(
            key=f"status_change/{row.history_id}",
            title=title,
            link=link,
            text=editors_text(row, "note")[0],
            source=self._source(row.source_id),
            at=row.history_date,
        )

    def _agreement_entry(self, row) -> _Entry:
        agreement = self.snapshot.agreements_by_id.get(row.agreement_id)
        label = AgreementStatus(row.status).label if row.status in AgreementStatus.values else row.status
        if agreement:
            what = _("%(state)s agreement (%(party)s)") % {
                "state": agreement.state.name,
                "party": agreement.state_party,
            }
        else:
            what = _("Agreement %(id)s") % {"id": row.agreement_id}
        title = _("%(agreement)s: %(status)s from %(date)s (%(action)s)") % {
            "agreement": what,
            "status": str(label).lower(),
            "date": row.effective_on.isoformat(),
            "action": _action(row.history_type),
        }
        return _Entry(
            key=f"agreement_status_change/{row.history_id}",
            title=title,
            link=agreement.get_absolute_url() if agreement else reverse("agreements:agreement_list"),
            text=editors_text(row, "note")[0],
            source=self._source(row.source_id),
            at=row.history_date,
        )

    def _event_entry(self, row) -> _Entry:
        event = self.snapshot.events_by_id.get(row.id)
        sources = list(event.sources.all()) if event else []
        state = self.snapshot.states.get(row.state_id) if row.state_id else None
        text = editors_text(event, "summary")[0] if event else row.summary
        title = _("%(where)s, %(date)s: %(summary)s (%(action)s)") % {
            "where": state.name if state else _("Nationwide"),
            "date": row.occurred_on.isoformat(),
            "summary": text[:120],
            "action": _action(row.history_type),
        }
        return _Entry(
            key=f"event/{row.history_id}",
            title=title,
            link=state.get_absolute_url() if state else reverse("agreements:agreement_list"),
            text=text,
            source=sources[0] if sources else None,
            at=row.history_date,
        )

    # --- each entry ---

    def item_title(self, entry):
        return entry.title

    def item_link(self, entry):
        return entry.link

    def item_guid(self, entry):
        return f"tag:{self.request.get_host()},2026:{get_language()}/{entry.key}"

    def item_description(self, entry):
        if entry.source is None:
            return entry.text
        cited = _("Source: %(source)s") % {"source": entry.source.label}
        return f"{entry.text}\n\n{cited}" if entry.text else cited

    def item_updateddate(self, entry):
        return entry.at

    def item_pubdate(self, entry):
        return entry.at

    def item_extra_kwargs(self, entry):
        source = entry.source
        if source is None:
            return {}
        return {
            "source_link": source.url or self.request.build_absolute_uri("/about/#sources"),
            "source_title": source.label,
        }


class CorrectionsFeed(ChangesFeed):
    """The public corrections log: accepted reports, most recently resolved first."""

    def get_object(self, request):
        self.request = request
        self.snapshot = reading.current()
        return None

    def title(self, _obj):
        return _("Secure Communities tracker: corrections")

    def link(self, _obj):
        return reverse("corrections:log")

    def feed_url(self, _obj):
        return reverse("feed_corrections")

    def subtitle(self, _obj):
        return _("Corrections made after readers' reports, each with its date and source.")

    def items(self, _obj):
        reports = list(CorrectionReport.objects.accepted()[:ENTRIES])
        records = {report.pk: parse_page(report.record_path, check_exists=False) for report in reports}
        labels = subject_labels(records.values())
        return [
            _Entry(
                key=f"correction/{report.pk}",
                title=_("Corrected: %(record)s") % {"record": labels[records[report.pk]]},
                link=local_path(report.record_path),
                text=editors_text(report, "resolution_note")[0],
                source=report.source,
                at=report.resolved_at,
            )
            for report in reports
        ]
