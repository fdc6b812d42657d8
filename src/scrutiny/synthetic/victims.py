"""Seeded synthetic force extracts: crimes with pseudonymised victims (`force_crimes.v1`) and victim survey
responses (`victim_survey.v1`), for a made-up force of about 600,000 people over 36 months.

Nothing here describes a real force, district or person: district names are invented, victim ids are sequence
numbers. The shape follows what a force sends its OPCC (project notes, seed 002 §2.1 and §4.6):

- People: each resident has a monthly victimisation rate drawn from a gamma distribution (most people are never
  victims, a few are victims often), plus a small domestic-abuse group with higher, more concentrated rates and a
  handful of people victimised every month; so about 28% of a month's victims had another offence in the
  preceding 12 months. Crimes with no personal victim (shoplifting, drugs, weapons, public order) carry no id.
- Crimes: about 4,500 a month, dated uniformly within a month weighted for a mild summer peak; outcomes arrive
  after a delay (mean 40 days), so the latest months are mostly still without an outcome at the extract date.
- Survey: victims of burglary, vehicle crime and violence (the aggregate survey), domestic abuse and hate crime are
  sampled and interviewed 6 to 12 weeks after the crime was recorded, on the 7-point scale (1 = completely
  satisfied … 7 = completely dissatisfied; 8 = don't know, 9 = refused). At respondent level, satisfaction with
  follow-up drives satisfaction with the whole experience; follow-up in one district slips in the last year.

Everything is drawn from one numpy Generator with a fixed default seed, and the gzip files are written with mtime 0,
so the same seed gives the same bytes.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20250710
START = "2022-07"
MONTHS = 36
EXTRACTED_AT = dt.date(2025, 7, 10)
POPULATION = 600_000

# Invented district names and resident populations (sum 600,000).
DISTRICTS = {"Brackenford": 148_000, "Eastmere": 127_000, "Harrowdale": 96_000, "Kestrel Vale": 89_000,
             "Linbrook": 78_000, "Stanbury": 62_000}
SLIPPING_DISTRICT = "Harrowdale"  # follow-up satisfaction falls here in the last 12 months

CRIMES_HEADER = ["crime_ref", "recorded_date", "committed_date", "ho_offence_code", "offence_group", "crime_type",
                 "district", "victim_id", "da_flag", "hate_flag", "hate_strand", "ho_outcome_type", "outcome_date",
                 "extracted_at"]
SURVEY_HEADER = ["respondent_id", "crime_ref", "survey_type", "crime_type", "district", "interview_date",
                 "ease_of_contact", "actions", "follow_up", "treatment", "whole_experience", "questionnaire_version"]
STAGES = ["ease_of_contact", "actions", "follow_up", "treatment", "whole_experience"]

# Offences with a personal victim: (code, crime type, offence group, aggregate-survey class, weight for most
# victims, weight for domestic-abuse victims). Codes follow the Home Office "class/subclass" pattern; they are
# illustrative, not a transcription of the Home Office list.
PERSONAL = [
    ("008/01", "Violence with injury", "Violence against the person", "Violent crime", 0.15, 0.30),
    ("105/01", "Violence without injury", "Violence against the person", "Violent crime", 0.19, 0.30),
    ("008/71", "Stalking and harassment", "Violence against the person", None, 0.08, 0.25),
    ("017/01", "Sexual offences", "Sexual offences", None, 0.03, 0.05),
    ("034/01", "Robbery", "Robbery", None, 0.015, 0.0),
    ("028/01", "Residential burglary", "Theft offences", "Burglary", 0.08, 0.01),
    ("045/01", "Vehicle offences", "Theft offences", "Vehicle crime", 0.09, 0.0),
    ("039/01", "Theft from the person", "Theft offences", None, 0.015, 0.0),
    ("044/01", "Bicycle theft", "Theft offences", None, 0.025, 0.0),
    ("049/01", "All other theft offences", "Theft offences", None, 0.13, 0.02),
    ("058/01", "Criminal damage and arson", "Criminal damage and arson", None, 0.19, 0.07),
]
# Offences with no personal victim (no victim_id): (code, crime type, offence group, share of all crimes).
IMPERSONAL = [
    ("046/01", "Shoplifting", "Theft offences", 0.075),
    ("092/01", "Drug offences", "Drug offences", 0.030),
    ("010/01", "Possession of weapons offences", "Possession of weapons offences", 0.010),
    ("125/01", "Public order offences", "Public order offences", 0.050),
    ("099/01", "Miscellaneous crimes against society", "Miscellaneous crimes against society", 0.015),
]
HATE_STRANDS = {"race": 0.70, "sexual orientation": 0.13, "disability": 0.08, "religion": 0.06,
                "transgender": 0.03}
# Home Office outcome types among crimes with an outcome (general, domestic abuse).
OUTCOMES = {"1": (0.07, 0.08), "1A": (0.002, 0.002), "2": (0.003, 0.0), "3": (0.015, 0.01), "8": (0.03, 0.01),
            "10": (0.01, 0.01), "14": (0.15, 0.14), "15": (0.06, 0.07), "16": (0.17, 0.45), "18": (0.42, 0.15),
            "20": (0.02, 0.01), "21": (0.06, 0.06), "22": (0.01, 0.01)}
SURVEY_RATE = {"aggregate": 0.22, "domestic abuse": 0.11, "hate": 0.36}
VERSIONS = {"aggregate": "AGG-3", "domestic abuse": "DA-2", "hate": "HATE-1"}


def month_starts(start: str = START, months: int = MONTHS) -> list[dt.date]:
    y, m = map(int, start.split("-"))
    out = []
    for _ in range(months):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _dates(rng: np.random.Generator, n: int, starts: list[dt.date]) -> np.ndarray:
    """n dates: a month chosen with a mild summer peak (±8%), then a day uniform within it."""
    w = np.array([1 + 0.08 * np.cos(2 * np.pi * (s.month - 7) / 12) for s in starts])
    k = rng.choice(len(starts), size=n, p=w / w.sum())
    days = np.array([calendar.monthrange(s.year, s.month)[1] for s in starts])
    first = np.array([s.toordinal() for s in starts])
    return first[k] + (rng.random(n) * days[k]).astype(int)


def _people(rng: np.random.Generator) -> pd.DataFrame:
    """Residents who can be victims: district, domestic-abuse group and a monthly victimisation rate."""
    names = list(DISTRICTS)
    district = np.repeat(np.arange(len(names)), list(DISTRICTS.values()))
    n = len(district)
    da = rng.random(n) < 0.03
    rate = np.where(da, rng.gamma(0.45, 0.027 / 0.45, n), rng.gamma(0.34, 0.0049 / 0.34, n))
    chronic = rng.choice(np.flatnonzero(~da), size=260, replace=False)
    rate[chronic[:30]] = rng.uniform(1.6, 3.0, 30)   # victimised most months (20+ offences a year)
    rate[chronic[30:]] = rng.uniform(0.5, 1.2, 230)  # several offences a year
    targeted = ~da & (rng.random(n) < 0.003)  # people targeted for who they are: hate crime recurs for them
    rate[targeted] = rng.gamma(0.6, 0.04 / 0.6, targeted.sum())
    return pd.DataFrame({"district": district, "da": da, "rate": rate, "targeted": targeted})


def _crimes(rng: np.random.Generator) -> pd.DataFrame:
    starts = month_starts()
    people = _people(rng)
    counts = rng.poisson(people["rate"].to_numpy() * MONTHS)
    who = np.repeat(np.arange(len(people)), counts)
    n = len(who)
    da_person = people["da"].to_numpy()[who]
    # offence: domestic-abuse victims mostly suffer domestic offences (85% flagged), others rarely (1.5%)
    gen_w = np.array([p[4] for p in PERSONAL])
    da_w = np.array([p[5] for p in PERSONAL])
    off = np.where(da_person, rng.choice(len(PERSONAL), n, p=da_w / da_w.sum()),
                   rng.choice(len(PERSONAL), n, p=gen_w / gen_w.sum()))
    da_flag = np.where(da_person, rng.random(n) < 0.85, rng.random(n) < 0.015)
    personal = pd.DataFrame({
        "date": _dates(rng, n, starts), "person": who, "offence": off, "da": da_flag,
        "district": people["district"].to_numpy()[who], "targeted": people["targeted"].to_numpy()[who],
    })
    # a victim reports most crimes in their own district, some elsewhere
    moved = rng.random(n) < 0.12
    personal.loc[moved, "district"] = rng.choice(len(DISTRICTS), moved.sum(),
                                                 p=np.array(list(DISTRICTS.values())) / POPULATION)
    share_imp = sum(s for *_, s in IMPERSONAL)
    n_imp = int(round(n * share_imp / (1 - share_imp)))
    iw = np.array([s for *_, s in IMPERSONAL])
    imp = pd.DataFrame({
        "date": _dates(rng, n_imp, starts), "person": -1,
        "offence": len(PERSONAL) + rng.choice(len(IMPERSONAL), n_imp, p=iw / iw.sum()), "da": False,
        "district": rng.choice(len(DISTRICTS), n_imp, p=np.array(list(DISTRICTS.values())) / POPULATION),
    })
    df = pd.concat([personal, imp], ignore_index=True).sort_values(["date", "district", "offence"], kind="stable")
    df = df.reset_index(drop=True)
    return df


def _victim_ids(rng: np.random.Generator, persons: np.ndarray) -> np.ndarray:
    """Pseudonymised ids 'V' + 7 digits: a random one-to-one relabelling of the people who are victims."""
    uniq = np.unique(persons[persons >= 0])
    labels = rng.choice(np.arange(1, 9_999_999), size=len(uniq), replace=False)
    lookup = dict(zip(uniq.tolist(), labels.tolist()))
    return np.array([f"V{lookup[p]:07d}" if p >= 0 else "" for p in persons.tolist()], dtype=object)


def crimes_frame(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the force_crimes extract as text columns, the internal frame the survey is drawn from)."""
    rng = np.random.default_rng(seed)
    df = _crimes(rng)
    n = len(df)
    table = PERSONAL + [(c, t, g, None, 0, 0) for c, t, g, _ in IMPERSONAL]
    code = np.array([t[0] for t in table], dtype=object)[df["offence"]]
    ctype = np.array([t[1] for t in table], dtype=object)[df["offence"]]
    group = np.array([t[2] for t in table], dtype=object)[df["offence"]]
    agg = np.array([t[3] or "" for t in table], dtype=object)[df["offence"]]
    personal = df["person"].to_numpy() >= 0
    hate_prone = np.isin(ctype, ["Violence with injury", "Violence without injury", "Stalking and harassment",
                                 "Criminal damage and arson"])
    targeted = df["targeted"].fillna(False).to_numpy(dtype=bool)
    hate = personal & (rng.random(n) < np.where(hate_prone, np.where(targeted, 0.5, 0.01), 0.002))
    strand = np.where(hate, rng.choice(list(HATE_STRANDS), n, p=list(HATE_STRANDS.values())), "")
    recorded = df["date"].to_numpy()
    lag = np.minimum(rng.geometric(0.45, n) - 1, 60)
    committed = recorded - lag
    no_committed = rng.random(n) < 0.08
    extract = EXTRACTED_AT.toordinal()
    # outcome: exponential delay, mean 40 days; none yet when the delay runs past the extract date
    delay = rng.exponential(40, n).astype(int)
    outcome_date = recorded + delay
    has_outcome = outcome_date <= extract
    codes = list(OUTCOMES)
    pg = np.array([v[0] for v in OUTCOMES.values()])
    pd_ = np.array([v[1] for v in OUTCOMES.values()])
    da = df["da"].to_numpy()
    outcome = np.where(da, rng.choice(codes, n, p=pd_ / pd_.sum()), rng.choice(codes, n, p=pg / pg.sum()))
    iso = _iso_dates(np.concatenate([recorded, committed, outcome_date]))
    rec_s, com_s, out_s = iso[:n], iso[n:2 * n], iso[2 * n:]
    names = np.array(list(DISTRICTS), dtype=object)
    crimes = pd.DataFrame({
        "crime_ref": [f"CR{i:08d}" for i in range(1, n + 1)],
        "recorded_date": rec_s,
        "committed_date": np.where(no_committed, "", com_s),
        "ho_offence_code": code, "offence_group": group, "crime_type": ctype,
        "district": names[df["district"].to_numpy()],
        "victim_id": _victim_ids(rng, df["person"].to_numpy()),
        "da_flag": np.where(da, "Y", "N"), "hate_flag": np.where(hate, "Y", "N"), "hate_strand": strand,
        "ho_outcome_type": np.where(has_outcome, outcome, ""),
        "outcome_date": np.where(has_outcome, out_s, ""),
        "extracted_at": EXTRACTED_AT.isoformat(),
    })
    inner = pd.DataFrame({"crime_ref": crimes["crime_ref"], "recorded": recorded, "personal": personal,
                          "da": da, "hate": hate, "aggregate": agg, "district": crimes["district"]})
    return crimes, inner


def _iso_dates(ordinals: np.ndarray) -> np.ndarray:
    base = np.datetime64("0001-01-01") - 1
    return np.datetime_as_string(base + ordinals.astype("timedelta64[D]"), unit="D").astype(object)


def _scale(latent: np.ndarray) -> np.ndarray:
    """A latent satisfaction score on the 7-point scale: 1 = completely satisfied … 7 = completely dissatisfied."""
    cuts = np.array([2.1, 1.2, 0.15, -0.35, -0.95, -1.6])  # descending: above cuts[0] -> 1
    return 1 + (latent[:, None] <= cuts[None, :]).sum(axis=1)


def survey_frame(inner: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """The victim_survey extract: respondents sampled from eligible crimes, interviewed 6-12 weeks later."""
    rng = np.random.default_rng(seed + 1)
    kind = np.where(~inner["personal"], "",
                    np.where(inner["hate"], "hate",
                             np.where(inner["da"], "domestic abuse",
                                      np.where(inner["aggregate"] != "", "aggregate", ""))))
    p = np.array([SURVEY_RATE.get(k, 0.0) for k in kind])
    interview = inner["recorded"].to_numpy() + rng.integers(42, 85, len(inner))
    last = month_starts()[-1]
    period_end = dt.date(last.year, last.month, calendar.monthrange(last.year, last.month)[1]).toordinal()
    take = (rng.random(len(inner)) < p) & (interview <= period_end)
    s = inner[take].reset_index(drop=True)
    kind, interview = kind[take], interview[take]
    n = len(s)
    ctype = np.where(kind == "hate", "Hate crime", np.where(kind == "domestic abuse", "Domestic abuse",
                                                             s["aggregate"].to_numpy()))
    months_from_end = (EXTRACTED_AT.toordinal() - interview) / 30.44
    type_effect = pd.Series(ctype).map({"Burglary": 0.3, "Vehicle crime": -0.35, "Violent crime": 0.0,
                                        "Domestic abuse": 0.25, "Hate crime": -0.1}).to_numpy()
    month_index = ((interview - interview.min()) // 30).astype(int)
    month_shock = rng.normal(0, 0.12, month_index.max() + 1)[month_index]
    slip = np.where((s["district"].to_numpy() == SLIPPING_DISTRICT) & (months_from_end < 12), -0.45, 0.0)
    u = rng.normal(0, 1, n)  # the respondent's general disposition
    ease = 1.5 + 0.6 * u + type_effect + rng.normal(0, 0.8, n)
    actions = 0.9 + 0.6 * u + type_effect + rng.normal(0, 0.9, n)
    follow = 0.45 + 0.6 * u + type_effect + month_shock + slip + rng.normal(0, 1.0, n)
    treatment = 1.7 + 0.6 * u + rng.normal(0, 0.8, n)
    whole = -0.3 + 0.15 * ease + 0.35 * actions + 0.6 * follow + 0.3 * treatment + 0.1 * type_effect \
        + rng.normal(0, 0.7, n)
    answers = {st: _scale(v) for st, v in zip(STAGES, (ease, actions, follow, treatment, whole))}
    # don't know (8) and refused (9): follow-up is the question victims most often cannot answer
    for st, dk in zip(STAGES, (0.01, 0.03, 0.06, 0.01, 0.005)):
        r = rng.random(n)
        answers[st] = np.where(r < dk, 8, np.where(r < dk + 0.004, 9, answers[st]))
    order = np.argsort(interview, kind="stable")
    out = pd.DataFrame({
        "respondent_id": "", "crime_ref": s["crime_ref"].to_numpy()[order],
        "survey_type": kind[order], "crime_type": ctype[order], "district": s["district"].to_numpy()[order],
        "interview_date": _iso_dates(interview[order]),
        **{st: answers[st][order].astype(str) for st in STAGES},
        "questionnaire_version": np.array([VERSIONS[k] for k in kind])[order],
    })
    out["respondent_id"] = [f"R{i:07d}" for i in range(1, n + 1)]
    return out[SURVEY_HEADER]


def write_csv_gz(df: pd.DataFrame, path: Path) -> int:
    """A CSV (header, LF line ends, minimal quoting) gzipped with mtime 0 and no file name, so the same frame
    always gives the same bytes. Returns the size in bytes."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                                compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return path.stat().st_size


PART_MONTHS = 12  # the crimes extract is written in 12-month parts (by recorded month) to keep each file small


def generate(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the crimes extract in 12-month parts (force_crimes_<first>_<last>.csv.gz, one extract date
    throughout) and victim_survey.csv.gz into out_dir; returns the paths written."""
    crimes, inner = crimes_frame(seed)
    survey = survey_frame(inner, seed)
    out_dir = Path(out_dir)
    written = []
    starts = month_starts()
    month = crimes["recorded_date"].str[:7]
    for i in range(0, len(starts), PART_MONTHS):
        part = [s.strftime("%Y-%m") for s in starts[i:i + PART_MONTHS]]
        path = out_dir / f"force_crimes_{part[0]}_{part[-1]}.csv.gz"
        write_csv_gz(crimes[month.isin(part)], path)
        written.append(path)
    write_csv_gz(survey, out_dir / "victim_survey.csv.gz")
    return written + [out_dir / "victim_survey.csv.gz"]
