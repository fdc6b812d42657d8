from scrutiny.analyses import narrative


def test_monthly_sentence_force_grammar():
    s = narrative.monthly_sentence("burglaries", 922, "December 2019", "November 2019", 880, 850.4)
    assert s == ("922 burglaries were recorded in December 2019. This is an increase compared to November 2019 "
                 "(880) and above the monthly average (850).")


def test_monthly_sentence_decrease_below_small_mean():
    s = narrative.monthly_sentence("robberies", 3, "June 2025", "May 2025", 7, 4.25)
    assert s.endswith("This is a decrease compared to May 2025 (7) and below the monthly average (4.2).")


def test_same_as_previous_month():
    s = narrative.monthly_sentence("x", 5, "June 2025", "May 2025", 5, 5)
    assert "the same as May 2025 (5) and in line with the monthly average (5.0)" in s


def test_summary_data_but_when_directions_disagree():
    assert narrative.summary_data(10, 12, 8) == "Decrease on previous month but above monthly average"
    assert narrative.summary_data(10, 8, 9) == "Increase on previous month and above monthly average"
    assert narrative.summary_data(10, 8, 11) == "Increase on previous month but below monthly average"


def test_exceptional_phrase():
    assert narrative.exceptional_phrase("", []) == "No exceptional volumes."
    assert narrative.exceptional_phrase("", [("Newport", "high")]) == "Exceptional volumes in Newport (high)."
    assert narrative.exceptional_phrase("low", []) == "Exceptionally low volume for the force."


def test_rolling_sentence_names_the_test_and_only_says_significant_when_it_is():
    s = narrative.rolling_sentence(120, 100, "June 2025", pvalue=0.2)
    assert "not a statistically significant change" in s and "exact conditional Poisson test" in s
    assert "20 more (20.0%)" in s
    s = narrative.rolling_sentence(80, 100, "June 2025", pvalue=0.01)
    assert "20 fewer (20.0%)" in s and "a statistically significant change" in s
