"""``workbench pack check``: a pack is usable when it reads (``packs.py``) and when each
challenge can be won and cannot be won by doing nothing: its reference solution, replayed
headlessly on the simulator, passes every goal, and the starting state passes none."""

from __future__ import annotations

from collections.abc import Callable

from cache.errors import RunFailed
from workbench.session.challenge import ChallengeRun
from workbench.session.checkpoints import Verdict
from workbench.session.packs import BUILTIN, Challenge, Pack, _line_of

__all__ = ["check_challenge", "check_pack"]


def check_challenge(pack: Pack, index: int) -> list[str]:
    """The problems of the pack's ``index``-th challenge (none: it is sound)."""
    challenge: Challenge = pack.challenges[index]
    name = "(built-in pack)" if pack.path == BUILTIN else str(pack.path)
    text = pack.path.read_text(encoding="utf-8")

    def at(*where: str | int) -> str:
        return f"{name}:{_line_of(text, ('challenge', index, *where))}: {challenge.id}"

    problems = []
    run = ChallengeRun(challenge)
    run.start()
    for j, stage in enumerate(challenge.stages):
        for k, goal in enumerate(stage.goals):
            if run.goal_outcome(stage, k).verdict is Verdict.PASS:
                problems.append(f"{at('stage', j, 'goals')}: goal {goal.id} of stage "
                                f"{stage.id} already passes at the start")
    for n, action in enumerate(challenge.solution):
        try:
            why = run.do(action)
        except (ValueError, RunFailed) as error:
            why = str(error)
        if why:
            problems.append(f"{at('solution', n)}: solution action {n + 1} ({action.do}): "
                            f"{why}")
    for j, stage in enumerate(challenge.stages):
        for k, goal in enumerate(stage.goals):
            outcome = run.goal_outcome(stage, k)
            if outcome.verdict is not Verdict.PASS:
                problems.append(f"{at('stage', j, 'goals')}: the solution does not reach goal "
                                f"{goal.id} of stage {stage.id} ({outcome.reason})")
    return problems


def check_pack(pack: Pack, progress: Callable[[Challenge, list[str]], None] | None = None
               ) -> list[str]:
    """Every problem of every challenge; ``progress`` hears of each challenge as it is done."""
    problems = []
    for i, challenge in enumerate(pack.challenges):
        found = check_challenge(pack, i)
        if progress is not None:
            progress(challenge, found)
        problems += found
    return problems
