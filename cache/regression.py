"""Export a failing run as a pytest regression test.

The test replays one seeded run of the story scenario and asserts that no read in it is
stale. Against the broken strategy it fails (that run is the evidence); against the fix it
passes, and keeps passing, or the fix regressed. It depends only on the ``cache`` package.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from cache.scenarios.changes import Change, format_changes
from cache.scenarios.story import StoryScenario

__all__ = ["RegressionCase", "regression_test_source"]


@dataclass(frozen=True, slots=True)
class RegressionCase:
    """Which run to pin, and which strategies break and fix it."""

    seed: int
    run: int
    broken: str
    fix: str
    widen_ms: float = 0.0
    changes: frozenset[Change] = frozenset(Change)
    readers: int = StoryScenario().readers

    @property
    def test_name(self) -> str:
        # An identifier for any seed: "-5" in a name would be a syntax error.
        seed = f"minus_{-self.seed}" if self.seed < 0 else str(self.seed)
        return f"test_run_{self.run}_of_seed_{seed}_has_no_stale_read"


_TEMPLATE = '''"""Regression test exported by Race Workbench.

Run {run} of base seed {seed} of the story scenario returned stale data with
{broken_shown}. This test replays that exact interleaving and asserts that no read is
stale. It passes with the fix ({fix_shown}) and fails with the broken strategy:

    python -m pytest {path}                         # passes: the fix
    RACE_STRATEGY={broken_arg} python -m pytest {path}  # fails: the bug
"""

from __future__ import annotations

import os

from cache import Knobs, RunSpec, StoryScenario, derive_seed, load_strategy, parse_changes

SEED = {seed}
RUN = {run}
STRATEGY = os.environ.get("RACE_STRATEGY", {fix!r})


def {test_name}() -> None:
    scenario = StoryScenario(readers={readers}, changes=parse_changes({changes!r}))
    spec = RunSpec(scenario, load_strategy(STRATEGY), Knobs(widen_ms={widen_ms!r}))
    sim = spec.simulate(derive_seed(SEED, RUN))
    sim.run()
    explanations = [stale.explain() for stale in sim.oracle.stale_reads]
    assert sim.oracle.reads > 0
    assert explanations == [], f"{{STRATEGY}} returned stale data: {{explanations}}"
'''


def _in_docstring(text: str) -> str:
    """``text`` as it may stand inside the module's docstring and read back as itself: no
    backslash escape, no closing quotes, no character that is not printable."""
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text.replace("\\", "\\\\").replace('"', '\\"')


def regression_test_source(case: RegressionCase, path: str = "test_regression.py") -> str:
    """The text of a self-contained pytest module for ``case``, to be saved at ``path``."""
    return _TEMPLATE.format(
        path=_in_docstring(shlex.quote(path)),
        seed=case.seed,
        run=case.run,
        broken_shown=_in_docstring(repr(case.broken)),
        broken_arg=_in_docstring(shlex.quote(case.broken)),
        fix_shown=_in_docstring(repr(case.fix)),
        fix=case.fix,
        readers=case.readers,
        changes=format_changes(case.changes),
        widen_ms=float(case.widen_ms),
        test_name=case.test_name,
    )
