"""SPC maths and rules on hand-built series (NHS Making Data Count; NHSRplotthedots semantics)."""

import numpy as np
import pytest

from scrutiny.stats import spc


def test_limits_by_hand():
    x = [10, 12, 11, 13, 12]
    lim = spc.limits(x)
    # mean 11.6; moving ranges 2,1,2,1 -> mean 1.5; 2.66*1.5 = 3.99
    assert lim["centre"] == pytest.approx(11.6)
    assert lim["mr_bar"] == pytest.approx(1.5)
    assert lim["upper"] == pytest.approx(15.59)
    assert lim["lower"] == pytest.approx(7.61)
    assert lim["near_upper"] == pytest.approx(11.6 + 2.66 * 2 / 3 * 1.5)


def test_limits_use_only_baseline():
    x = [10, 12, 11, 13, 12, 100, 200]
    assert spc.limits(x, baseline=5)["centre"] == pytest.approx(11.6)
    assert spc.limits(x, baseline=5)["n"] == 5


def test_outside_limits_strict():
    hi, lo = spc.rule_outside([5, 15.59, 15.6, 7.6], lower=7.61, upper=15.59)
    assert hi.tolist() == [False, False, True, False]  # exactly on the limit is not outside
    assert lo.tolist() == [True, False, False, True]


def test_shift_seven_points_flags_all_seven():
    x = [0, 1, 1, 1, 1, 1, 1, 1, 0]
    hi, lo = spc.rule_shift(x, centre=0.5, length=7)
    assert hi.tolist() == [False] + [True] * 7 + [False]
    assert not lo.any()


def test_shift_six_points_is_not_enough_for_mdc_but_is_for_ihi():
    x = [0, 1, 1, 1, 1, 1, 1, 0]
    assert not spc.rule_shift(x, 0.5, 7)[0].any()
    assert spc.rule_shift(x, 0.5, 6)[0].sum() == 6


def test_point_on_centre_breaks_shift():
    x = [1, 1, 1, 0.5, 1, 1, 1, 1]
    assert not spc.rule_shift(x, 0.5, 7)[0].any()


def test_trend_seven_increasing():
    x = [5, 1, 2, 3, 4, 5, 6, 7, 3]
    up, down = spc.rule_trend(x, 7)
    assert up.tolist() == [False, True, True, True, True, True, True, True, False]
    assert not down.any()


def test_trend_tie_breaks_run():
    x = [1, 2, 3, 3, 4, 5, 6, 7]
    assert not spc.rule_trend(x, 7)[0].any()
    assert spc.rule_trend(x, 5)[0].tolist() == [False, False, False, True, True, True, True, True]


def test_trend_decreasing_five_for_ihi():
    x = [9, 8, 7, 6, 5, 6]
    up, down = spc.rule_trend(x, 5)
    assert down.tolist() == [True, True, True, True, True, False]


def test_two_in_three_same_side():
    lim = {"centre": 10, "upper": 13, "lower": 7, "near_upper": 12, "near_lower": 8}
    hi, lo = spc.rule_two_in_three([10, 12.5, 11, 12.5, 10], lim)
    # NHSRplotthedots ptd_part_of_two_in_three: only the two points beyond the 2-sigma band, not the 11 between
    assert hi.tolist() == [False, True, False, True, False]
    assert not lo.any()


def test_two_in_three_needs_all_three_on_same_side():
    lim = {"centre": 10, "upper": 13, "lower": 7, "near_upper": 12, "near_lower": 8}
    hi, lo = spc.rule_two_in_three([12.5, 9, 12.5], lim)
    assert not hi.any() and not lo.any()


def test_two_in_three_ignores_points_outside_limits():
    lim = {"centre": 10, "upper": 13, "lower": 7, "near_upper": 12, "near_lower": 8}
    hi, _ = spc.rule_two_in_three([14, 12.5, 11], lim)
    assert not hi.any()


def test_xmr_precedence_and_variation():
    x = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 30]
    f = spc.xmr(x, baseline=12, rules="mdc_7pt", improvement="down")
    last = f.iloc[-1]
    assert last["rule"] == "outside limits"
    assert last["special_cause"] == "high"
    assert last["variation"] == "special cause concern"
    assert (f["variation"].iloc[:-1] == "common cause").all()
    f_up = spc.xmr(x, baseline=12, improvement="up")
    assert f_up.iloc[-1]["variation"] == "special cause improvement"


def test_rule_sets_differ_on_six_point_shift():
    x = [11, 10] * 6 + [10.9] * 6
    mdc = spc.xmr(x, baseline=12, rules="mdc_7pt")
    ihi = spc.xmr(x, baseline=12, rules="ihi_6pt")
    assert (mdc["rule"].iloc[-6:] == "").all()
    assert (ihi["rule"].iloc[-6:] == "shift").all()
    assert ihi.attrs["rules"] == "ihi_6pt"


def test_unknown_rule_set_message_names_choices():
    with pytest.raises(ValueError, match="mdc_7pt, ihi_6pt"):
        spc.xmr([1, 2, 3], rules="nelson")


def test_fewer_than_seven_points_no_run_rules():
    x = [1, 2, 3, 4, 5, 6]
    f = spc.xmr(x)
    assert not f["trend_up"].any() and not f["shift_high"].any()


def test_baseline_flag_column():
    f = spc.xmr(np.arange(15) % 3, baseline=12)
    assert f["baseline"].sum() == 12


def test_two_in_three_short_vector_against_definition():
    # centre 0, near band +-2, limits +-3: windows (2.5, 1, 2.2) and (1, 2.2, 0.5) -> 2.5 and 2.2 flagged only
    lim = {"centre": 0, "upper": 3, "lower": -3, "near_upper": 2, "near_lower": -2}
    hi, lo = spc.rule_two_in_three([2.5, 1, 2.2, 0.5, -2.5, -2.1, 0.1], lim)
    assert hi.tolist() == [True, False, True, False, False, False, False]
    assert lo.tolist() == [False] * 7  # -2.5 and -2.1 are beyond, but the window's third point is above 0
    hi, lo = spc.rule_two_in_three([-0.5, -2.5, -2.1], lim)
    assert lo.tolist() == [False, True, True]


def test_ihi_shift_uses_median_and_skips_points_on_it():
    # median 5: the 5s neither count nor break the run; six points above it -> shift, the 5s not flagged
    x = [6, 7, 5, 6, 8, 5, 9, 6]
    hi, lo = spc.rule_shift_median(x, 5, 6)
    assert hi.tolist() == [True, True, False, True, True, False, True, True]
    hi, _ = spc.rule_shift_median([6, 7, 5, 6, 8, 5, 9], 5, 6)
    assert not hi.any()  # only five points above


def test_ihi_trend_skips_ties():
    # 1,2,2,3,4,5: a tie does not break the rise; five distinct rising points -> trend, the repeat not flagged
    up, _ = spc.rule_trend_skip_ties([1, 2, 2, 3, 4, 5], 5)
    assert up.tolist() == [True, True, False, True, True, True]
    up, _ = spc.rule_trend([1, 2, 2, 3, 4, 5], 5)  # the MDC rule: the tie ends the run
    assert not up.any()


def test_ihi_rule_set_shift_around_median_not_mean():
    # baseline mean 14 is pulled up by one 100; the median is 10: six 11s are above the median, below the mean
    base = [10, 9, 10, 11, 10, 9, 10, 100, 10, 9, 10, 11]
    f = spc.xmr(base + [11] * 6, baseline=12, rules="ihi_6pt")
    assert f["shift_high"].iloc[-6:].all()
    g = spc.xmr(base + [11] * 6, baseline=12, rules="mdc_7pt")
    assert not g["shift_high"].iloc[-6:].any()


def test_rebased_limits_by_hand():
    # a step at index 4: segment 1 = 10,12,11,13 ; segment 2 = 30,32,31,33,32
    x = [10, 12, 11, 13, 30, 32, 31, 33, 32]
    f = spc.xmr(x, baseline=12, breaks=[4], counts=True)
    # segment 2: mean 31.6; moving ranges 2,1,2,1 -> 1.5; limits 31.6 +- 3.99
    s2 = f.iloc[4:]
    assert s2["centre"].iloc[0] == pytest.approx(31.6)
    assert s2["upper"].iloc[0] == pytest.approx(35.59)
    assert s2["lower"].iloc[0] == pytest.approx(27.61)
    assert f["break_before"].tolist() == [False] * 4 + [True] + [False] * 4
    assert f["segment"].tolist() == [0] * 4 + [1] * 5
    assert np.isnan(f["moving_range"].iloc[4])  # no moving range across the break
    assert (f["rule"] == "").all()  # without rebasing, 30+ would be outside the first segment's limits
    assert (spc.xmr(x, baseline=4)["rule"].iloc[4:] == "outside limits").all()


def test_count_limits_floored_at_zero():
    f = spc.xmr([0, 5, 0, 6, 1, 0], counts=True)
    assert (f["lower"] == 0).all() and (f["near_lower"] >= 0).all()
    assert spc.xmr([0, 5, 0, 6, 1, 0])["lower"].iloc[0] < 0
