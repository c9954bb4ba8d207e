from __future__ import annotations

import pytest

from cache.stats import wilson


def test_wilson_matches_published_values() -> None:
    # 8 failures in 100 runs, the story's first figure.
    rate = wilson(8, 100)
    assert rate.value == pytest.approx(0.08)
    assert rate.low == pytest.approx(0.0411, abs=5e-4)
    assert rate.high == pytest.approx(0.1500, abs=5e-4)


def test_wilson_at_zero_is_not_a_point() -> None:
    rate = wilson(0, 1000)
    assert rate.low == 0.0
    assert rate.high == pytest.approx(0.00383, abs=5e-5)  # the "rule of three", sharpened


def test_wilson_at_all_successes_reaches_one() -> None:
    rate = wilson(10, 10)
    assert rate.high == 1.0
    assert 0.6 < rate.low < 0.75


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson(5, 3)


def test_rate_prints_interval() -> None:
    assert str(wilson(8, 100)) == "8.0% (8/100; 95% CI 4.1-15.0%)"
    assert str(wilson(0, 0)) == "no data yet"
