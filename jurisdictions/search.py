"""Tolerant name matching for the lookup box, the list's `q`, the API's `q` and the admin search.

"st louis", "Saint Louis", "ST. LOUIS COUNTY", "miami dade", "Doña Ana" and "dona ana parish" all find what a
reader means: case, accents, punctuation, "St."/"Saint"/"Ste." and the kind word ("County", "Parish", ...) are
ignored. Matching runs in Python over the ~3,150 names (one small query), so there is no derived column to keep
in sync and it behaves the same on SQLite and PostgreSQL.
"""

import re
import unicodedata

# Kind words a reader may leave out; longest first so "city and borough" wins over "borough".
KIND_WORDS = [
    "city and borough",
    "census area",
    "municipality",
    "borough",
    "county",
    "parish",
]
_SAINT = re.compile(r"\b(st|ste|saint|sainte)\b")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation and hyphens as spaces, "St."/"Ste." as "saint"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = _NON_WORD.sub(" ", text).strip()
    return _SAINT.sub("saint", text)


def strip_kind(folded: str) -> str:
    for word in KIND_WORDS:
        if folded.endswith(" " + word):
            return folded[: -len(word) - 1]
    return folded


def search_key(name: str) -> str:
    """The form both names and queries are compared in."""
    return strip_kind(fold(name))


def rank(query: str, name: str, state_name: str = "", postal: str = "") -> int | None:
    """How well `name` matches `query`: lower is better, None is no match.

    0: exact name; 1: name starts with the query; 2: a word of the name starts with it; 3: query names the
    state too ("cook il", "cook county illinois"); 4: contained anywhere.
    """
    wanted = search_key(query)
    if not wanted:
        return None
    key = search_key(name)
    if wanted == key:
        return 0
    if key.startswith(wanted):
        return 1
    if (" " + key).find(" " + wanted) >= 0:
        return 2
    for state_word in {fold(state_name), postal.lower()} - {""}:
        for candidate in (f"{key} {state_word}", f"{fold(name)} {state_word}"):
            if candidate.startswith(fold(query)) or candidate == fold(query):
                return 3
    if wanted in key:
        return 4
    return None
