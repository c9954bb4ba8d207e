"""Hardening of the engine against hostile strategies and input, in the simulator.

Whatever a user's ``module:Class`` does, a run ends within its budget and raises only a
``RunFailed`` (or succeeds), with a one-line message that shows no traceback and no password.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from cache import Context, Knobs, RunSpec, StoryScenario, Strategy, SustainedWorkload
from cache.batch import run_batch
from cache.errors import BadInput, RunFailed, describe
from cache.scheduler.budget import Budget, BudgetExceeded
from cache.scheduler.core import Status, StepLimitExceeded
from cache.seeds import MAX_SEED, BadSeed, check_seed, parse_seed
from cache.simulation import Simulation
from cache.strategies.registry import StrategyNotFound, load_strategy, load_strategy_async
from tests import hostile_strategies as hostile

SMALL = Budget(virtual_seconds=60.0, steps=20_000, steps_at_instant=5_000)


def assert_clean(message: str) -> None:
    assert message and "\n" not in message
    assert "Traceback" not in message
    assert hostile.SECRET not in message
    assert len(message) <= 500


def _sim_cases() -> list[type[Strategy]]:
    return [cls for cls in hostile.RUNNABLE if "sim" in cls.where]


@pytest.mark.parametrize("cls", _sim_cases(), ids=lambda cls: cls.name)
def test_every_hostile_strategy_ends_within_budget_with_one_clean_line(
    cls: type[Strategy],
) -> None:
    spec = RunSpec(StoryScenario(), cls, Knobs())
    try:
        sim = Simulation(spec.scenario, cls, 1, budget=SMALL)
    except RunFailed as error:  # a constructor that raised
        assert_clean(str(error))
        return
    try:
        sim.run()
    except RunFailed as error:
        assert_clean(str(error))
        assert_clean(describe(error))
    assert sim.scheduler.steps <= SMALL.steps + 1  # type: ignore[operator]
    assert sim.now() <= SMALL.virtual_seconds


@pytest.mark.parametrize("cls", _sim_cases(), ids=lambda cls: cls.name)
def test_a_batch_of_hostile_runs_raises_only_run_failures(cls: type[Strategy]) -> None:
    # The default budget, as the command line and the app use it.
    try:
        result = run_batch(RunSpec(StoryScenario(), cls, Knobs()), 2, 1)
    except RunFailed as error:
        assert_clean(str(error))
    else:
        if result.stopped_by:  # the run failed: the batch stopped there, with a clean line
            assert_clean(result.stopped_by)
            assert result.interrupted and result.stopped_at == result.completed + 1
        else:
            assert not result.interrupted and result.completed == 2


@pytest.mark.parametrize(
    ("cls", "phrase"),
    [
        (hostile.RaisesInInit, "raised in __init__: RuntimeError: cannot construct"),
        (hostile.ExitsInInit, "raised in __init__: SystemExit: 3"),
        (hostile.ExitsInUpdate, "raised in update: SystemExit: 3"),
        (hostile.InterruptsInRead, "raised in read: KeyboardInterrupt"),
        (hostile.BadStrInUpdate, "BadStr (its message could not be shown)"),
        (hostile.ReturnsStrVersion, "not a cache.Read"),
        (hostile.ReturnsBadRepr, "read returned <a BadStr>"),
        (hostile.AwaitsAsyncioSleep, "cannot run inside the simulator"),
        (hostile.AwaitsFuture, "cannot run inside the simulator"),
        (hostile.RaisesInUpdate, "redis://admin:***@127.0.0.1:6379/0?password=***"),
        (hostile.SleepsForever, "sleeps forever"),
        (hostile.SleepsAges, "budget of 60 virtual seconds"),
        (hostile.LoopsInVirtualTime, "the run passed its budget of"),
        (hostile.NeverReleases, "the run passed its budget of"),
        (hostile.LoopsInTinySteps, "budget of 20,000 scheduling steps"),
        (hostile.Spins, "without time moving"),
        (hostile.CatchesEverything, "without time moving"),
    ],
    ids=lambda value: getattr(value, "name", "msg"),
)
def test_each_failure_says_what_happened(cls: type[Strategy], phrase: str) -> None:
    with pytest.raises(RunFailed) as error:
        Simulation(StoryScenario(), cls, 1, budget=SMALL).run()
    assert phrase in str(error.value)


def test_a_budget_error_names_the_task_that_sleeps_forever() -> None:
    sim = Simulation(StoryScenario(), hostile.SleepsForever, 1, budget=SMALL)
    with pytest.raises(BudgetExceeded, match="task 'updater' sleeps forever"):
        sim.run()
    assert issubclass(BudgetExceeded, RunFailed) and issubclass(StepLimitExceeded, RunFailed)


def test_an_endless_workload_has_no_time_or_step_budget() -> None:
    # The live view runs until stopped: past the default budget of a finite run.
    workload = SustainedWorkload(writers=1, readers=1, duration=None, read_think_ms=200.0)
    sim = Simulation(workload, load_strategy("naive-async"), 1)
    assert sim.run(until=400.0) is Status.TIME_LIMIT


def test_a_finite_workload_gets_a_budget_scaled_by_its_duration() -> None:
    budget = Budget.for_scenario(SustainedWorkload(duration=1000.0))
    assert budget.virtual_seconds > 1000.0 and budget.steps is not None
    assert budget.steps > Budget.for_scenario(StoryScenario()).steps  # type: ignore[operator]


class _PressesCtrlC(Strategy):
    name = "presses-ctrl-c"
    description = "Sends this process a real SIGINT, as a user's Ctrl+C would."
    guarantee = "Nothing."

    async def update(self, ctx: Context, key: str, version: int) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        await ctx.store.set(key, version)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_real_ctrl_c_still_interrupts_a_batch() -> None:
    result = run_batch(RunSpec(StoryScenario(), _PressesCtrlC, Knobs()), 5, 1)
    assert result.interrupted and result.completed == 0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize(("spec", "phrase"), sorted(hostile.LOAD_ERRORS.items()))
def test_hostile_modules_fail_to_load_with_one_clean_line(spec: str, phrase: str) -> None:
    with pytest.raises(StrategyNotFound) as error:
        load_strategy(spec)
    assert isinstance(error.value, BadInput)
    assert phrase in str(error.value)
    assert_clean(str(error.value))


@pytest.fixture
def slow_module_unimported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another test's import of the slow module may have finished by now (it sleeps a
    minute): these must import it afresh."""
    monkeypatch.delitem(sys.modules, hostile.SLOW_IMPORT.partition(":")[0], raising=False)


@pytest.mark.usefixtures("slow_module_unimported")
def test_a_module_that_sleeps_at_import_is_given_up_on() -> None:
    with pytest.raises(StrategyNotFound, match=r"took longer than 0\.2s"):
        load_strategy(hostile.SLOW_IMPORT, timeout=0.2)


@pytest.mark.usefixtures("slow_module_unimported")
def test_the_async_loader_keeps_the_loop_turning_while_a_module_sleeps() -> None:
    ticks = 0

    async def main() -> None:
        nonlocal ticks

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        beat = asyncio.ensure_future(ticker())
        try:
            with pytest.raises(StrategyNotFound, match="took longer"):
                await load_strategy_async(hostile.SLOW_IMPORT, within=0.3)
        finally:
            beat.cancel()

    asyncio.run(main())
    assert ticks >= 5  # the loop ran the whole time the import hung


def test_loading_with_a_timeout_still_loads_a_good_strategy() -> None:
    cls = load_strategy("tests.user_strategies:WriteThrough", timeout=30.0)
    assert cls.name == "write-through"
    assert asyncio.run(load_strategy_async("lock")).name == "lock"


def test_a_strategy_module_in_the_current_directory_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The installed console script does not put the current directory on sys.path.
    (tmp_path / "hardening_mystrat.py").write_text(
        "from tests.user_strategies import WriteThrough as Fix\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    try:
        assert load_strategy("hardening_mystrat:Fix").name == "write-through"
    finally:
        sys.modules.pop("hardening_mystrat", None)


def test_a_missing_module_gets_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StrategyNotFound) as error:
        load_strategy("hardening_nosuch:Fix")
    message = str(error.value)
    assert "current directory" in message and "hardening_nosuch.py" in message


def test_describe_never_raises_and_gives_one_line() -> None:
    assert describe(hostile.BadStr()) == "BadStr (its message could not be shown)"
    assert describe(KeyboardInterrupt()) == "KeyboardInterrupt"
    text = describe(ValueError("a\nb\n\nc " + "x" * 5000))
    assert text.startswith("ValueError: a b c x") and len(text) <= 400
    assert hostile.SECRET not in describe(OSError(f"connecting to {hostile.LEAKY_URL}"))


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, 2**200, True, 1.5])
def test_seeds_outside_64_bits_are_refused(seed: object) -> None:
    with pytest.raises(BadSeed) as error:
        check_seed(seed)
    assert isinstance(error.value, BadInput)
    assert "0 to 18446744073709551615" in str(error.value)


@pytest.mark.parametrize("text", ["-5", "²", "1e3", "", "9" * 5000, "0x10"])
def test_typed_seeds_are_checked_without_a_crash(text: str) -> None:
    with pytest.raises(BadSeed) as error:
        parse_seed(text)
    assert_clean(str(error.value))


def test_typed_seeds_in_range_are_accepted() -> None:
    assert parse_seed(" 18446744073709551615 ") == MAX_SEED
    assert parse_seed("1_000") == 1000 and check_seed(0) == 0
