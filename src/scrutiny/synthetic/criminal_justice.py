"""Seeded synthetic extracts for the criminal justice and public contact section: calls, incidents, charge
decisions, case-file assessments and court cases, for a made-up force of about 600,000 people in six invented
districts (the same fictional force as the victims sample) from April 2022 to June 2025.

SYNTHETIC SAMPLE DATA. Nothing here describes a real force; the volumes and shapes are set from published
figures for forces of this size (seed 002 §2.4, §7.2: about 6,700 999 calls and 15,700 101 calls a month for
570,000 people, 0.1% and 9% abandoned, 91% of 999 calls answered within 10 seconds, 81% of emergency incidents
attended within 20 minutes; about 120 case files assessed a month, 24% with errors) and scaled so the calls
extract holds about 1.5 million calls. Planted patterns, so that the pack has something to find:

- a summer peak in call volume, with slower answering in the busiest months;
- from `PILOT` (a 101 call-handling pilot) 101 calls are answered faster and abandoned less; 999 is unchanged;
- from `DA_PUSH` domestic abuse cases are charged less often (more NFA), other crime is unchanged;
- rural emergency incidents take longer to reach than urban ones.

Timestamps are ISO 8601 with the UTC offset Europe/London had at that instant (+00:00 in winter, +01:00 in
British Summer Time), so 01:30 on the last Sunday of October, which happens twice, is written once as
01:30+01:00 and once as 01:30+00:00. Files are gzip with mtime 0: the same seed gives the same bytes.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

DEFAULT_SEED = 20250715
START, END = "2022-04", "2025-06"
PILOT = "2024-10"    # 101 pilot start (month)
DA_PUSH = "2023-09"  # domestic abuse charging push (month)
TZ = "Europe/London"

# district (invented) -> (population, share of incidents in rural places)
DISTRICTS = {
    "Brackenford": (142_000, 0.08),
    "Eastmere": (118_000, 0.15),
    "Harrowdale": (96_000, 0.30),
    "Kestrel Vale": (64_000, 0.70),
    "Linbrook": (109_000, 0.10),
    "Stanbury": (71_000, 0.55),
}
# calls a month at the yearly mean (999, 101): about 38,000 a month, 1.5 million over 39 months
CALLS_PER_MONTH = {"999": 13_000, "101": 25_500}
QUEUES_101 = {"enquiries": 0.55, "crime reporting": 0.35, "switchboard": 0.10}
# share of calls in each local hour (quiet at 05:00, busiest in the evening)
HOURLY = np.array([3.0, 2.4, 1.8, 1.3, 1.0, 1.0, 1.4, 2.4, 3.6, 4.4, 4.8, 5.0, 5.1, 5.1, 5.2, 5.5, 5.9, 6.2,
                   6.2, 6.0, 5.6, 5.0, 4.3, 3.6])
HOURLY = HOURLY / HOURLY.sum()

INCIDENTS_PER_MONTH = {"emergency": 2_900, "priority": 3_400, "scheduled": 1_700}
DECISIONS_PER_MONTH = 760
CASE_FILES_PER_MONTH = 120
COURT_CASES_PER_MONTH = 330

COLUMNS = {
    "calls": ["call_id", "line", "offered_ts", "answered_ts", "abandoned_flag", "queue"],
    "incidents": ["incident_id", "grade", "created_ts", "arrived_ts", "district", "rural_flag"],
    "charge_decisions": ["decision_id", "crime_ref", "decision_date", "decision", "decision_maker", "da_flag"],
    "case_files": ["file_id", "assessment_month", "compliant", "error_type"],
    "court_cases": ["case_id", "offence_date", "charge_date", "first_hearing_date", "completion_date", "result"],
}


def months(start: str = START, end: str = END) -> list[str]:
    return [str(p) for p in pd.period_range(start, end, freq="M")]


def _season(month: str) -> float:
    """+1 in July, −1 in January."""
    return float(np.cos(2 * np.pi * (int(month[5:7]) - 7) / 12))


def _month_starts_utc(ms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each month's first and last instant as UTC epoch seconds, the month taken in local (London) time."""
    first = pd.DatetimeIndex([pd.Timestamp(m + "-01").tz_localize(TZ) for m in ms])
    nxt = pd.DatetimeIndex([(pd.Timestamp(m + "-01") + pd.offsets.MonthBegin(1)).tz_localize(TZ) for m in ms])
    return first.as_unit("s").asi8, nxt.as_unit("s").asi8


def _instants(rng: np.random.Generator, month: str, n: int) -> np.ndarray:
    """n UTC epoch seconds (whole) within a local month, following the hourly profile, sorted."""
    lo, hi = _month_starts_utc([month])
    days = int((hi[0] - lo[0] + 7200) // 86400)
    day = rng.integers(0, days, n)
    hour = rng.choice(24, n, p=HOURLY)
    sec = rng.integers(0, 3600, n)
    t = lo[0] + day * 86400 + hour * 3600 + sec  # local-clock offsets from midnight, near enough for a profile
    return np.sort(np.clip(t, lo[0], hi[0] - 1))


def iso_local(epoch_seconds: np.ndarray) -> np.ndarray:
    """UTC epoch seconds → 'YYYY-MM-DDTHH:MM:SS+01:00' in Europe/London local time with its offset; NaN → ''."""
    e = np.asarray(epoch_seconds, dtype=float)
    ok = ~np.isnan(e)
    out = np.full(len(e), "", dtype=object)
    if not ok.any():
        return out
    utc = pd.to_datetime(e[ok].astype("int64"), unit="s", utc=True).as_unit("s")
    local = utc.tz_convert(TZ).tz_localize(None)
    offset_h = ((local.asi8 - utc.tz_localize(None).asi8) // 3600).astype(int)
    wall = np.datetime_as_string(local.values.astype("datetime64[s]"), unit="s")
    suffix = np.where(offset_h == 1, "+01:00", "+00:00")
    out[ok] = np.char.add(wall.astype(str), suffix)
    return out


def calls(seed: int = DEFAULT_SEED, start: str = START, end: str = END) -> pd.DataFrame:
    """One row per call offered to the force's 999 and 101 lines."""
    rng = np.random.default_rng([seed, 1])
    parts = []
    for m in months(start, end):
        s = _season(m)
        after = m >= PILOT
        for line, base in CALLS_PER_MONTH.items():
            n = int(rng.poisson(base * (1 + 0.10 * s) * (1 + rng.normal(0, 0.03))))
            t = _instants(rng, m, n)
            if line == "999":
                target = 0.925 - 0.025 * s + rng.normal(0, 0.006)   # share answered within 10 s
                sigma, limit, p_abandon = 0.75, 10.5, 0.004 + 0.002 * max(s, 0)
                queue = np.full(n, "emergency", dtype=object)
            else:
                target = (0.63 if not after else 0.75) - 0.04 * s + rng.normal(0, 0.012)  # within 30 s
                sigma, limit = 1.15, 30.5
                p_abandon = (0.095 if not after else 0.060) + 0.02 * s + rng.normal(0, 0.004)
                queue = rng.choice(list(QUEUES_101), n, p=list(QUEUES_101.values())).astype(object)
            mu = np.log(limit) - sigma * norm.ppf(min(max(target, 0.05), 0.995))
            # callers still waiting after 40 minutes hang up: the longest answered wait is 40 minutes
            wait = np.clip(np.rint(np.exp(rng.normal(mu, sigma, n))), 1, 2400)
            abandoned = rng.random(n) < max(p_abandon, 0.0005)
            answered = np.where(abandoned, np.nan, t + wait)
            parts.append(pd.DataFrame({"t": t, "line": line, "answered": answered, "abandoned": abandoned,
                                       "queue": queue}))
    df = pd.concat(parts, ignore_index=True).sort_values(["t", "line"], kind="stable", ignore_index=True)
    return pd.DataFrame({
        "call_id": [f"C{i:07d}" for i in range(1, len(df) + 1)],
        "line": df["line"].to_numpy(),
        "offered_ts": iso_local(df["t"].to_numpy()),
        "answered_ts": iso_local(df["answered"].to_numpy()),
        "abandoned_flag": np.where(df["abandoned"], "Y", "N"),
        "queue": df["queue"].to_numpy(),
    })


def incidents(seed: int = DEFAULT_SEED, start: str = START, end: str = END) -> pd.DataFrame:
    """One row per incident created: grade, district, rurality, and when the first resource arrived."""
    rng = np.random.default_rng([seed, 2])
    names = list(DISTRICTS)
    pop = np.array([DISTRICTS[d][0] for d in names], dtype=float)
    rural_share = np.array([DISTRICTS[d][1] for d in names])
    # minutes to arrival: (median urban, median rural, sigma, share never attended)
    shape = {"emergency": (9.5, 14.0, 0.55, 0.03), "priority": (45.0, 60.0, 0.8, 0.10),
             "scheduled": (1440.0, 1800.0, 0.9, 0.30)}
    parts = []
    for m in months(start, end):
        s = _season(m)
        for grade, base in INCIDENTS_PER_MONTH.items():
            n = int(rng.poisson(base * (1 + 0.08 * s)))
            t = _instants(rng, m, n)
            d = rng.choice(len(names), n, p=pop / pop.sum())
            rural = rng.random(n) < rural_share[d]
            med_u, med_r, sigma, p_none = shape[grade]
            med = np.where(rural, med_r, med_u) * (1 + 0.04 * s)
            minutes = np.exp(rng.normal(np.log(med), sigma))
            arrived = np.where(rng.random(n) < p_none, np.nan, t + np.rint(minutes * 60))
            parts.append(pd.DataFrame({"t": t, "grade": grade, "arrived": arrived,
                                       "district": np.array(names, dtype=object)[d], "rural": rural}))
    df = pd.concat(parts, ignore_index=True).sort_values(["t", "grade"], kind="stable", ignore_index=True)
    return pd.DataFrame({
        "incident_id": [f"I{i:07d}" for i in range(1, len(df) + 1)],
        "grade": df["grade"].to_numpy(),
        "created_ts": iso_local(df["t"].to_numpy()),
        "arrived_ts": iso_local(df["arrived"].to_numpy()),
        "district": df["district"].to_numpy(),
        "rural_flag": np.where(df["rural"], "Y", "N"),
    })


def _dates(rng: np.random.Generator, month: str, n: int) -> np.ndarray:
    """n dates within a month, sorted."""
    first = np.datetime64(month + "-01")
    days = int(((np.datetime64(month, "M") + 1).astype("datetime64[D]") - first).astype(int))
    return np.sort(first + rng.integers(0, days, n).astype("timedelta64[D]"))


def charge_decisions(seed: int = DEFAULT_SEED, start: str = START, end: str = END) -> pd.DataFrame:
    """One row per pre-charge decision on a crime, by the police or the CPS, with the domestic abuse flag."""
    rng = np.random.default_rng([seed, 3])
    kinds = ["charge", "NFA", "further action", "caution", "other"]
    parts = []
    for m in months(start, end):
        n = int(rng.poisson(DECISIONS_PER_MONTH * (1 + 0.05 * _season(m))))
        da = rng.random(n) < 0.30
        p_other = [0.55, 0.22, 0.12, 0.06, 0.05]
        p_da = [0.47, 0.28, 0.15, 0.05, 0.05] if m < DA_PUSH else [0.38, 0.37, 0.15, 0.05, 0.05]
        dec = np.where(da, rng.choice(kinds, n, p=p_da), rng.choice(kinds, n, p=p_other))
        cps = rng.random(n) < np.where(da, 0.70, 0.35)
        parts.append(pd.DataFrame({"d": _dates(rng, m, n), "decision": dec, "cps": cps, "da": da}))
    df = pd.concat(parts, ignore_index=True)
    n = len(df)
    # the crime each decision is on: recorded 1 to 400 days before the decision (reference only, not in this file)
    ref = rng.permutation(n) + 1
    return pd.DataFrame({
        "decision_id": [f"D{i:06d}" for i in range(1, n + 1)],
        # CR9 followed by 7 digits: the crimes extract's format, in a range its sample does not use
        "crime_ref": [f"CR9{r:07d}" for r in ref],
        "decision_date": np.datetime_as_string(df["d"].to_numpy(), unit="D"),
        "decision": df["decision"].to_numpy(),
        "decision_maker": np.where(df["cps"], "CPS", "police"),
        "da_flag": np.where(df["da"], "Y", "N"),
    })


def case_files(seed: int = DEFAULT_SEED, start: str = START, end: str = END) -> pd.DataFrame:
    """One row per case file assessed for quality (national file standards) in a month."""
    rng = np.random.default_rng([seed, 4])
    errors = {"national file standard": 0.62, "victim and witness requirements": 0.22, "evidential": 0.16}
    parts = []
    for m in months(start, end):
        n = int(rng.poisson(CASE_FILES_PER_MONTH))
        ok = rng.random(n) < 0.76 + rng.normal(0, 0.02)
        err = np.where(ok, "", rng.choice(list(errors), n, p=list(errors.values())))
        parts.append(pd.DataFrame({"m": m, "ok": ok, "err": err}))
    df = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({
        "file_id": [f"F{i:06d}" for i in range(1, len(df) + 1)],
        "assessment_month": df["m"].to_numpy(),
        "compliant": np.where(df["ok"], "Y", "N"),
        "error_type": df["err"].to_numpy(),
    })


def court_cases(seed: int = DEFAULT_SEED, start: str = START, end: str = END) -> pd.DataFrame:
    """One row per charged case: offence, charge, first hearing and completion dates (completion and result
    empty while the case is open at the extract date, the end of the sample)."""
    rng = np.random.default_rng([seed, 5])
    last = (np.datetime64(end, "M") + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    results = {"guilty plea": 0.62, "convicted after trial": 0.12, "acquitted": 0.07, "discontinued": 0.12,
               "other": 0.07}
    parts = []
    # cases charged in the two years before the sample starts are included, as a court extract holds every case
    # open or completed in its window: without them the first months would see only fast completions
    for m in months(str(pd.Period(start, freq="M") - 24), end):
        n = int(rng.poisson(COURT_CASES_PER_MONTH))
        charge = _dates(rng, m, n)
        offence = charge - np.rint(np.exp(rng.normal(np.log(25), 1.3, n))).astype("timedelta64[D]")
        first = charge + np.rint(np.exp(rng.normal(np.log(24), 0.5, n))).astype("timedelta64[D]")
        crown = rng.random(n) < 0.18
        to_complete = np.where(crown, np.exp(rng.normal(np.log(300), 0.6, n)), np.exp(rng.normal(np.log(40), 1.0, n)))
        done = first + np.rint(to_complete).astype("timedelta64[D]")
        res = rng.choice(list(results), n, p=list(results.values()))
        parts.append(pd.DataFrame({"offence": offence, "charge": charge, "first": first, "done": done, "res": res}))
    df = pd.concat(parts, ignore_index=True)
    first_open = df["first"].to_numpy() > last
    open_ = df["done"].to_numpy() > last
    iso = lambda a: np.datetime_as_string(a, unit="D").astype(object)  # noqa: E731
    return pd.DataFrame({
        "case_id": [f"K{i:06d}" for i in range(1, len(df) + 1)],
        "offence_date": iso(df["offence"].to_numpy()),
        "charge_date": iso(df["charge"].to_numpy()),
        "first_hearing_date": np.where(first_open, "", iso(df["first"].to_numpy())),
        "completion_date": np.where(open_, "", iso(df["done"].to_numpy())),
        "result": np.where(open_, "", df["res"].to_numpy()),
    })


GENERATORS = {"calls": calls, "incidents": incidents, "charge_decisions": charge_decisions,
              "case_files": case_files, "court_cases": court_cases}


def write_csv_gz(df: pd.DataFrame, path: Path, level: int = 6) -> Path:
    """CSV (UTF-8, LF, a missing value as an empty field, quotes only where needed) gzipped with mtime 0 and no
    file name in the gzip header, so the same frame always gives the same bytes. DuckDB writes the CSV (pandas
    takes several times longer on 1.5 million rows)."""
    import tempfile

    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    frame = df.replace("", None)
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "x.csv"
        con = duckdb.connect()
        try:
            con.execute("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
            con.register("frame", frame)
            con.execute(f"COPY (SELECT * FROM frame) TO '{plain}' (HEADER, DELIMITER ',')")
        finally:
            con.close()
        with open(plain, "rb") as src, open(path, "wb") as raw, \
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=level) as gz:
            while chunk := src.read(1 << 22):
                gz.write(chunk)
    return path


def generate(out_dir: Path, seed: int = DEFAULT_SEED, only: list[str] | None = None) -> list[Path]:
    """Write each extract to `out_dir/<name>.csv.gz` (all five, or those in `only`); the paths written. Each file
    is written under a temporary name and renamed, so a reader never sees half a file."""
    import os

    out = []
    for name, gen in GENERATORS.items():
        if only is None or name in only:
            df = gen(seed)
            if list(df.columns) != COLUMNS[name]:
                raise AssertionError(f"{name}: columns {list(df.columns)} are not the contract's {COLUMNS[name]}")
            final = Path(out_dir) / f"{name}.csv.gz"
            tmp = write_csv_gz(df, final.with_name(f".{name}.{os.getpid()}.tmp"))
            os.replace(tmp, final)
            out.append(final)
    return out
