"""Tokens replay exactly, survive being copied, and name where a changed code diverges."""

from __future__ import annotations

import pytest

from cache.explore import ExploreSpec, Token, TokenError, explore, replay_token
from cache.scenarios.story import StoryScenario


@pytest.fixture(scope="module")
def token() -> str:
    report = explore(ExploreSpec.story("naive-async"), policy="pct", causality_k=0)
    assert report.token is not None
    return report.token


def test_token_replays_the_same_history(token: str) -> None:
    first, second = replay_token(token), replay_token(token)
    assert first.divergence is None and first.failed
    assert list(first.played.sim.history) == list(second.played.sim.history)


def test_token_round_trips(token: str) -> None:
    assert Token.decode(token).encode() == token


@pytest.mark.parametrize(
    ("text", "says"),
    [("hello", "not a replay token"), ("rwb9.abc", "not supported"), ("rwb1.!!!", "corrupt")],
)
def test_bad_tokens_are_one_line_errors(text: str, says: str) -> None:
    with pytest.raises(TokenError, match=says) as error:
        Token.decode(text)
    assert "\n" not in str(error.value)


def test_a_changed_scenario_names_the_divergence(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The deliberate change: every reader reads once more before its recorded read.
    original = StoryScenario._read

    async def read_twice(runtime, cache, at, reads):  # type: ignore[no-untyped-def]
        await original(runtime, cache, at, reads + 1)

    monkeypatch.setattr(StoryScenario, "_read", staticmethod(read_twice))
    replayed = replay_token(token)
    assert replayed.divergence is not None
    text = replayed.divergence.describe()
    assert text.startswith(f"diverged at step {replayed.divergence.step}: expected ")
    assert replayed.divergence.step > 1


def test_another_strategy_runs_the_same_schedule_without_stale_reads(token: str) -> None:
    assert not replay_token(token, strategy="transaction").failed
