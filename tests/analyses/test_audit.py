"""Unit tests of the published-figures audit: exact rounding, interval arithmetic, feasibility and each check.

Expected values are worked by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from scrutiny.analyses import audit
from scrutiny.analyses.audit import D, Interval

FIG_COLS = audit.FIGURES_HEADER


def figs(*rows):
    """rows: (id, value, unit[, value_text[, decimals]])"""
    out = []
    for r in rows:
        fid, value, unit = r[:3]
        text = r[3] if len(r) > 3 else value
        dec = r[4] if len(r) > 4 else ""
        out.append({"figure_id": fid, "doc_id": "doc", "location": f"L{len(out) + 1}", "measure": "", "geography": "",
                    "period": "", "value": value, "unit": unit, "value_text": text, "decimals": dec, "note": ""})
    return pd.DataFrame(out, columns=FIG_COLS)


def rels(*rows):
    """rows: (id, type, target, inputs[, claim])"""
    return pd.DataFrame([{"relation_id": r[0], "type": r[1], "target": r[2], "inputs": r[3],
                          "claim": r[4] if len(r) > 4 else "", "note": ""} for r in rows],
                        columns=audit.RELATIONS_HEADER)


def one(f, r):
    c = audit.run_checks(f, r)
    return c[~c["id"].str.startswith("auto:")].iloc[0]


# ---------------------------------------------------------------- rounding rules

@pytest.mark.parametrize("x,d,up,even", [
    ("0.125", 2, "0.13", "0.12"),     # a tie: half-up goes away from zero, half-even to the even digit
    ("0.135", 2, "0.14", "0.14"),     # tie with an odd last digit: both go up
    ("2.5", 0, "3", "2"),
    ("-0.45", 1, "-0.5", "-0.4"),     # half-up is symmetric: ties go away from zero
    ("12.4509", 1, "12.5", "12.5"),   # not a tie: both agree
])
def test_round_half_up_and_half_even(x, d, up, even):
    assert audit.round_to(D(x), d, "half-up") == D(up)
    assert audit.round_to(D(x), d, "half-even") == D(even)


def test_reproducing_rules_names_the_rule():
    assert audit.reproducing_rules(D("0.125"), D("0.12"), 2) == ["half-even"]
    assert audit.reproducing_rules(D("0.125"), D("0.13"), 2) == ["half-up"]
    assert audit.reproducing_rules(D("0.126"), D("0.13"), 2) == ["half-up", "half-even"]
    assert audit.reproducing_rules(D("0.126"), D("0.12"), 2) == []


def test_decimal_parsing_is_exact():
    assert D("1,526") == Decimal("1526")
    assert D(0.1) == Decimal("0.1")  # through repr, not the binary expansion
    assert D("-5.8") + D("5.8") == 0


@pytest.mark.parametrize("printed,status,rule", [
    ("12", "ok", "half-even"),   # 1/8 = 12.5%: half-even prints 12
    ("13", "ok", "half-up"),     # half-up prints 13
    ("14", "discrepancy", ""),   # neither
])
def test_share_flagged_only_when_neither_rule_reproduces(printed, status, rule):
    c = one(figs(("n", "1", "count"), ("N", "8", "count"), ("p", printed, "percent", printed + "%", "0")),
            rels(("R", "share", "p", "n N")))
    assert c["status"] == status
    assert c["rules"] == rule


# ---------------------------------------------------------------- interval arithmetic

def test_interval_arithmetic_by_hand():
    pre, post = audit.printed_interval(D("14.2"), 1), audit.printed_interval(D("18.0"), 1)
    assert (pre.lo, pre.hi) == (D("14.15"), D("14.25"))
    diff = post - pre
    assert (diff.lo, diff.hi) == (D("3.70"), D("3.90"))      # 17.95 − 14.25 and 18.05 − 14.15
    assert audit.reachable(diff, D("3.7"), 1)                # 3.7 covers [3.65, 3.75]: touches 3.70
    assert not audit.reachable(diff, D("3.6"), 1)            # [3.55, 3.65] misses [3.70, 3.90]
    q = Interval(D(1), D(2)) / Interval(D(4), D(5))
    assert (q.lo, q.hi) == (D("0.2"), D("0.5"))
    with pytest.raises(ZeroDivisionError):
        Interval(D(1), D(2)) / Interval(D(-1), D(1))


def test_pp_change_from_rounded_rates_is_consistent_with_rounding_not_an_error():
    # burglary dwelling, Rest of HDAs (seed 000 L266): 18.0 − 14.2 = 3.8 on the printed values, printed 3.7
    c = one(figs(("a", "14.2", "percent"), ("b", "18.0", "percent"), ("d", "3.7", "pp")),
            rels(("R", "change", "d", "a b")))
    assert c["status"] == audit.STATUS_ROUNDING
    assert c["recomputed"] == "3.70 to 3.90"


def test_pp_change_out_of_reach_of_rounding_is_flagged():
    c = one(figs(("a", "14.2", "percent"), ("b", "18.0", "percent"), ("d", "3.5", "pp")),
            rels(("R", "change", "d", "a b")))
    assert c["status"] == audit.STATUS_FLAG


def test_relative_change_of_rounded_rates_uses_interval_corners():
    # vehicle crime PPAs (seed 000 L307): 3.5% -> 10.9%, printed +216.5%; from printed values 211.43%.
    # Reachable range: (10.85 − 3.55)/3.55 = 205.63% to (10.95 − 3.45)/3.45 = 217.39%
    c = one(figs(("a", "3.5", "percent"), ("b", "10.9", "percent"), ("r", "216.5", "percent")),
            rels(("R", "change", "r", "a b")))
    assert c["status"] == audit.STATUS_ROUNDING
    assert c["recomputed"] == "205.63 to 217.39"
    c = one(figs(("a", "3.5", "percent"), ("b", "10.9", "percent"), ("r", "218.0", "percent")),
            rels(("R", "change", "r", "a b")))
    assert c["status"] == audit.STATUS_FLAG


def test_sum_of_rounded_parts_allows_their_half_units():
    # 33.3 + 33.3 + 33.3 = 99.9, printed total 100.0: each part within ±0.05, so 99.85..100.05 reaches 100.0
    f = figs(("a", "33.3", "percent"), ("b", "33.3", "percent"), ("c", "33.3", "percent"), ("t", "100.0", "percent"))
    assert one(f, rels(("R", "total", "t", "a b c")))["status"] == audit.STATUS_ROUNDING
    # exact counts get no tolerance: 1706 is not 1707
    f = figs(("a", "1000", "count"), ("b", "706", "count"), ("t", "1707", "count"))
    c = one(f, rels(("R", "total", "t", "a b")))
    assert (c["status"], c["severity"], c["recomputed"]) == (audit.STATUS_FLAG, "minor", "1,706")


def test_total_fte_one_out_is_major():
    f = figs(("a", "51.6", "fte"), ("b", "3.59", "fte"), ("c", "2", "fte"), ("d", "1", "fte"), ("e", "1", "fte"),
             ("t", "60.19", "fte"))
    c = one(f, rels(("R", "total", "t", "a..e")))   # range syntax: a to e in file order
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "major" and c["recomputed"] == "59.19"


def test_total_with_blank_parts_is_not_checkable_unless_already_too_big():
    f = figs(("a", "100", "currency"), ("b", "", "currency", ""), ("t", "150", "currency"))
    c = one(f, rels(("R", "total", "t", "a b")))
    assert c["status"] == audit.STATUS_UNCHECKED and "would have to total 50" in c["explanation"]
    f = figs(("a", "200", "currency"), ("b", "", "currency", ""), ("t", "150", "currency"))
    assert one(f, rels(("R", "total", "t", "a b")))["status"] == audit.STATUS_FLAG


# ---------------------------------------------------------------- feasibility of "x% (n)"

def test_feasible_denominators_by_hand():
    # 190 at 13.6%: 190/0.1365 = 1391.9 and 190/0.1355 = 1402.2, so N = 1392..1402
    nmin, nmax, ok = audit.feasible_denominators(D(190), D("13.6"), 1)
    assert (nmin, nmax, ok[0], ok[-1]) == (1392, 1402, 1392, 1402)
    # "166 fewer ... a 49% reduction": 166/0.495 = 335.4, 166/0.485 = 342.3
    assert audit.feasible_denominators(D(166), D(49), 0)[2] == list(range(336, 343))
    # 3 (40%): 3/7 = 42.9%, 3/8 = 37.5%: no whole denominator
    assert audit.feasible_denominators(D(3), D(40), 0)[2] == []


def test_share_names_the_feasible_denominators_when_it_fails():
    # seed 000 L202: 190 (13.6%) of 1526 arrests (12.45%) or of 1224 offenders (15.52%)
    f = figs(("n", "190", "count", "190 (13.6%)"), ("A", "1526", "count"), ("O", "1224", "count"),
             ("p", "13.6", "percent", "190 (13.6%)"))
    c = one(f, rels(("R", "share", "p", "n A O")))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "major"
    assert c["recomputed"] == "12.451 or 15.523"
    assert "N = 1,392 to 1,402" in c["explanation"]


def test_share_without_denominator_is_a_feasibility_check():
    f = figs(("n", "-166", "count", "166 fewer"), ("p", "-49", "percent", "49% reduction"))
    c = one(f, rels(("R", "share", "p", "n")))
    assert c["check"] == "feasibility" and c["status"] == "ok" and c["recomputed"] == "N = 336 to 342"
    f = figs(("n", "3", "count"), ("p", "40", "percent"))
    c = one(f, rels(("R", "share", "p", "n")))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "major"


def test_n_percent_text_is_checked_automatically():
    f = figs(("x", "3", "count", "3 (40%)"))
    c = audit.run_checks(f, rels())
    assert list(c["id"]) == ["auto:x"] and c.iloc[0]["status"] == audit.STATUS_FLAG


# ---------------------------------------------------------------- changes, same figure, claims

def test_change_from_exact_counts_and_sign_hint():
    # seed 003 L1877/L1935: 749 vs 805 = −6.957%, printed "5.8% reduction"
    f = figs(("a", "805", "count"), ("b", "749", "count"), ("p", "-5.8", "percent", "5.8% reduction"))
    c = one(f, rels(("R", "change", "p", "a b")))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "major" and c["recomputed"] == "-6.957"
    f = figs(("a", "805", "count"), ("b", "749", "count"), ("p", "7.0", "percent", "7.0% reduction"))
    assert "sign does not" in one(f, rels(("R", "change", "p", "a b")))["explanation"]


def test_double_rounding_is_named():
    # seed 003: (18,822 − 18,907)/18,907 = −0.44957%, −0.4 at one decimal; printed −0.5 (−0.45 rounded again)
    f = figs(("a", "18907", "count"), ("b", "18822", "count"), ("p", "-0.5", "percent"))
    c = one(f, rels(("R", "change", "p", "a b")))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "minor"
    assert c["recomputed"] == "-0.44957" and "double-rounding" in c["explanation"]


def test_same_figure():
    f = figs(("m", "6.2", "currency_millions", "£6.2 million"), ("x", "6165116", "currency"),
             ("a", "1705", "count"), ("b", "1719", "count"), ("c", "1706", "count"))
    c = audit.run_checks(f, rels(("S1", "same_figure", "", "m x"), ("S2", "same_figure", "", "a b c")))
    assert list(c["status"]) == [audit.STATUS_ROUNDING, audit.STATUS_FLAG]


@pytest.mark.parametrize("a,b,word,status", [
    ("682", "639", "fell", "ok"),
    ("639", "642", "fell", audit.STATUS_FLAG),          # seed 003 L1264: ASB Jan 639 -> Feb 642 is a rise
    ("642", "831", "increase", "ok"),
    ("617", "610", "exceeded", "ok"),
    ("610", "610", "above", audit.STATUS_FLAG),
    ("610", "610", "in_line", "ok"),
])
def test_claims_on_exact_numbers(a, b, word, status):
    c = one(figs(("a", a, "count"), ("b", b, "count")), rels(("R", "claim", "", "a b", word)))
    assert c["status"] == status


def test_claim_on_rounded_numbers_needs_the_whole_interval_against_it():
    f = figs(("a", "89", "percent"), ("b", "90", "percent"))
    assert one(f, rels(("R", "claim", "", "a b", "below")))["status"] == audit.STATUS_ROUNDING  # tie at 89.5
    assert one(f, rels(("R", "claim", "", "a b", "above")))["status"] == audit.STATUS_FLAG


def test_bad_relations_are_reported_together():
    f = figs(("a", "1", "count"), ("b", "2", "count"))
    with pytest.raises(audit.AuditInputError) as e:
        audit.run_checks(f, rels(("R1", "change", "b", "a"), ("R2", "total", "b", "a zz"),
                                 ("R3", "claim", "", "a b", "soared")))
    msg = str(e.value)
    assert "R1 (change): needs exactly 2" in msg and "'zz' is not in the figures table" in msg and "soared" in msg


def test_register_orders_major_first():
    f = figs(("a", "1", "count"), ("b", "2", "count"), ("t", "4", "count"), ("u", "1000", "count"),
             ("v", "1001", "count"))
    c = audit.run_checks(f, rels(("R1", "same_figure", "", "u v"), ("R2", "total", "t", "a b")))
    reg = audit.register(c)
    assert list(reg["id"]) == ["R2", "R1"] and list(reg["severity"]) == ["major", "minor"]


def test_raw_compare_sums_months_and_skips_unknown_measures():
    monthly = pd.DataFrame({"measure": ["burglary"] * 2 + ["all_crime"] * 2, "area": ["force"] * 4,
                            "month": ["2025-05", "2025-06"] * 2, "value": [10, 12, 100, 90]})
    f = figs(("a", "22", "count"), ("b", "95", "count"), ("c", "5", "count"))
    f["measure"] = ["burglary", "all_crime", "shoplifting"]
    f["geography"] = "force"
    f["period"] = ["2025-05..2025-06", "2025-06", "2025-06"]
    raw = audit.raw_compare(f, monthly)
    assert list(raw["id"]) == ["a", "b"] and list(raw["raw"]) == [22, 90] and list(raw["difference"]) == [0, 5]
    reg = audit.raw_register_rows(raw)
    assert list(reg["id"]) == ["raw:b"] and reg.iloc[0]["severity"] == "major"


# ---------------------------------------------------------------- one relation cannot stop the audit

def test_exception_inside_one_check_is_one_not_checkable_row(monkeypatch):
    def broken(rel, figs):
        raise ZeroDivisionError("divisor interval contains zero")

    monkeypatch.setitem(audit.CHECKERS, "share", broken)
    f = figs(("a", "1", "count"), ("b", "2", "count"), ("t", "3", "count"), ("p", "50", "percent"))
    c = audit.run_checks(f, rels(("R1", "total", "t", "a b"), ("R2", "share", "p", "a b"),
                                 ("R3", "same_figure", "", "t a")))
    assert list(c["id"]) == ["R1", "R2", "R3"]                       # the audit completed
    assert list(c["status"]) == ["ok", audit.STATUS_UNCHECKED, audit.STATUS_FLAG]
    bad = c.iloc[1]
    assert "relation R2 (share)" in bad["explanation"] and "ZeroDivisionError" in bad["explanation"]
    assert bad["figures"] == "p a b"


# ---------------------------------------------------------------- zero bases

def test_percent_change_from_zero_base_is_flagged_when_a_percentage_is_printed():
    # homicide 0 -> 1, printed "0.0%": (1 − 0)/0 is undefined, so any finite percentage is wrong
    f = figs(("a", "0", "count"), ("b", "1", "count"), ("p", "0.0", "percent", "0.0%"),
             ("q", "", "percent", "n/a"), ("t", "3", "count"))
    c = audit.run_checks(f, rels(("R1", "change", "p", "a b"), ("R2", "change", "q", "a b"),
                                 ("R3", "total", "t", "a b")))
    r1, r2, r3 = (c.iloc[i] for i in range(3))
    assert (r1["status"], r1["severity"], r1["recomputed"]) == (audit.STATUS_FLAG, "major", "undefined")
    assert "base 0 is zero" in r1["explanation"]
    # no percentage printed: reported as undefined, not an error
    assert (r2["status"], r2["recomputed"]) == ("ok", "undefined")
    assert r3["status"] == audit.STATUS_FLAG  # 0 + 1 = 1, not 3: the other relations still run


def test_percent_change_from_a_rounded_zero_is_flagged_minor():
    # a rate printed 0.0 stands for 0 to 0.05: the relative change from it may be undefined or unbounded
    f = figs(("a", "0.0", "rate_per_1000"), ("b", "0.4", "rate_per_1000"), ("p", "300", "percent"))
    c = one(f, rels(("R", "change", "p", "a b")))
    assert (c["status"], c["severity"]) == (audit.STATUS_FLAG, "minor")
    assert "may be zero (it stands for -0.05 to 0.05)" in c["explanation"]


# ---------------------------------------------------------------- claim tolerance

@pytest.mark.parametrize("a,b,word,status", [
    ("81", "80", "in_line", "ok"),              # gap 1 <= 5% of 80 = 4
    ("906", "903", "in_line", "ok"),            # gap 3 <= 45.15
    ("127", "124", "similar", "ok"),            # gap 3 <= 6.2
    ("85", "80", "in_line", audit.STATUS_FLAG),  # gap 5 > 4
    ("100", "104", "stable", "ok"),             # change word: 5% of the earlier figure 100 = 5 >= 4
    ("100", "106", "stable", audit.STATUS_FLAG),
    ("81", "80", "equal", audit.STATUS_FLAG),   # 'equal' stays exact
])
def test_tolerant_claims_on_counts(a, b, word, status):
    c = one(figs(("a", a, "count"), ("b", b, "count")), rels(("R", "claim", "", "a b", word)))
    assert c["status"] == status


def test_tolerant_claims_on_percentages_use_points_and_rounding():
    f = figs(("a", "24.0", "percent"), ("b", "25.0", "percent"))
    # gap 1.0 on the printed values; 0.9 to 1.1 with their rounding: some within 1 point, some not
    c = one(f, rels(("R", "claim", "", "a b", "no_significant_change")))
    assert c["status"] == audit.STATUS_ROUNDING and c["recomputed"] == "gap 0.90 to 1.10"
    f = figs(("a", "24.0", "percent"), ("b", "24.5", "percent"))
    assert one(f, rels(("R", "claim", "", "a b", "in_line")))["status"] == "ok"
    # 24% against 27% (each ±0.5): gap 2 to 4. Default 1 point: flagged; a 4-point tolerance from params: ok
    f, r = figs(("a", "24", "percent"), ("b", "27", "percent")), rels(("R", "claim", "", "a b", "in_line"))
    c = audit.run_checks(f, r).iloc[0]
    assert (c["status"], c["recomputed"]) == (audit.STATUS_FLAG, "gap 2 to 4")
    assert audit.run_checks(f, r, audit.Tolerance(relative=D("0.05"), points=D("4"))).iloc[0]["status"] == "ok"


# ---------------------------------------------------------------- ambiguity and truncation

def test_same_figure_with_different_windows_or_dates_is_ambiguous_not_a_discrepancy():
    f = figs(("a", "81", "count"), ("b", "95", "count"), ("c", "81", "count"), ("d", "95", "count"))
    f["window"] = ["rolling 12 months", "rolling six months", "", ""]
    f["as_at"] = ["", "", "2024-12-31", ""]
    c = audit.run_checks(f, rels(("R1", "same_figure", "", "a b"), ("R2", "same_figure", "", "c d")))
    r1, r2 = c.iloc[0], c.iloc[1]
    assert r1["status"] == audit.STATUS_AMBIGUOUS and "different windows" in r1["explanation"]
    assert "rolling six months" in r1["explanation"]
    assert r2["status"] == audit.STATUS_FLAG  # one date known, the other blank: no reason to doubt it
    assert list(audit.register(c)["id"]) == ["R2"]
    f = figs(("a", "81", "count"), ("b", "81", "count"))
    f["as_at"] = ["2024-03-31", "2024-04-21"]
    assert audit.run_checks(f, rels(("R", "same_figure", "", "a b"))).iloc[0]["status"] == "ok"  # agree anyway


def test_truncation_hint():
    # 805.99 FTE printed elsewhere as "805": cut off, not rounded (805.99 rounds to 806)
    c = one(figs(("a", "805.99", "fte"), ("b", "805", "fte")), rels(("R", "same_figure", "", "a b")))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "minor" and "truncation slip" in c["explanation"]
    # a share: 2/3 = 66.67%, printed 66 (truncated) rather than 67
    c = one(figs(("n", "2", "count"), ("N", "3", "count"), ("p", "66", "percent")), rels(("R", "share", "p", "n N")))
    assert c["status"] == audit.STATUS_FLAG and "truncation slip" in c["explanation"]
    assert "double-rounding" not in c["explanation"]
    # 2/3 printed 67: reproduces, no hint
    c = one(figs(("n", "2", "count"), ("N", "3", "count"), ("p", "67", "percent")), rels(("R", "share", "p", "n N")))
    assert c["status"] == "ok"


def test_figures_header_may_leave_out_the_optional_columns():
    from scrutiny.inputs import published_figures

    heads = published_figures.FIGURES.accepted_headers()
    core = "figure_id|doc_id|location|measure|geography|period|value|unit|value_text|decimals"
    assert core in heads and core + "|note" in heads and core + "|note|as_at|window" in heads
    assert core + "|window" in heads and len(heads) == 8


# ---------------------------------------------------------------- product, ratio, share_of_n, bound

def crel(rid, typ, target, inputs, constant="", claim=""):
    r = rels((rid, typ, target, inputs, claim))
    r["constant"] = constant
    return r


def test_product_with_a_constant():
    # nine months against 9 × a printed monthly average of 45.3 (a ratio: 45.25 to 45.35): 407.25 to 408.15;
    # on the printed value 9 × 45.3 = 407.7, which prints as 408
    f = figs(("m", "45.3", "ratio"), ("v", "408", "count"), ("w", "272", "count"))
    c = one(f, crel("R", "product", "v", "m", "9"))
    assert (c["status"], c["recomputed"]) == ("ok", "407.2 to 408.2")  # shown at one more decimal than printed
    # a "Q1 & Q2" total of 272 = 6 × 45.3 = 271.8 holds; the same 272 as nine months does not
    assert one(f, crel("R", "product", "w", "m", "6"))["status"] == "ok"
    c = one(f, crel("R", "product", "w", "m", "9"))
    assert c["status"] == audit.STATUS_FLAG and c["severity"] == "major"
    # exact inputs: 55 posts × £43,000 = £2,365,000 (seed 000 L502); with no constant the inputs multiply
    f = figs(("n", "55", "count"), ("c", "43,000", "currency"), ("t", "2,365,000", "currency"))
    c = one(f, crel("R", "product", "t", "n c"))
    assert (c["status"], c["recomputed"]) == ("ok", "2,365,000")


def test_ratio_rate_per_1000_and_average():
    # 1,234 burglaries / 56,789 households × 1,000 = 21.7296: prints 21.7; 22.7 is a point away
    f = figs(("b", "1,234", "count"), ("h", "56,789", "count"), ("r", "21.7", "rate_per_1000"),
             ("x", "22.7", "rate_per_1000"))
    c = one(f, crel("R", "ratio", "r", "b h"))
    assert (c["status"], c["recomputed"]) == ("ok", "21.730")
    c = one(f, crel("R", "ratio", "x", "b h"))
    assert (c["status"], c["severity"]) == (audit.STATUS_FLAG, "major")
    # an average: £2,838,000 over 12 months = £236,500 a month (multiplier 1 for currency)
    f = figs(("s", "2,838,000", "currency"), ("m", "12", "count"), ("a", "236,500", "currency"))
    assert one(f, crel("R", "ratio", "a", "s m"))["status"] == "ok"
    # a zero divisor cannot be recomputed, and says so
    f = figs(("s", "5", "count"), ("m", "0", "count"), ("a", "1", "ratio"))
    assert one(f, crel("R", "ratio", "a", "s m"))["status"] == audit.STATUS_UNCHECKED


def test_share_of_n():
    # 71% of 18: k/18 would need 12.69 <= k <= 12.87; 12/18 = 66.67%, 13/18 = 72.22%
    f = figs(("N", "18", "count"), ("p", "71", "percent"), ("q", "72", "percent"), ("z", "0", "percent"))
    c = one(f, rels(("R", "share_of_n", "p", "N")))
    assert (c["status"], c["severity"], c["recomputed"]) == (audit.STATUS_FLAG, "major", "no whole k")
    assert "12/18 = 66.67%, 13/18 = 72.22%" in c["explanation"]
    c = one(f, rels(("R", "share_of_n", "q", "N")))
    assert (c["status"], c["recomputed"]) == ("ok", "k = 13")
    assert one(f, rels(("R", "share_of_n", "z", "N")))["recomputed"] == "k = 0"


def test_bound_part_not_above_whole():
    # a 30% failure rate for a subgroup cannot exceed the 24% overall rate from the same base
    f = figs(("s", "30", "percent"), ("o", "24", "percent"), ("s2", "24", "percent"), ("s3", "23", "percent"))
    c = one(f, rels(("R", "bound", "s", "o")))
    assert (c["status"], c["severity"]) == (audit.STATUS_FLAG, "major")
    assert one(f, rels(("R", "bound", "s2", "o")))["status"] == audit.STATUS_ROUNDING  # 23.5..24.5 vs 23.5..24.5
    assert one(f, rels(("R", "bound", "s3", "o")))["status"] == "ok"                  # 23.5 <= 23.5
    # three people with at least 20 offences each: a band total of 38 is too small (at least 3 × 20 = 60)
    f = figs(("n", "3", "count"), ("t", "38", "count"), ("u", "61", "count"))
    c = one(f, crel("R", "bound", "t", "n", "20", "at_least"))
    assert (c["status"], c["recomputed"]) == (audit.STATUS_FLAG, "at least 60")
    assert one(f, crel("R", "bound", "u", "n", "20", "at_least"))["status"] == "ok"


# ---------------------------------------------------------------- a register a Panel can use

def test_plural():
    assert audit.plural(1, "printed value") == "1 printed value"
    assert audit.plural(2, "printed value") == "2 printed values"
    assert audit.plural(1, "discrepancy") == "1 discrepancy" and audit.plural(3, "discrepancy") == "3 discrepancies"
    assert audit.plural(1200, "check") == "1,200 checks"


def test_register_names_the_document_page_table_and_relation():
    f = figs(("a", "120", "count"), ("b", "80", "count"), ("t", "201", "count"), ("x", "5", "count"))
    f["location"] = ["p4 L31", "p4 L32", "p4 L33", "L90"]
    f["measure"] = ["North", "South", "Total", ""]
    f["note"] = ["table: Crimes by district; row: North; column: 2024", "", "table: Crimes by district; row: Total; "
                 "column: 2024", ""]
    reg = audit.register(audit.run_checks(f, rels(("R1", "total", "t", "a b"), ("R2", "same_figure", "", "x t"))),
                         {"doc": "Quarterly performance report, Q2 2024"})
    r1 = reg.set_index("id").loc["R1"]
    assert r1["document"] == "Quarterly performance report, Q2 2024"
    assert r1["where"] == "page 4, Crimes by district, row 'Total', column 2024"   # the others are on page 4 too
    assert r1["relation"] == "'Total' should be the sum of 2 figures ('North' to 'South')"
    assert reg.set_index("id").loc["R2", "where"] == "line 90; with figures on page 4"  # no page known: the line
    assert list(reg.columns[-2:]) == ["doc_id", "location"]
