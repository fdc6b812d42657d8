"""Which notebook a free kernel starts next (runner.next_section): params order, except that two sections sharing a
once-per-pack result (Section.shares) are not started together while another could run instead."""

from __future__ import annotations

from scrutiny.analyses.performance import SHARED_SERIES
from scrutiny.config.sections import SECTIONS
from scrutiny.pack.runner import next_section


def test_performance_and_districts_share_their_series():
    """The name the sections declare is the one performance.prepare keeps the series under."""
    assert SECTIONS["performance"].shares == SECTIONS["districts"].shares == (SHARED_SERIES,)
    assert SECTIONS["outcomes"].shares == ()


def test_params_order_when_nothing_shares():
    assert next_section(["outcomes", "victims"], set()) == "outcomes"
    assert next_section(["outcomes", "victims"], {"performance"}) == "outcomes"


def test_a_section_waiting_for_a_running_one_is_passed_over():
    # default-pack order: performance starts; the second kernel takes outcomes, not districts
    assert next_section(["districts", "outcomes", "victims"], {"performance"}) == "outcomes"
    assert next_section(["districts", "outcomes"], {"outcomes"}) == "districts"


def test_the_first_is_taken_when_every_section_left_would_wait():
    assert next_section(["districts"], {"performance"}) == "districts"


def test_an_analyst_notebook_shares_nothing():
    assert next_section(["my_deep_dive", "districts"], {"performance"}) == "my_deep_dive"
