"""Replaying a token: its schedule while it applies, then the policy that made it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cache.explore.schedule import Divergence, NonPreemptive, Played, play
from cache.explore.spec import SpecError
from cache.explore.token import Token, TokenError
from cache.scheduler.policies import PCTPolicy, Policy, RandomPolicy
from cache.strategies.registry import load_strategy

__all__ = ["Replayed", "policy_from", "replay_token"]


def policy_from(policy: dict[str, Any]) -> Policy:
    """The seeded policy a token names, to continue with after its schedule."""
    name = policy.get("name")
    if name == "random":
        return RandomPolicy()
    if name == "pct":
        return PCTPolicy(int(policy["depth"]), int(policy["steps"]))
    if name in ("exhaustive", "shrunk"):
        return NonPreemptive()
    raise TokenError(f"unknown policy {name!r} in token")


@dataclass(slots=True)
class Replayed:
    """A token, replayed: the run, and where it diverged from the token (None: exactly)."""

    token: Token
    played: Played

    @property
    def divergence(self) -> Divergence | None:
        return self.played.steered.divergence

    @property
    def failed(self) -> bool:
        return self.played.failed


def replay_token(text: str | Token, *, strategy: str | None = None) -> Replayed:
    """Replay a token; ``strategy`` runs the same schedule against another strategy (its
    steps diverge where the code differs, and the run continues with the token's policy)."""
    token = Token.decode(text) if isinstance(text, str) else text
    spec = token.spec
    if strategy is not None:
        try:
            load_strategy(strategy)
        except ValueError as error:
            raise SpecError(str(error)) from None
        spec = replace(spec, strategy=strategy)
    played = play(spec, token.seed, policy_from(token.policy), token.steps, complete=True)
    return Replayed(token, played)
