"""The police forces of England and Wales, and the one way force names are matched.

Names follow the Home Office police recorded crime tables (police force areas, PFAs); people and other
publishers write them differently ("Devon & Cornwall Police", "London, City of"), so every comparison of force
names goes through `force_key`, and every name a user gives through `force_name`.
"""

from __future__ import annotations

import re

# The 43 territorial police force areas, as the Home Office file names them.
TERRITORIAL = [
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire",
    "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire",
    "Leicestershire", "Lincolnshire", "Merseyside", "Metropolitan Police", "Norfolk", "North Wales",
    "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia",
    "West Midlands", "West Yorkshire", "Wiltshire",
]
NON_RESIDENT = ["British Transport Police", "Action Fraud", "CIFAS", "UK Finance"]
# Excluded from per-resident comparisons: its resident population (~9,000) is tiny beside its daytime population.
CITY_OF_LONDON = "City of London"
# Home Office name -> ONS population file name, where they differ.
ONS_NAME = {"City of London": "London, City of", "Devon and Cornwall": "Devon & Cornwall"}


def force_key(name: str) -> str:
    """A force name reduced for matching, the one way force names are compared: lower case, '&' read as 'and',
    hyphens and punctuation as spaces, the words police/constabulary/service/force/the dropped
    ("Devon & Cornwall Police" and "devon and cornwall" -> "devon and cornwall")."""
    s = name.lower().replace("&", " and ").replace("-", " ")
    s = re.sub(r"[^a-z ]", " ", s)
    drop = {"police", "constabulary", "service", "force", "the"}
    return " ".join(w for w in s.split() if w not in drop)


_NORMED = {force_key(n): n for n in TERRITORIAL}
_NORMED[force_key("London, City of")] = CITY_OF_LONDON


def force_name(name: str) -> str:
    """The Home Office PFA name for a force as people write it ("Gwent Police" -> "Gwent").

    Case, '&'/'and', hyphens and the words Police/Constabulary/Service are ignored; anything else must match one
    of the 43 territorial PFAs exactly, or ValueError names the choices."""
    hit = _NORMED.get(force_key(name))
    if hit is None:
        raise ValueError(f"{name!r} does not name one of the 43 territorial police force areas; set peers.force "
                         f"to one of: {', '.join(TERRITORIAL)}")
    return hit
