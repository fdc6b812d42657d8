"""data.police.uk file formats: headers, crime types, outcome categories, and area names.

Source: data.police.uk archive CSVs (street and outcomes files); categories as listed in
the project's domain notes (§1.5). The outcome-category list accepts both the archive
spelling ("Offender given penalty notice") and the API spelling ("Offender given a penalty notice").
"""

from __future__ import annotations

import re

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]
OUTCOMES_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]

# The 14 categories in use since May 2013.
CRIME_TYPES = [
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
]

OUTCOME_CATEGORIES = [
    "Under investigation",
    "Status update unavailable",
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Formal action is not in the public interest",
    "Further action is not in the public interest",
    "Further investigation is not in the public interest",
    "Action to be taken by another organisation",
    "Offender given a caution",
    "Offender given a drugs possession warning",
    "Offender given penalty notice",
    "Offender given a penalty notice",
    "Local resolution",
    "Suspect charged",
    "Suspect charged as part of another case",
    "Awaiting court outcome",
    "Court result unavailable",
    "Court case unable to proceed",
    "Defendant found not guilty",
    "Defendant sent to Crown Court",
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender given conditional discharge",
    "Offender given absolute discharge",
    "Offender ordered to pay compensation",
    "Offender deprived of property",
    "Offender otherwise dealt with",
]

LSOA_CODE_PATTERN = r"^[EW]01\d{6}$"
MONTH_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])$"

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Za-z]$")


def slug(label: str) -> str:
    """Catalogue id of a police.uk crime type: lower-cased, every run of non-alphanumerics replaced by '_'.

    >>> slug("Anti-social behaviour")
    'anti_social_behaviour'
    """
    return _NON_ALNUM.sub("_", label.lower()).strip("_")


def district(lsoa_name: str | None) -> str | None:
    """Local authority district from an LSOA name: the name minus its trailing code ("Newport 012A" -> "Newport").

    Returns None for a missing name, and the name unchanged when it carries no LSOA code.
    """
    if lsoa_name is None:
        return None
    name = str(lsoa_name).strip()
    if not name:
        return None
    return _LSOA_SUFFIX.sub("", name)


def district_key(name: str) -> str:
    """The key districts are matched on: case and runs of spaces ignored ("NEWPORT", "Newport " -> "newport")."""
    return " ".join(str(name).split()).casefold()


def districts(names):
    """Vectorised `district` for a pandas Series of LSOA names, one spelling per district.

    Names that differ only in case or spacing are one district, written in its most frequent spelling (ties:
    the first in sorted order), so a month published in capitals does not split a district in two."""
    import numpy as np
    import pandas as pd

    # on the distinct names, each weighted by its rows: the same spellings as row by row, a fraction of the work
    codes, uniq = pd.factorize(names)
    rows = np.bincount(codes[codes >= 0], minlength=len(uniq))
    out = district_table(pd.Series(uniq, dtype=object), rows)["district"].to_numpy()
    picked = np.empty(len(codes), dtype=object)
    picked[codes >= 0] = out[codes[codes >= 0]]
    return pd.Series(picked, index=names.index, name=names.name, dtype=object)


def district_table(names, rows):
    """For distinct LSOA names (a Series, no repeats) and the rows each has: a frame of `lsoa_name`, `as_written`
    (the district as spelled in that name) and `district` (one spelling per district, as `districts`). What a
    SQL engine joins on, so its districts are exactly the ones `districts` gives row by row."""
    import pandas as pd

    raw = districts_as_written(names.reset_index(drop=True))
    valid = raw.notna().to_numpy()
    t = pd.DataFrame({"key": _keys(raw[valid]), "name": raw[valid], "n": pd.Series(rows).to_numpy()[valid]})
    t = t.groupby(["key", "name"], as_index=False)["n"].sum()
    t = t.sort_values(["key", "n", "name"], ascending=[True, False, True]).drop_duplicates("key")
    canon = dict(zip(t["key"], t["name"]))
    return pd.DataFrame({"lsoa_name": names.reset_index(drop=True).astype(object), "as_written": raw,
                         "district": _keys(raw).map(canon).astype(object).where(raw.notna(), None)})


def _keys(raw):
    """Vectorised district_key."""
    return raw.str.split().str.join(" ").str.casefold()


def districts_as_written(names):
    """Vectorised `district`, each spelled as in its row (None for a missing or empty name)."""
    raw = names.astype("str").str.strip().str.replace(_LSOA_SUFFIX, "", regex=True)
    return raw.where(names.notna() & (raw != ""), None)


def canonical_spellings(raw) -> dict[str, str]:
    """district_key -> the most frequent spelling of that district in a Series of district names."""
    import pandas as pd

    valid = raw.dropna()
    if valid.empty:
        return {}
    t = pd.DataFrame({"key": _keys(valid), "name": valid}).value_counts().reset_index(name="n")
    t = t.sort_values(["key", "n", "name"], ascending=[True, False, True]).drop_duplicates("key")
    return dict(zip(t["key"], t["name"]))


def district_spellings(names, months, rows=None) -> dict[str, dict[str, list[str]]]:
    """Districts spelled more than one way: canonical spelling -> {spelling: months it appears in}. `rows`, when
    given, is how many rows each (name, month) pair stands for (the pairs then distinct, as a SQL engine counts
    them); the canonical spelling is the one with most rows either way."""
    import pandas as pd

    raw = districts_as_written(names.reset_index(drop=True))
    if rows is None:
        canon = canonical_spellings(raw)
    else:
        w = pd.DataFrame({"name": raw, "n": pd.Series(rows).to_numpy()}).dropna(subset=["name"])
        w = w.groupby("name", as_index=False)["n"].sum()
        w["key"] = _keys(w["name"])
        w = w.sort_values(["key", "n", "name"], ascending=[True, False, True]).drop_duplicates("key")
        canon = dict(zip(w["key"], w["name"]))
    t = pd.DataFrame({"name": raw, "month": months.reset_index(drop=True).astype("str")})
    t = t.dropna(subset=["name"]).drop_duplicates()
    t["canon"] = _keys(t["name"]).map(canon)
    out = {}
    for c, g in t.groupby("canon", sort=True):
        if g["name"].nunique() > 1:
            out[c] = {n: sorted(m["month"]) for n, m in g.groupby("name", sort=True)}
    return out


def spelling_note(spellings: dict[str, dict[str, list[str]]]) -> str:
    """The spellings of each district and the months they appear in, in words."""
    parts = []
    for c, by in spellings.items():
        parts.append(f"{c!r}: " + "; ".join(f"{n!r} in {', '.join(ms)}" for n, ms in by.items()) +
                     f" (counted as one district, spelled {c!r})")
    return "district spellings differ between months: " + " | ".join(parts)


def file_month(filename: str) -> str | None:
    """The YYYY-MM month in a data.police.uk file name ("2024-01-gwent-street.csv.gz" -> "2024-01")."""
    m = re.match(r"^(\d{4}-\d{2})-", filename.rsplit("/", 1)[-1])
    return m.group(1) if m else None


# --- Stop and search files (YYYY-MM-<force>-stop-and-search.csv) ---------------------------------------------
# Source: data.police.uk archive stop-and-search CSVs and https://data.police.uk/docs/method/stops-force/ (the same
# fields in the API). No Month, Falls within or record id column: one row is one search.

STOP_SEARCH_HEADER = [
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
    "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
    "Outcome linked to object of search", "Removal of more than just outer clothing",
]
SEARCH_TYPES = ["Person search", "Person and Vehicle search", "Vehicle search"]
GENDERS = ["Male", "Female", "Other"]
AGE_RANGES = ["under 10", "10-17", "18-24", "25-34", "over 34"]
OFFICER_DEFINED_ETHNICITIES = ["White", "Black", "Asian", "Mixed", "Other"]
BOOLEAN_VALUES = ["True", "False"]

# Powers as data.police.uk spells them (including its odd spacing in "section 34B ").
LEGISLATION = [
    "Police and Criminal Evidence Act 1984 (section 1)",
    "Misuse of Drugs Act 1971 (section 23)",
    "Criminal Justice and Public Order Act 1994 (section 60)",
    "Firearms Act 1968 (section 47)",
    "Criminal Justice Act 1988 (section 139B)",
    "Police and Criminal Evidence Act 1984 (section 6)",
    "Psychoactive Substances Act 2016 (s36(2))",
    "Psychoactive Substances Act 2016 (s37(2))",
    "Poaching Prevention Act 1862 (section 2)",
    "Wildlife and Countryside Act 1981 (section 19)",
    "Customs and Excise Management Act 1979 (section 163)",
    "Aviation Security Act 1982 (section 27(1))",
    "Protection of Badgers Act 1992 (section 11)",
    "Deer Act 1991 (section 12)",
    "Environmental Protection Act 1990 (section 34B )",
    "Crossbows Act 1987 (section 4)",
    "Public Stores Act 1875 (section 6)",
    "Conservation of Seals Act 1970 (section 4)",
    "Hunting Act 2004 (section 8)",
    "Sporting Events Act 1985 (section 7)",
    "Terrorism Act 2000 (section 43)",
    "Terrorism Act 2000 (section 43A)",
    "Terrorism Act 2000 (section 47A)",
]

# Outcomes: the current labels (2016 onwards) and the earlier ones still found in older archives.
STOP_SEARCH_OUTCOMES = [
    "A no further action disposal",
    "Arrest",
    "Community resolution",
    "Summons / charged by post",
    "Caution (simple or conditional)",
    "Khat or Cannabis warning",
    "Penalty Notice for Disorder",
    "Nothing found - no further action",
    "Suspect arrested",
    "Local resolution",
    "Offender given drugs possession warning",
    "Offender given penalty notice",
    "Offender cautioned",
    "Suspect summonsed to court",
    "Article found - Detailed outcome unavailable",
    "Suspected psychoactive substances seized - No further action",
]
# API spelling -> archive spelling. The contracts accept both; analyses use the archive spelling.
OUTCOME_SPELLINGS = {"Offender given a penalty notice": "Offender given penalty notice"}


def normalise_outcome(category):
    """One spelling per outcome category: the archive CSV's ("Offender given penalty notice")."""
    if category is None or (isinstance(category, float) and category != category):
        return None
    return OUTCOME_SPELLINGS.get(category, category)


def normalise_outcomes(categories):
    """Vectorised normalise_outcome for a pandas Series (missing values stay missing; text held as objects comes
    back as pandas text, as `.map(normalise_outcome)` gives it)."""
    out = categories.where(~categories.isin(list(OUTCOME_SPELLINGS)), categories.map(OUTCOME_SPELLINGS))
    return out.infer_objects() if out.dtype == object else out


def file_force(filename: str) -> str | None:
    """The force part of a data.police.uk street file name, as written there
    ("2024-01-devon-and-cornwall-street.csv.gz" -> "devon-and-cornwall"); None for another name."""
    m = re.match(r"^\d{4}-\d{2}-(.+)-street\.csv(?:\.gz)?$", filename.rsplit("/", 1)[-1])
    return m.group(1) if m else None
