"""SPC maths and rules on hand-built series (NHS Making Data Count; NHSRplotthedots semantics)."""

import numpy as np
import pytest

from scrutiny import spc


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
    assert hi.tolist() == [False, True, True, True, False]
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
