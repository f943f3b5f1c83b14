"""Spanish forms people type, on every page (a Spanish speaker may use the English page, and the other way).

Keys are folded (`words.fold`: lower case, no accents), so "Nuevo México" and "nuevo mexico" are one key.
Kind words ("condado de ...", "parroquia ...", "municipio de ...", "ciudad de ...") are in words._KIND_PREFIXES.
"""

# The states whose Spanish name differs from the English one once folded (Florida, Texas, Georgia ... are the
# same), as the Fundéu/RAE guidance and Spanish-language US media write them, with common variants.
STATES: dict[str, str] = {
    "nueva york": "NY",
    "nueva jersey": "NJ",
    "nuevo hampshire": "NH",
    "nueva hampshire": "NH",
    "nuevo mexico": "NM",
    "carolina del norte": "NC",
    "carolina del sur": "SC",
    "dakota del norte": "ND",
    "dakota del sur": "SD",
    "virginia occidental": "WV",
    "pensilvania": "PA",
    "luisiana": "LA",
    "misisipi": "MS",
    "misuri": "MO",
    "hawai": "HI",
    "tejas": "TX",
    "tenesi": "TN",
    "minesota": "MN",
    "distrito de columbia": "DC",
}

# Spanish names of places and counties, and the English name they mean (folded). Only whole names: "san luis"
# is St. Louis, but "san luis obispo" stays San Luis Obispo.
NAMES: dict[str, tuple[str, ...]] = {
    "nueva orleans": ("new orleans",),
    "nueva york": ("new york",),
    "san luis": ("saint louis",),
    "filadelfia": ("philadelphia",),
    "cayo hueso": ("key west",),
    "san agustin": ("saint augustine",),
    "nuevo brunswick": ("new brunswick",),
    "nueva londres": ("new london",),
    "san petersburgo": ("saint petersburg",),
    "san pablo": ("saint paul",),
}
