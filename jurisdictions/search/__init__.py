"""The one name normalizer and matcher: the list page, the API's `q`, the lookup suggestions and the importer.

People type county names the way they say them, and published lists spell them the way their clerks did:
"st louis", "Saint Louis", "ST. LOUIS CO.", "prince georges", "obrien", "lasalle", "Du Page", "harris tx",
"Harris Co. Sheriff's Office", "nyc", "brooklyn", "dc", "46102". `Matcher` reads all of them.

It is pure: it imports no Django model and works over plain records (`Place`, and the states as
(postal, fips, name)), so the read side can build one per data version from its snapshot, the importer from the
database, and the tests from the fixture files.

    matcher = Matcher(places, states)               # ~3,150 places: tens of ms; read-only afterwards
    result = matcher.search("harris tx", limit=10)  # Result: places (best first), states, did_you_mean, notes
    resolution = matcher.resolve("VA", "Richmond", "")  # Resolution: one place, or an error naming the candidates

A Matcher is never changed after it is built (its only moving part is an `functools.lru_cache`, which is
thread-safe), so one instance can serve every thread of a process.

How a query is read (`Matcher.search`):
1. Folded (`fold`): lower case, accents removed, apostrophes dropped ("O'Brien" -> "obrien"), other punctuation
   as spaces, "St."/"Ste."/"Saint" as "saint", "Ft." as "fort". A parenthesis that is not a state is dropped
   ("Kings County (Brooklyn)").
2. A trailing state name, postal code or AP abbreviation is taken as the state ("harris tx",
   "st louis missouri", "Harris County, Tex."), unless nothing would be left, or nothing in that state matches
   (then the words are read as part of the name: "harris co" is Harris County, not Harris in Colorado).
3. Agency forms and kind words are peeled off the end, one at a time, each step a "reading":
   "harris co sheriffs office" -> "harris co" -> "harris" (kind: county). "... Police Department" says an
   independent city; "<state> Department of Corrections" (and the like) is a state agency and matches no place.
4. The first reading with an exact match wins. Exact means: the Census name ("harris county"), the name without
   its kind word ("harris", if the kind fits what the query said: "Richmond city" is not "Richmond County"), the
   same with the spaces inside names removed ("lasalle" = "la salle"), or a well-known alias ("nyc", "brooklyn",
   "dc", "la county").
5. Then names starting with the query, names with a word starting with it, and names containing it (3+ letters).
   A query that said more than a bare name (a state, a kind word or an agency form) and matched exactly returns
   only its exact matches: "la county" is Los Angeles County, not every "La..." name.
6. Ranking: exact names first, then (for a query that is just a state) that state's own units, then the rest.
   Nothing found: `did_you_mean` holds the closest names (rapidfuzz, a few ms).

FIPS codes: five digits find the unit and the units that took its place or that it took its place from (46102
and 46113); the later codes the tracker does not hold, Alaska's 02063/02066 (2019) and Connecticut's planning
regions 09110-09190 (2022), find the period's units with a note saying why. Fewer digits match code prefixes.

Places and ZIP codes (issue 24; gazetteer.py, tables in fixtures/lookup/): a city, town or community finds the
counties it lies in ("chicago": Cook and DuPage), a place of 100,000 people or more before the counties of its
name ("houston": Harris County, then the Houston Counties), a smaller one after them. Five digits are also read as
a ZIP code ("60614": Cook County; "48201": Harris County's FIPS code and a Detroit ZIP code, both). A unit on
today's map brings the 2008-2013 unit it was recorded under ("oglala lakota": Shannon County too).
Spanish (spanish.py and words._KIND_PREFIXES): "condado de ...", "parroquia ...", "municipio de ...", "ciudad de
...", the states' Spanish names ("Carolina del Norte"), a few places' ("Nueva Orleans", "San Luis").
Every result says why it is there: `Result.why` (a `Why` per unit: name, alias, place, zip, fips, period, today,
later, state, partial), put in words by explain.py in the page's language. The importer reads no places as units:
a row naming a city is an error listing its counties.

The files: matcher.py (the Matcher and its name matching), codes.py (queries of digits: FIPS and ZIP codes),
resolve.py (`Matcher.resolve`, the importer's reading of a row), words.py (folding, kind words, aliases),
pieces.py and records.py (the records a search returns), gazetteer.py (places and ZIP codes), spanish.py, explain.py.
"""

from jurisdictions.search.gazetteer import Gazetteer, Locality, ZipCode
from jurisdictions.search.matcher import Matcher
from jurisdictions.search.records import Place, Resolution, Result, StateRef, Why
from jurisdictions.search.words import ALIASES, LATER_UNITS, compact, fold, strip_kind

__all__ = [
    "ALIASES",
    "LATER_UNITS",
    "Gazetteer",
    "Locality",
    "Matcher",
    "Place",
    "Resolution",
    "Result",
    "StateRef",
    "Why",
    "ZipCode",
    "compact",
    "fold",
    "strip_kind",
]
