"""A pytest regression test generated from a replay token.

The test replays the token's schedule against ``RACE_STRATEGY`` (default: the fix) and
asserts that no read is stale: it passes with the fix and fails with the strategy the
token recorded. It depends only on the ``cache`` package.
"""

from __future__ import annotations

import re

from cache.explore.token import Token

__all__ = ["regression_source"]

_TEMPLATE = '''"""Regression test exported by Race Workbench's schedule explorer.

This schedule of {scenario} returned stale data with {broken!r}. The test replays it and
asserts that no read is stale. It passes with the fix ({fix!r}) and fails with the bug:

    python -m pytest {path}                          # passes: the fix
    RACE_STRATEGY={broken} python -m pytest {path}   # fails: the bug
"""

from __future__ import annotations

import os

from cache.explore import replay_token

TOKEN = {token!r}
STRATEGY = os.environ.get("RACE_STRATEGY", {fix!r})


def {name}() -> None:
    replayed = replay_token(TOKEN, strategy=STRATEGY)
    oracle = replayed.played.sim.oracle
    explanations = [stale.explain() for stale in oracle.stale_reads]
    assert oracle.reads > 0
    assert explanations == [], f"{{STRATEGY}} returned stale data: {{explanations}}"
'''


def regression_source(token: str, fix: str, path: str = "test_regression.py") -> str:
    """The text of a pytest module pinning ``token``; ``fix`` is the strategy it expects."""
    decoded = Token.decode(token)
    name = re.sub(r"\W", "_", f"test_{decoded.spec.strategy}_schedule_{decoded.seed}")
    return _TEMPLATE.format(
        scenario=decoded.spec.scenario.describe(),
        broken=decoded.spec.strategy,
        fix=fix,
        path=path,
        token=token,
        name=name + "_has_no_stale_read",
    )
