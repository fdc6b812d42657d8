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
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")


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


def districts(names):
    """Vectorised `district` for a pandas Series of LSOA names (same rule, same pattern)."""
    out = names.astype("str").str.strip().str.replace(_LSOA_SUFFIX, "", regex=True)
    return out.where(names.notna() & (out != ""), None)


def file_month(filename: str) -> str | None:
    """The YYYY-MM month in a data.police.uk file name ("2024-01-gwent-street.csv.gz" -> "2024-01")."""
    m = re.match(r"^(\d{4}-\d{2})-", filename.rsplit("/", 1)[-1])
    return m.group(1) if m else None


# API spelling -> archive spelling. The contracts accept both; analyses use the archive spelling.
OUTCOME_SPELLINGS = {"Offender given a penalty notice": "Offender given penalty notice"}


def normalise_outcome(category):
    """One spelling per outcome category: the archive CSV's ("Offender given penalty notice")."""
    if category is None or (isinstance(category, float) and category != category):
        return None
    return OUTCOME_SPELLINGS.get(category, category)
