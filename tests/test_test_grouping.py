"""`make test` runs two workers with `--dist loadgroup`: tests marked with one xdist_group run on one worker, one
after another (a built pack shared, a notebook added to notebooks/ for a while kept apart from the determinism
test). A pytest that silently drops the grouping (9.2 did) fails here instead of in a flaky test elsewhere."""

import pytest


@pytest.mark.xdist_group("pack")
def test_grouped_tests_carry_their_group(request, pytestconfig):
    if not getattr(pytestconfig.option, "loadgroup", False):
        pytest.skip("not run with pytest-xdist --dist loadgroup (make test does)")
    assert request.node.nodeid.endswith("@pack"), request.node.nodeid
