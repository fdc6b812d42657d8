"""Write the ILLUSTRATIVE FIXTURE of the Home Office crime outcomes open data (not real data).

Run from the repo root: python data/sample/ho_outcomes/make_fixture.py
Every count is invented (seeded random numbers); forces, offences and outcome types follow the published
layout described in the domain notes §1.4 (header variant 'with_expired_flag' of src/scrutiny/ho_outcomes.py).
It includes, on purpose, 1A/2A/3A 'of which' rows, type 0 rows and one negative count, so the adapter's rules
are exercised. Same script, same bytes.
"""

import csv
import random
from pathlib import Path

OUT = Path(__file__).with_name("FIXTURE-prc-outcomes-open-data-mar2025-illustrative.csv")
HEADER = ["Financial Year", "Financial Quarter", "Force Name", "Offence Description", "Offence Group",
          "Offence Subgroup", "Offence Code", "Offence Code Expired", "Outcome Description", "Outcome Group",
          "Outcome Type", "Number of outcomes for offences that were recorded in the quarter",
          "Number of outcomes for investigations that were closed in the quarter"]
FORCES = {"Gwent": 1.0, "South Wales": 2.3, "Dyfed-Powys": 0.8, "North Wales": 1.1}
OFFENCES = [  # description, group, subgroup, code (illustrative)
    ("Assault with injury", "Violence against the person", "Violence with injury", "8N"),
    ("Assault without injury", "Violence against the person", "Violence without injury", "105A"),
    ("Shoplifting", "Theft offences", "Shoplifting", "46"),
    ("Burglary - residential", "Burglary", "Domestic burglary", "28E"),
    ("Criminal damage to a vehicle", "Criminal damage and arson", "Criminal damage", "58C"),
]
OUTCOMES = [  # type, description, group, base weight
    ("0", "Not yet assigned an outcome", "Not yet assigned an outcome", 6),
    ("1", "Charged/Summonsed", "Charged/Summonsed", 7),
    ("1A", "Charged/Summonsed - alternate offence", "Charged/Summonsed", 1),
    ("2", "Caution - youths", "Out-of-court (formal)", 1),
    ("2A", "Caution - youths - alternate offence", "Out-of-court (formal)", 0.3),
    ("3", "Caution - adults", "Out-of-court (formal)", 2),
    ("3A", "Caution - adults - alternate offence", "Out-of-court (formal)", 0.5),
    ("8", "Community resolution", "Out-of-court (informal)", 4),
    ("14", "Evidential difficulties: suspect not identified; victim does not support further action",
     "Evidential difficulties (victim does not support action)", 8),
    ("15", "Evidential difficulties: suspect identified; victim supports action",
     "Evidential difficulties (suspect identified; victim supports action)", 10),
    ("16", "Evidential difficulties: suspect identified; victim does not support further action",
     "Evidential difficulties (victim does not support action)", 20),
    ("18", "Investigation complete - no suspect identified", "Investigation complete - no suspect identified", 25),
    ("20", "Responsibility for further investigation transferred to another body",
     "Responsibility for further investigation transferred to another body", 1),
    ("22", "Diversionary, educational or intervention activity",
     "Diversionary, educational or intervention activity", 1),
]


def main() -> None:
    rng = random.Random(20250331)
    rows = []
    for q in (1, 2, 3, 4):
        for force, size in FORCES.items():
            for desc, grp, sub, code in OFFENCES:
                for t, odesc, ogrp, w in OUTCOMES:
                    rec = int(round(size * w * rng.uniform(2, 6)))
                    closed = int(round(size * w * rng.uniform(2, 6))) if t != "0" else 0
                    rows.append(["2024/25", f"Q{q}", force, desc, grp, sub, code, "N", odesc, ogrp, t, rec, closed])
    rows[5][12] = -1  # one published-style negative revision, on purpose
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)


if __name__ == "__main__":
    main()
