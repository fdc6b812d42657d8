"""Stop and search: volumes, find / arrest / no-further-action rates, strip searches and ethnic disproportionality.

Works on the prepared table `police_uk_stop_search.parquet` (one row per search; `month` is the month of the
UTC `Date`). Every proportion carries a Wilson 95% interval (rates.wilson_ci); every rate ratio carries a 95%
interval (rates.rate_ratio_ci, log RR ± 1.96·√(1/a+1/b)); cells whose count is below `min_count` are suppressed
(blanked, with `suppressed = True`), never silently dropped.

Definitions (data.police.uk fields):
  find rate (all searches)    searches with "Outcome linked to object of search" = True ÷ all searches (the
                headline: a blank field counts as not found, so it understates if some blanks were finds).
  find rate (field recorded)  the same finds ÷ searches where that field is recorded (True or False). The field
                is filled far more often for arrests and community resolutions than for no-further-action
                searches, so this rate overstates (field_recorded_by_outcome shows by how much); it is shown
                beside the headline, with the share where the field is empty.
  arrest rate   searches with Outcome "Arrest" (or the older "Suspect arrested") ÷ all searches.
  NFA share     searches with Outcome "A no further action disposal" (or the older NFA labels) ÷ all searches.
  strip search  "Removal of more than just outer clothing" = True; the share is of searches where it is recorded.
  disproportionality  searches per 1,000 residents of each Census ethnic group (Census 2011 or 2021 by police
                force area), and the ratio of each group's rate to the White rate.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scrutiny import paths
from scrutiny.analyses.summary import frame as summary_frame
from scrutiny.reference import months
from scrutiny.reference.forces import force_key
from scrutiny.stats import rates

CENSUS_GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
NOT_STATED = "Not stated"
UNMAPPED = "Not mapped"

# Officer-defined ethnicity (police.uk's 5 values) -> Census 5 groups: the same names.
OFFICER_TO_CENSUS = {g: g for g in CENSUS_GROUPS}

# Self-defined ethnicity is written "<Census high-level group> - <category>"; the prefix decides the group.
SELF_DEFINED_PREFIX_TO_CENSUS = {
    "White": "White",
    "Black/African/Caribbean/Black British": "Black",
    "Asian/Asian British": "Asian",
    "Mixed/Multiple ethnic groups": "Mixed",
    "Other ethnic group": "Other",
}
SELF_DEFINED_NOT_STATED = {"Other ethnic group - Not stated"}

ARREST_OUTCOMES = {"Arrest", "Suspect arrested"}
NFA_OUTCOMES = {"A no further action disposal", "Nothing found - no further action",
                "Suspected psychoactive substances seized - No further action"}

LEGISLATION_GROUPS = {
    "Police and Criminal Evidence Act 1984 (section 1)": "PACE 1984 s1",
    "Misuse of Drugs Act 1971 (section 23)": "Misuse of Drugs Act 1971 s23",
    "Criminal Justice and Public Order Act 1994 (section 60)": "CJPOA 1994 s60",
    "Firearms Act 1968 (section 47)": "Firearms Act 1968 s47",
}
LEGISLATION_ORDER = list(LEGISLATION_GROUPS.values()) + ["Other powers", "Not recorded"]
CHILD_AGE_RANGES = ("under 10", "10-17")


def officer_group(value) -> str:
    """Census group of an officer-defined ethnicity: White/Black/Asian/Mixed/Other; empty -> 'Not stated'."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return NOT_STATED
    return OFFICER_TO_CENSUS.get(str(value).strip(), UNMAPPED)


def self_defined_group(value) -> str:
    """Census group of a self-defined ethnicity from its prefix ("Asian/Asian British - Pakistani" -> "Asian").

    "Other ethnic group - Not stated" and empty values -> 'Not stated'; a label with no known prefix ->
    'Not mapped' (counted and shown, never guessed).
    """
    if value is None or (isinstance(value, float) and value != value):
        return NOT_STATED
    v = str(value).strip()
    if v == "" or v in SELF_DEFINED_NOT_STATED:
        return NOT_STATED
    prefix = v.split(" - ", 1)[0].strip()
    return SELF_DEFINED_PREFIX_TO_CENSUS.get(prefix, UNMAPPED)


def legislation_group(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return "Not recorded"
    return LEGISLATION_GROUPS.get(str(value), "Other powers")


def load(parquet: str | Path) -> pd.DataFrame:
    """The prepared searches with derived columns: officer/self groups, legislation group, arrest, nfa."""
    df = pd.read_parquet(parquet)
    df["officer_group"] = df["officer_defined_ethnicity"].map(officer_group)
    df["self_group"] = df["self_defined_ethnicity"].map(self_defined_group)
    df["legislation_group"] = df["legislation"].map(legislation_group)
    df["arrest"] = df["outcome"].isin(ARREST_OUTCOMES)
    df["nfa"] = df["outcome"].isin(NFA_OUTCOMES)
    df["child"] = df["age_range"].isin(CHILD_AGE_RANGES)
    return df


def period_split(df: pd.DataFrame, period: tuple[str, str]) -> tuple[pd.DataFrame, dict]:
    """Searches whose UTC month lies in the period, and the counts of rows that moved month or fell outside."""
    inside = df["month"].between(period[0], period[1])
    info = {
        "rows": len(df),
        "month_differs_from_file": int((df["month"] != df["file_month"]).sum()),
        "outside_period": int((~inside).sum()),
        "in_period": int(inside.sum()),
    }
    return df[inside].copy(), info


def reporting_quarters(period: tuple[str, str], available: tuple[str, str]) -> dict:
    """The reporting quarter (the 3 months ending at the period end) and its comparison quarter.

    The comparison is the same quarter a year earlier when all its months are in `available`; otherwise the
    quarter just before (labelled so), or None when that is not available either.
    """
    end = period[1]
    rq = (months.shift(end, -2), end)
    same = (months.shift(rq[0], -12), months.shift(end, -12))
    prev = (months.shift(rq[0], -3), months.shift(end, -3))
    comp, kind = None, "none"
    if same[0] >= available[0]:
        comp, kind = same, "same quarter a year earlier"
    elif prev[0] >= available[0]:
        comp, kind = prev, "previous quarter (the same quarter a year earlier is not in the data)"
    return {"reporting": rq, "comparison": comp, "comparison_kind": kind}


def quarter_span_label(q: tuple[str, str] | None) -> str:
    """A financial quarter by its label: ('2024-10', '2024-12') -> 'Q3 2024/25 (October–December 2024)'.

    Three months that are not a financial quarter (a period ending mid-quarter) are written out:
    ('2024-11', '2025-01') -> 'November 2024 to January 2025'."""
    if q is None:
        return "none"
    if months.financial_quarter_months(q[0]) == [q[0], months.shift(q[0], 1), q[1]]:
        return months.financial_quarter_long(q[0])
    a, b = months.label(q[0]), months.label(q[1])
    return f"{a.split()[0]} to {b}" if q[0][:4] == q[1][:4] else f"{a} to {b}"


def monthly_volume(df: pd.DataFrame, period: tuple[str, str]) -> pd.DataFrame:
    """Searches per month on the full month grid (a month with none is 0)."""
    grid = months.span(*period)
    s = df.groupby("month").size().reindex(grid, fill_value=0)
    return pd.DataFrame({"month": grid, "value": s.to_numpy().astype("int64")})


def proportion(x: int, n: int, min_count: int) -> dict:
    """x of n with the Wilson 95% interval; suppressed when the denominator is below min_count."""
    sup = n < min_count
    lo, hi = rates.wilson_ci(x, n) if n > 0 and not sup else (float("nan"), float("nan"))
    return {"count": float("nan") if sup else x, "denominator": n,
            "rate": float("nan") if sup or n == 0 else x / n, "ci_low": lo, "ci_high": hi, "suppressed": sup}


FIND_ALL = "find rate (all searches)"
FIND_RECORDED = "find rate (field recorded)"


def _measures(df: pd.DataFrame) -> dict[str, tuple[int, int]]:
    rec = df["outcome_linked"].notna()
    strip_rec = df["removal_more_than_outer"].notna()
    found = int((df["outcome_linked"] == True).sum())  # noqa: E712
    return {
        FIND_ALL: (found, len(df)),
        FIND_RECORDED: (found, int(rec.sum())),
        "find not recorded": (int((~rec).sum()), len(df)),
        "arrest rate": (int(df["arrest"].sum()), len(df)),
        "no further action": (int(df["nfa"].sum()), len(df)),
        "strip search": (int((df["removal_more_than_outer"] == True).sum()), int(strip_rec.sum())),  # noqa: E712
    }


def rates_table(df: pd.DataFrame, period: tuple[str, str], q: dict, min_count: int) -> pd.DataFrame:
    """Find, arrest, NFA and strip-search proportions for the period, the reporting quarter and its comparison,
    with Wilson intervals and the two-proportion test of reporting vs comparison quarter."""
    windows = [("period", period), ("reporting quarter", q["reporting"])]
    if q["comparison"]:
        windows.append(("comparison quarter", q["comparison"]))
    got = {w: _measures(df[df["month"].between(*rng)]) for w, rng in windows}
    rows = []
    for m in got["period"]:
        row = {"measure": m}
        for w, _ in windows:
            x, n = got[w][m]
            pr = proportion(x, n, min_count)
            key = w.replace(" ", "_")
            row.update({f"{key}_count": pr["count"], f"{key}_n": n, f"{key}_rate": pr["rate"],
                        f"{key}_ci_low": pr["ci_low"], f"{key}_ci_high": pr["ci_high"]})
        if q["comparison"]:
            (x1, n1), (x2, n2) = got["reporting quarter"][m], got["comparison quarter"][m]
            if min(n1, n2) >= min_count:
                t = rates.two_proportion_test(x1, n1, x2, n2)
                row.update(test=t.method, pvalue=t.pvalue, significant=bool(t.significant()))
            else:
                row.update(test=f"not tested (fewer than {min_count} in a quarter)", pvalue=float("nan"),
                           significant=False)
        rows.append(row)
    return pd.DataFrame(rows)


def breakdown(df: pd.DataFrame, column: str, order: list[str] | None = None, min_count: int = 10) -> pd.DataFrame:
    """Searches by a column, with share of all searches, the find rate over all searches and over searches with
    the find field recorded (both Wilson), and the arrest rate (Wilson).

    Counts are always shown (they are counts of published records, and a zero is information); a rate whose
    denominator is below `min_count` is blanked and flagged (find_suppressed for the recorded-field rate,
    arrest_suppressed for the rates over all searches of the row)."""
    total = len(df)
    out = []
    keys = order if order is not None else list(df[column].fillna("Not recorded").value_counts().index)
    col = df[column].fillna("Not recorded")
    for k in keys:
        g = df[col == k]
        n = len(g)
        rec = int(g["outcome_linked"].notna().sum())
        found = int((g["outcome_linked"] == True).sum())  # noqa: E712
        f = proportion(found, rec, min_count)
        fa = proportion(found, n, min_count)
        a = proportion(int(g["arrest"].sum()), n, min_count)
        out.append({column: k, "searches": n, "share": n / total if total else float("nan"), "found": found,
                    "find_rate_all": fa["rate"], "find_all_ci_low": fa["ci_low"], "find_all_ci_high": fa["ci_high"],
                    "find_recorded": rec, "find_rate_recorded": f["rate"], "find_recorded_ci_low": f["ci_low"],
                    "find_recorded_ci_high": f["ci_high"], "arrest_rate": a["rate"], "arrest_ci_low": a["ci_low"],
                    "arrest_ci_high": a["ci_high"], "find_suppressed": f["suppressed"],
                    "arrest_suppressed": a["suppressed"]})
    return pd.DataFrame(out)


def find_pfa(census: pd.DataFrame, force: str, pfa_code: str | None = None) -> pd.Series:
    """The Census row of a force: by PFA code when given, else by name ("Cambridgeshire Constabulary" matches
    the ONS PFA name "Cambridgeshire"; names compared by pfa.force_key)."""
    if pfa_code:
        hit = census[census["pfa_code"] == pfa_code]
        if len(hit) != 1:
            raise ValueError(f"PFA code {pfa_code!r} is not in the Census table")
        return hit.iloc[0]
    names = census["pfa_name"].map(force_key)
    hit = census[names == force_key(force)]
    if len(hit) != 1:
        raise ValueError(f"cannot find the police force area of {force!r} in the Census table; "
                         f"set stop_search.pfa_code in the params (e.g. E23000023)")
    return hit.iloc[0]


def census_table(year: int) -> Path:
    return paths.REPO_ROOT / "data" / "reference" / f"ethnicity_pfa_{year}.csv"


def disproportionality(df: pd.DataFrame, population: pd.Series, min_count: int) -> pd.DataFrame:
    """Searches per 1,000 residents by Census group, officer- and self-defined, with the ratio to White.

    Columns: ethnic_group, definition, searches, population, rate_per_1000, ratio_to_white, ci_low, ci_high,
    suppressed. A group with fewer than `min_count` searches is suppressed (count, rate and ratio blanked);
    when White itself is below min_count every ratio of that definition is blanked. The White row has ratio 1
    and no interval (it is the reference).
    """
    rows = []
    for definition, col in (("officer-defined", "officer_group"), ("self-defined", "self_group")):
        counts = df[col].value_counts()
        w = int(counts.get("White", 0))
        pw = float(population["White"])
        for g in CENSUS_GROUPS:
            a = int(counts.get(g, 0))
            pop = float(population[g])
            sup = a < min_count
            row = {"ethnic_group": g, "definition": definition, "searches": a, "population": int(pop),
                   "rate_per_1000": 1000 * a / pop, "ratio_to_white": float("nan"), "ci_low": float("nan"),
                   "ci_high": float("nan"), "suppressed": sup}
            if g == "White":
                row["ratio_to_white"] = 1.0 if not sup else float("nan")
            elif not sup and w >= min_count:
                rr = rates.rate_ratio_ci(a, pop, w, pw)
                row.update(ratio_to_white=rr.ratio, ci_low=rr.low, ci_high=rr.high)
            if sup:
                row.update(searches=float("nan"), rate_per_1000=float("nan"))
            rows.append(row)
    return pd.DataFrame(rows)


def ethnicity_coverage(df: pd.DataFrame) -> pd.DataFrame:
    """Searches by officer- and self-defined group including Not stated / Not mapped, with shares."""
    out = []
    for definition, col in (("officer-defined", "officer_group"), ("self-defined", "self_group")):
        c = df[col].value_counts()
        for g in CENSUS_GROUPS + [NOT_STATED, UNMAPPED]:
            n = int(c.get(g, 0))
            if g == UNMAPPED and n == 0:
                continue
            out.append({"definition": definition, "group": g, "searches": n, "share": n / len(df) if len(df) else 0})
    return pd.DataFrame(out)


def self_defined_mapping(df: pd.DataFrame) -> pd.DataFrame:
    """Every self-defined label seen, the Census group it maps to and how many searches carry it."""
    c = df["self_defined_ethnicity"].fillna("(empty)").value_counts()
    return pd.DataFrame({"self_defined_ethnicity": c.index,
                         "census_group": [self_defined_group(None if v == "(empty)" else v) for v in c.index],
                         "searches": c.to_numpy()}).sort_values(["census_group", "searches"],
                                                                ascending=[True, False]).reset_index(drop=True)


def strip_searches(df: pd.DataFrame, min_count: int) -> dict[str, pd.DataFrame]:
    """Strip searches (more than outer clothing removed): by officer-defined group and by age range.

    Each row: searches, strip searches, share of searches with the field recorded (Wilson interval); cells with
    fewer than `min_count` searches in the row are suppressed."""
    out = {}
    for name, col, order in (("ethnicity", "officer_group", CENSUS_GROUPS + [NOT_STATED]),
                             ("age", "age_range", ["under 10", "10-17", "18-24", "25-34", "over 34", "Not recorded"])):
        c = df[col].fillna("Not recorded")
        rows = []
        for k in order:
            g = df[c == k]
            rec = int(g["removal_more_than_outer"].notna().sum())
            strip = int((g["removal_more_than_outer"] == True).sum())  # noqa: E712
            pr = proportion(strip, rec, min_count)
            rows.append({col: k, "searches": len(g), "recorded": rec, "strip_searches": strip,
                         "share": pr["rate"], "ci_low": pr["ci_low"], "ci_high": pr["ci_high"],
                         "suppressed": pr["suppressed"]})
        out[name] = pd.DataFrame(rows)
    return out


def field_recorded_by_outcome(df: pd.DataFrame) -> pd.DataFrame:
    """How often "Outcome linked to object of search" is filled in, by search outcome: searches, field recorded,
    share recorded, object found. Shows the direction of the bias of the recorded-field find rate."""
    out = []
    for k, g in df.groupby(df["outcome"].fillna("Not recorded"), sort=False):
        rec = int(g["outcome_linked"].notna().sum())
        out.append({"outcome": k, "searches": len(g), "field_recorded": rec, "share_recorded": rec / len(g),
                    "found": int((g["outcome_linked"] == True).sum())})  # noqa: E712
    return pd.DataFrame(out).sort_values(["searches", "outcome"], ascending=[False, True]).reset_index(drop=True)


def find_field_shares(df: pd.DataFrame) -> tuple[float, float]:
    """Share of no-further-action searches and of the other searches with the find field recorded."""
    nfa, other = df[df["nfa"]], df[~df["nfa"]]
    share = lambda g: float(g["outcome_linked"].notna().mean()) if len(g) else float("nan")  # noqa: E731
    return share(nfa), share(other)


def find_bias_short(df: pd.DataFrame) -> str:
    """A short clause on the recorded-field rate's bias for the Summary table, from the data."""
    a, b = find_field_shares(df)
    if a != a or b != b:
        return "direction of its bias not shown (no no-further-action searches, or no others)"
    word = "overstates" if a < b else "may understate" if a > b else "no clear bias"
    return (f"{word}: the field is filled for {100 * a:.0f}% of no-further-action searches and {100 * b:.0f}% of "
            f"the others")


def find_bias_sentence(df: pd.DataFrame) -> str:
    """The direction of the recorded-field find rate's bias, from the data: the share of no-further-action
    searches with the field filled against the share of the other searches."""
    a, b = find_field_shares(df)
    if a != a or b != b:
        return ("The find field cannot be compared between no-further-action and other searches here (one of "
                "them is empty), so the direction of the recorded-field rate's bias is not shown.")
    direction = ("overstates" if a < b else "may understate" if a > b else "is not obviously biased relative to")
    return (f"The field is filled for {100 * a:.1f}% of no-further-action searches but {100 * b:.1f}% of the "
            f"others (arrests, community resolutions and other outcomes, where an object is more often found), so "
            f"the rate over searches with the field recorded {direction} the find rate; the rate over all searches "
            f"counts every blank as not found, so it is a lower bound.")


def findings(disp: pd.DataFrame, period_label: str, link: str = "stop_search.html") -> pd.DataFrame:
    """Findings for questions to the force (questions.FINDING_COLUMNS): each officer-defined ethnic group searched
    at a significantly higher rate than White residents (the lower end of the rate ratio's 95% interval above 1)."""
    from scrutiny.analyses.questions import FINDING_COLUMNS

    rows = []
    d = disp[(disp["definition"] == "officer-defined") & (disp["ethnic_group"] != "White")]
    for r in d.itertuples():
        if r.ci_low == r.ci_low and r.ci_low > 1:
            rows.append({"section": "stop_search", "kind": "disproportionality", "priority": "Fair and legitimate policing",
                         "measure": "stop_search_rate", "label": "Stop and search", "area": "force",
                         "finding": f"{r.ethnic_group} people (officer-defined) were searched at {r.ratio_to_white:.1f} "
                                    f"times the rate of White people per 1,000 residents in {period_label} "
                                    f"(95% interval {r.ci_low:.1f} to {r.ci_high:.1f}; Census denominators).",
                         "evidence": f"{link}#ss-disproportionality", "link": f"{link}#ss-disproportionality",
                         "csv": "tables/stop_search_disproportionality.csv",
                         "row_key": f"ethnic_group={r.ethnic_group};definition=officer-defined"})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


# --- page text, tables and Summary rows (the notebook only places them) ------------------------------------------

RATE_COLUMNS = ["share", "find_rate_all", "find_all_ci_low", "find_all_ci_high", "find_rate_recorded",
                "find_recorded_ci_low", "find_recorded_ci_high", "arrest_rate", "arrest_ci_low", "arrest_ci_high"]
PCT_FORMATS = {c: "{:.1%}" for c in RATE_COLUMNS}  # breakdown() tables: every share and rate as a percentage


def pct(x) -> str:
    """A share as a percentage with one decimal ('12.3%'); blank for a missing value."""
    return "" if pd.isna(x) else f"{100 * x:.1f}%"


def ci_text(lo, hi, f=pct) -> str:
    """'95% CI lo to hi' with each end formatted by f; blank when the interval is missing."""
    return "" if pd.isna(lo) else f"95% CI {f(lo)} to {f(hi)}"


def _count(n, disclosure):
    from scrutiny.analyses.narrative import fmt_count

    return fmt_count(n, disclosure)


def intro_sentence(period: tuple[str, str], rq, force: str, searches: int, disclosure=None) -> str:
    """The page's opening sentence: period, reporting quarter, source and the number of searches."""
    return (f"Period analysed: {months.label(period[0])} to {months.label(period[1])}; reporting quarter "
            f"{quarter_span_label(rq)}. Source: data.police.uk stop and search files for {force} "
            f"(one row = one search of a person, a vehicle, or both). {_count(searches, disclosure)} searches in the "
            f"period.")


def month_note(info: dict, disclosure=None) -> str:
    """How a search's month is decided (UTC Date), with period_split's counts of rows moved or left out."""
    c = lambda n: _count(n, disclosure)  # noqa: E731
    return (f"Month of a search: the month of its Date, which the publisher writes in UTC. A search just after "
            f"midnight British Summer Time on the 1st therefore sits in the previous month's file's month. "
            f"{c(info['month_differs_from_file'])} of the {c(info['rows'])} rows in the files have a timestamp month "
            f"different from their file's month (they are counted under the timestamp's month); "
            f"{c(info['outside_period'])} fall outside the period by their timestamp and are not analysed.")


def method_note(q: dict, min_count: int) -> str:
    """How judgements are made: Wilson intervals, the quarter test, rate-ratio intervals, small numbers."""
    return (f"How judgements are made. Proportions (find, arrest, no further action, strip search) carry a Wilson 95% "
            f"confidence interval. The reporting quarter is compared with the {q['comparison_kind']} "
            f"({quarter_span_label(q['comparison'])}) by a two-sided two-proportion z-test (pooled), or Fisher's exact "
            f"test when an expected cell is below 5; 'significant' is used only when p < 0.05. Rate ratios carry a "
            f"95% interval, log rate ratio ± 1.96 × √(1/a + 1/b), a and b the two groups' search counts. Small "
            f"numbers (params stop_search.min_count = {min_count}): in the disproportionality table an ethnic group "
            f"with fewer than {min_count} searches is suppressed (count, rate and ratio left blank, suppressed = "
            f"True); elsewhere counts are shown in full and any rate or share resting on fewer than {min_count} "
            f"searches is left blank, because rates on so few searches are unstable.")


def quarter_counts(df: pd.DataFrame, q: dict) -> tuple[int, int | None]:
    """Searches in the reporting quarter and in the comparison quarter (None when there is none)."""
    rq, cq = q["reporting"], q["comparison"]
    return int(df["month"].between(*rq).sum()), (int(df["month"].between(*cq).sum()) if cq else None)


def strip_counts(df: pd.DataFrame) -> tuple[int, int]:
    """Searches that removed more than outer clothing, and how many of them were of children."""
    strip = df["removal_more_than_outer"] == True  # noqa: E712
    return int(strip.sum()), int((strip & df["child"]).sum())


def summary_rows(df: pd.DataFrame, period: tuple[str, str], q: dict, x: pd.DataFrame, rates_t: pd.DataFrame,
                 disp: pd.DataFrame, census_year: int, min_count: int, disclosure=None) -> pd.DataFrame:
    """The four Summary rows (volume, find rate, disproportionality, strip searches) with the pack's Summary
    columns; x is the monthly XmR frame (spc.xmr), rates_t rates_table(), disp disproportionality()."""
    from scrutiny.analyses.narrative import fmt_p

    c = lambda n: _count(n, disclosure)  # noqa: E731
    rq, cq = q["reporting"], q["comparison"]
    R = rates_t.set_index("measure")
    fr, frr, last = R.loc[FIND_ALL], R.loc[FIND_RECORDED], x.iloc[-1]
    bw = disp.set_index(["definition", "ethnic_group"]).loc[("officer-defined", "Black")]
    n_rq, n_cq = quarter_counts(df, q)
    strip_total, strip_child = strip_counts(df)
    summary = pd.DataFrame([
        {"topic": "Stop and search: searches", "measure": "stop_search_volume", "inclusion": "Quarter unless exceptional",
         "data": f"{c(n_rq)} searches in {quarter_span_label(rq)}"
                 + (f" ({c(n_cq)} in {quarter_span_label(cq)})" if cq else "") + f"; {c(len(df))} in the period",
         "commentary": (f"{months.label(period[1])} is outside the SPC limits ({last['special_cause']})."
                        if last["rule"] == "outside limits" else "No exceptional monthly volume (XmR chart).")},
        {"topic": "Stop and search: find rate", "measure": "stop_search_find_rate", "inclusion": "Quarter unless exceptional",
         "data": (f"{pct(fr['period_rate'])} of all searches found the object searched for "
                  f"({ci_text(fr['period_ci_low'], fr['period_ci_high'])}; {c(fr['period_count'])} of "
                  f"{c(int(fr['period_n']))})" if pd.notna(fr["period_rate"]) else
                  f"Find rate suppressed: fewer than {min_count} searches")
                 + (f"; {pct(frr['period_rate'])} of the searches with the field recorded "
                    f"({find_bias_short(df)})" if pd.notna(frr["period_rate"]) else "")
                 + f"; not recorded for {pct(R.loc['find not recorded', 'period_rate'])}",
         "commentary": ("Find rate over all searches, reporting quarter vs " + q["comparison_kind"].split(" (")[0] + ": "
                        + ("significant change" if fr["significant"] else "no significant change")
                        + f" ({fr['test']}, {fmt_p(fr['pvalue'])})") if cq and pd.notna(fr.get("pvalue")) else
         "No comparison quarter in the data."},
        {"topic": "Stop and search: ethnic disproportionality", "measure": "stop_search_disproportionality",
         "inclusion": "Quarter unless exceptional",
         "data": ("Black people were searched at " + f"{bw['ratio_to_white']:.1f} times the White rate "
                  f"(officer-defined, Census {census_year}; {ci_text(bw['ci_low'], bw['ci_high'], lambda v: f'{v:.1f}')})")
         if pd.notna(bw["ratio_to_white"]) else "Black/White ratio suppressed (too few searches)",
         "commentary": f"Rates per 1,000 residents over {len(months.span(*period))} months; see the page for every "
                       f"group, both definitions."},
        {"topic": "Strip searches", "measure": "stop_search_strip", "inclusion": "Quarter unless exceptional",
         "data": f"{c(strip_total)} searches removed more than outer clothing in the period "
                 f"({pct(R.loc['strip search', 'period_rate'])} of searches with the field recorded)",
         "commentary": f"{c(strip_child)} of them of children (under 18)."},
    ])
    summary["shown"] = True
    summary["link"] = "stop_search.html#" + summary["measure"].str.replace("stop_search_", "ss-")
    return summary_frame(summary.to_dict(orient="records"))


def volume_sentence(df: pd.DataFrame, q: dict, disclosure=None) -> str:
    """Searches in the period and the reporting quarter, against the comparison quarter when there is one."""
    n_rq, n_cq = quarter_counts(df, q)
    return (f"{_count(len(df), disclosure)} searches in the period; {_count(n_rq, disclosure)} in the reporting "
            f"quarter" + (f", against {_count(n_cq, disclosure)} in {quarter_span_label(q['comparison'])} "
                          f"({q['comparison_kind']})." if q["comparison"] else "."))


def xmr_note(x: pd.DataFrame, n_months: int, baseline_months: int, rules_description: str) -> str:
    """How the XmR limits are set, saying when the period is shorter than the baseline."""
    return (f"XmR chart: centre = mean of the first {x.attrs['baseline_points']} months, limits = centre ± 2.66 × mean "
            f"moving range; control-chart rules: {rules_description}"
            + (f" The period has only {n_months} months, fewer than the {baseline_months}-month baseline set "
               f"in the params: the limits use all {n_months}, the reporting month included, and are "
               f"provisional." if n_months < baseline_months else ""))


def monthly_table(x: pd.DataFrame) -> pd.DataFrame:
    """The monthly XmR frame as shown: searches, monthly average, limits, rule and variation."""
    return x[["month", "value", "centre", "lower", "upper", "rule", "variation"]].rename(
        columns={"value": "searches", "centre": "monthly average", "lower": "lower limit", "upper": "upper limit",
                 "rule": "SPC rule"})


def legislation_detail(df: pd.DataFrame) -> pd.DataFrame:
    """Searches by legislation as published (empty as 'Not recorded'), most used first."""
    return (df["legislation"].fillna("Not recorded").value_counts().rename_axis("legislation")
            .reset_index(name="searches"))


def find_paragraph(df: pd.DataFrame, rates_t: pd.DataFrame, min_count: int, disclosure=None) -> str:
    """The find, arrest and no-further-action paragraph for the period (rates_table's period columns)."""
    c = lambda n: _count(n, disclosure)  # noqa: E731
    R = rates_t.set_index("measure")
    fr, frr = R.loc[FIND_ALL], R.loc[FIND_RECORDED]
    return ((f"Find rate: the object searched for was found in {c(fr['period_count'])} of the "
             f"{c(int(fr['period_n']))} searches, {pct(fr['period_rate'])} "
             f"({ci_text(fr['period_ci_low'], fr['period_ci_high'])}; 'Outcome linked to object of search' = True, "
             f"over all searches). " if pd.notna(fr["period_rate"]) else
             f"Find rate suppressed (fewer than {min_count} searches to base it on). ")
            + (f"Over the {c(int(frr['period_n']))} searches where that field is recorded it is "
               f"{pct(frr['period_rate'])} ({ci_text(frr['period_ci_low'], frr['period_ci_high'])}); the field is "
               f"empty for {pct(R.loc['find not recorded', 'period_rate'])} of searches. "
               if pd.notna(frr["period_rate"]) else "")
            + find_bias_sentence(df) + " Arrest rate: "
            f"{pct(R.loc['arrest rate', 'period_rate'])} of all searches; no further action: "
            f"{pct(R.loc['no further action', 'period_rate'])}.")


def comparison_sentences(rates_t: pd.DataFrame, q: dict) -> list[str]:
    """One sentence per tested measure: reporting quarter against comparison quarter, with the test and p."""
    from scrutiny.analyses.narrative import fmt_p

    rq, cq = q["reporting"], q["comparison"]
    if not cq:
        return []
    R, out = rates_t.set_index("measure"), []
    for m in [FIND_ALL, FIND_RECORDED, "arrest rate", "no further action"]:
        r = R.loc[m]
        if pd.notna(r["pvalue"]):
            out.append(f"{m.capitalize()}: {pct(r['reporting_quarter_rate'])} in {quarter_span_label(rq)} against "
                       f"{pct(r['comparison_quarter_rate'])} in {quarter_span_label(cq)}: "
                       + ("a statistically significant difference" if r["significant"] else
                          "not a statistically significant difference") + f" ({r['test']}, {fmt_p(r['pvalue'])}).")
    return out


def multiple_tests_note(rates_t: pd.DataFrame) -> str | None:
    """How many quarter comparisons were tested and how many chance alone would flag (5% each); None if none."""
    n_t = int(rates_t["pvalue"].notna().sum())
    if not n_t:
        return None
    return (f"{n_t} measures are compared between the two quarters in the table below "
            f"({int(rates_t['significant'].sum())} significant at p < 0.05); with {n_t} tests at the 5% level, "
            f"chance alone would flag about {0.05 * n_t:.1f} of them even if nothing had changed. The two find "
            f"rates share their finds, so their tests are not independent.")


def population_paragraph(cov: pd.DataFrame, pfa: pd.Series, n_months: int, census_year: int) -> str:
    """What the disproportionality rates are, their Census population, and the not-stated shares."""
    C = cov.set_index(["definition", "group"])
    return (f"Searches per 1,000 residents of each ethnic group over the {n_months} months, and each group's rate "
            f"divided by the White rate. Population: Census {census_year} usual residents of the "
            f"{pfa['pfa_name']} police force area ({pfa['pfa_code']}), {int(pfa['Total']):,} people. Ethnicity not "
            f"stated: {pct(C.loc[('officer-defined', 'Not stated'), 'share'])} of searches (officer-defined), "
            f"{pct(C.loc[('self-defined', 'Not stated'), 'share'])} (self-defined); these searches are in no group's "
            f"rate, so every rate is a lower bound.")


def mapping_note(census_year: int) -> str:
    """How officer- and self-defined ethnicity map to Census groups, and the caveats of resident denominators."""
    return ("Mapping. Officer-defined ethnicity is recorded by police.uk in the five Census high-level groups and is "
            "used as it is (officers rarely record 'Mixed', so that group is usually suppressed). Self-defined "
            "ethnicity is a Census category written '<group> - <category>'; its group prefix gives the Census group "
            "(White, Black/African/Caribbean/Black British → Black, Asian/Asian British → Asian, Mixed/Multiple "
            "ethnic groups → Mixed, Other ethnic group → Other); 'Other ethnic group - Not stated' and empty count "
            f"as not stated. Census {census_year} puts Chinese in Asian and Arab in Other, as police.uk does. "
            "Caveats: residents are not the people present where searches happen (visitors, commuters, the "
            "night-time economy), and the Census ages; a ratio shows a difference in rates, not its cause.")


def find_by_ethnicity(df: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """breakdown() by officer- and by self-defined Census group, stacked with a definition column."""
    groups = CENSUS_GROUPS + [NOT_STATED]
    fe = pd.concat([breakdown(df, "officer_group", groups, min_count)
                    .rename(columns={"officer_group": "ethnic_group"}).assign(definition="officer-defined"),
                    breakdown(df, "self_group", groups, min_count)
                    .rename(columns={"self_group": "ethnic_group"}).assign(definition="self-defined")])
    return fe[["definition", "ethnic_group", "searches", "found", "find_rate_all", "find_all_ci_low",
               "find_all_ci_high", "find_recorded", "find_rate_recorded", "find_recorded_ci_low",
               "find_recorded_ci_high", "arrest_rate", "arrest_ci_low", "arrest_ci_high", "find_suppressed",
               "arrest_suppressed"]]


def strip_paragraph(df: pd.DataFrame, rates_t: pd.DataFrame, disclosure=None) -> str:
    """Strip searches in the period, their share of searches with the field recorded, and those of children."""
    c = lambda n: _count(n, disclosure)  # noqa: E731
    strip_total, strip_child = strip_counts(df)
    sr = rates_t.set_index("measure").loc["strip search"]
    return (f"{c(strip_total)} searches removed more than outer clothing in the period: {pct(sr['period_rate'])} "
            f"({ci_text(sr['period_ci_low'], sr['period_ci_high'])}) of the {c(int(sr['period_n']))} searches "
            f"where this is recorded. Children: {c(strip_child)} of the strip searches were of people under 18 (age "
            f"range under 10 or 10-17).")
