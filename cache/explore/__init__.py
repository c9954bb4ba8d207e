"""The schedule explorer: find a failing interleaving fast (random, PCT, bounded
exhaustive), shrink it, replay it from a token anywhere, export it. No UI here."""

from __future__ import annotations

from cache.explore.atomic import write_atomic
from cache.explore.causality import causality
from cache.explore.engine import POLICIES, explore
from cache.explore.jsonl import history_jsonl, oracle_from_jsonl, parse_jsonl
from cache.explore.regression import regression_source
from cache.explore.render import render_replay, render_report
from cache.explore.replay import Replayed, replay_token
from cache.explore.report import ExploreReport, Minimal
from cache.explore.schedule import Divergence, Played, play
from cache.explore.shrink import Shrunk, shrink
from cache.explore.spec import ExploreSpec, SpecError
from cache.explore.table import schedule_table
from cache.explore.token import Token, TokenError
from cache.explore.trace import trace_json

__all__ = [
    "POLICIES",
    "Divergence",
    "ExploreReport",
    "ExploreSpec",
    "Minimal",
    "Played",
    "Replayed",
    "Shrunk",
    "SpecError",
    "Token",
    "TokenError",
    "causality",
    "explore",
    "history_jsonl",
    "oracle_from_jsonl",
    "parse_jsonl",
    "play",
    "regression_source",
    "render_replay",
    "render_report",
    "replay_token",
    "schedule_table",
    "shrink",
    "trace_json",
    "write_atomic",
]
