"""The explorer finds the story's race fast, proves the fixes within a bound, and shrinks."""

from __future__ import annotations

import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from cache.explore import ExploreSpec, explore, replay_token
from cache.explore.search import Exhaustive, Pct, RandomSearch, Search
from cache.scenarios.changes import parse_changes


def _first_failure(search: Search, limit: int = 200) -> int:
    for number, tried in enumerate(search.schedules(), 1):
        if tried.played.failed or number >= limit:
            return number
    raise AssertionError("the search ended")


def test_pct_finds_the_story_race_in_at_most_five_schedules_median() -> None:
    spec = ExploreSpec.story("naive-async", skew_ms=50.0)
    pct = [_first_failure(Pct(spec, base)) for base in range(1, 101)]
    assert statistics.median(pct) <= 5


def test_random_is_the_seeded_baseline() -> None:
    spec = ExploreSpec.story("naive-async", skew_ms=0.0)
    found = [_first_failure(RandomSearch(spec, base)) for base in range(1, 41)]
    assert statistics.median(found) > 5  # what PCT improves on


def _exhaust(strategy: str) -> tuple[int, dict[str, object]]:
    spec = ExploreSpec.story(strategy, changes=parse_changes("async"), skew_ms=None)
    search = Exhaustive(spec, 1, bound=2)
    failures = sum(t.played.failed for t in search.schedules())
    return failures, search.facts()


def test_exhaustive_proves_lock_and_transaction_within_the_bound() -> None:
    for strategy in ("lock", "transaction"):
        failures, facts = _exhaust(strategy)
        assert failures == 0
        assert facts["complete"] is True
        assert isinstance(facts["covered"], int) and facts["covered"] > 100


def test_exhaustive_finds_naive_async_and_reports_coverage() -> None:
    spec = ExploreSpec.story("naive-async", changes=parse_changes("async"))
    report = explore(spec, policy="exhaustive", bound=2, causality_k=0)
    assert report.found and report.token is not None
    assert report.facts["preemption_bound"] == 2
    assert report.to_json()["covered"] == report.schedules


def test_report_json_keeps_the_contract() -> None:
    report = explore(ExploreSpec.story("lock"), policy="pct", max_schedules=5)
    data = report.to_json()
    assert data["found"] is False and data["schedules"] == 5 and data["token"] is None
    assert isinstance(data["seconds"], float)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(1, 10_000))
def test_shrunk_failure_keeps_the_update_and_one_read(seed: int) -> None:
    report = explore(ExploreSpec.story("naive-async"), policy="pct", seed=seed, causality_k=0)
    assert report.found and report.minimal is not None
    minimal = report.minimal
    assert minimal.tasks == ["reader-1", "updater"]
    assert minimal.preemptions <= 2
    assert "STALE" in minimal.table and "MISSED by reader-1" in minimal.table
    replayed = replay_token(minimal.token)
    assert replayed.divergence is None and replayed.failed


def test_causality_rises_to_certainty_at_the_end() -> None:
    report = explore(ExploreSpec.story("naive-async"), policy="pct", causality_k=10)
    assert report.minimal is not None
    values = report.minimal.causality
    assert len(values) == report.minimal.steps
    assert values[-1] == 1.0 and values[0] < 1.0
