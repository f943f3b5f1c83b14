"""What the matcher reads and answers: places, states, search results and import resolutions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

# --- records -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """One county or county-equivalent, as the matcher needs it.

    kind: county, parish, borough, city_and_borough, census_area, city (independent city), municipality, district
    (jurisdictions.models.Kind values). status_from: the unit whose history a unit on today's map reads (46102 ->
    "46113"), or "". replaced_by: the units that took a retired unit's place. change_note: what changed, in words.
    """

    fips: str
    name: str
    kind: str
    state_postal: str
    state_name: str
    state_fips: str
    on_current_map: bool = True
    in_dataset: bool = True
    status_from: str = ""
    replaced_by: tuple[str, ...] = ()
    change_note: str = ""
    change_note_es: str = ""

    @property
    def label(self) -> str:
        """ "Harris County, TX (48201)": how errors and suggestions name it."""
        return f"{self.name}, {self.state_postal} ({self.fips})"

    @classmethod
    def from_record(cls, unit, replaced_by: Iterable[str] = ()) -> Place:
        """A Place from any object shaped like a Jurisdiction row: fips, name, kind, state (postal, name, fips),
        on_current_map, in_dataset, status_from_id, change_note, change_note_es. Duck-typed, so this module imports no
        model; `replaced_by` is passed in because following that relation may cost a query."""
        return cls(
            fips=unit.fips,
            name=unit.name,
            kind=str(unit.kind),
            state_postal=unit.state.postal,
            state_name=unit.state.name,
            state_fips=unit.state.fips,
            on_current_map=unit.on_current_map,
            in_dataset=unit.in_dataset,
            status_from=unit.status_from_id or "",
            replaced_by=tuple(replaced_by),
            change_note=unit.change_note,
            change_note_es=getattr(unit, "change_note_es", ""),
        )


class Why(NamedTuple):
    """Why a unit is in a search's results. by: NAME (its own name), ALIAS (another name for it: "nyc", a Spanish
    name), PLACE (a city, town or community in it: `name`, `state`), ZIP (a ZIP code filed under it, or reaching
    into it when `rank` > 0: `code`, its city `name`, `state`), FIPS (its code), PERIOD (the 2008-2013 unit that
    today's `name` (`code`) was recorded under), TODAY (today's unit `name` (`code`) for a retired one), LATER (the
    period's unit for a later code or name: `name`, `code`), STATE (a unit of the state the query names), PARTIAL
    (its name starts with or contains the query)."""

    by: str
    name: str = ""
    state: str = ""
    code: str = ""
    rank: int = 0


NAME, ALIAS, PLACE, ZIP, FIPS, PERIOD, TODAY, LATER, STATE, PARTIAL = (
    "name", "alias", "place", "zip", "fips", "period", "today", "later", "state", "partial"
)  # fmt: skip


class StateRef(NamedTuple):
    postal: str
    fips: str
    name: str


@dataclass(frozen=True, slots=True)
class Result:
    """What a query finds. Every field is a tuple (immutable: results are cached and shared between threads).

    places: best first; the first `exact` of them match the query exactly (the rest start with it, or contain it,
    or, for a query that is just a state, are that state's units). states: the states the query names or starts
    ("texas", "tx", "new" -> NH, NJ, NM, NY). did_you_mean: closest names, only when `places` is empty. notes:
    sentences to show beside the results (a later FIPS code explained, a renamed unit, a state agency, ...).
    """

    places: tuple[Place, ...] = ()
    states: tuple[StateRef, ...] = ()
    did_you_mean: tuple[Place, ...] = ()
    notes: tuple[str, ...] = ()
    exact: int = 0
    why: tuple[Why, ...] = ()
    did_you_mean_why: tuple[Why, ...] = ()

    @property
    def fips(self) -> list[str]:
        return [place.fips for place in self.places]

    def reasons(self) -> dict[str, Why]:
        """FIPS code -> why that unit is in the results (PARTIAL where no better reason was recorded)."""
        return {place.fips: why for place, why in zip(self.places, self.why, strict=False)} | {
            place.fips: Why(PARTIAL) for place in self.places[len(self.why) :]
        }

    def limited(self, limit: int) -> Result:
        """The same answer with at most `limit` places."""
        if len(self.places) <= limit:
            return self
        return Result(
            self.places[:limit], self.states, self.did_you_mean, self.notes, min(self.exact, limit),
            self.why[:limit], self.did_you_mean_why,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Resolution:
    """What one import row means: `place` (as the row names it: 46102 stays 46102; follow `status_from` for the
    unit whose history to write), or `error` (a sentence for the editor) with `suggestions`: the candidates of an
    ambiguous name, the period's units of a later code, or the closest names."""

    place: Place | None = None
    error: str = ""
    suggestions: tuple[Place, ...] = ()


@dataclass(frozen=True, slots=True)
class _Later:
    """A unit on a map later than the tracker's (a code it does not hold) and the period units that cover it."""

    fips: str
    name: str
    kind: str
    state: str
    covers: tuple[str, ...]
    note: str
