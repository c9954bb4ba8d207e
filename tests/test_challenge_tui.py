"""The learner's side: a challenge solved in the app through its keys and its diagnosis
form, and a wrong diagnosis that gets the real cause explained."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from textual.widgets import RichLog

from workbench.session.packs import load_pack
from workbench.tui.challenge import ChallengeApp

ROOT = Path(__file__).resolve().parents[1]


def _app(tmp_path: Path) -> ChallengeApp:
    return ChallengeApp(load_pack().challenge("stale-set"), "built-in",
                        state_path=tmp_path / "state.json", fresh=True,
                        report_path=tmp_path / "report.md", learner="ada")


def _log(app: ChallengeApp) -> str:
    return "\n".join(line.text for line in app.query_one("#out", RichLog).lines)


async def _diagnose(app: ChallengeApp, pilot: object, change: str, window: str, fix: str
                    ) -> None:
    await pilot.press("d")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    for button in (f"#change-{change}", f"#window-{window}", f"#fix-{fix}", "#submit"):
        await pilot.click(button)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_solving_a_challenge_by_its_keys(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 60)) as pilot:
        # Evidence; catch it; widen and try the lease; verify it at production timing.
        for keys in (["b"], ["o", "n"], ["plus"] * 3 + ["b"], ["f", "b"], ["minus"] * 3 + ["b"]):
            await pilot.press(*keys)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.run_.current is None, app.run_.outcomes
        assert "its minimal witness" in _log(app)
        await _diagnose(app, pilot, "fill-on-miss", "read-to-fill", "lease")
        await pilot.press("R")
        await pilot.pause()
        assert "Your diagnosis is right. Score 110 of 110 (solved)." in _log(app)
    data = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(data, json.loads(
        (ROOT / "schemas" / "challenge-report.schema.json").read_text()))
    assert (data["learner"], data["challenge"], data["status"]) == ("ada", "stale-set", "solved")
    assert data["diagnosis"] == {"change": "fill-on-miss", "window": "read-to-fill",
                                 "fix": "lease", "right": True}
    assert data["score"] == 110 and data["actions"] == 6 and data["hints_used"] == 0
    assert all(s["done"] and s["seconds_to_done"] is not None for s in data["stages"])


@pytest.mark.asyncio
async def test_a_wrong_diagnosis_gets_the_real_cause_with_its_witness(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.press("h", "s")  # a hint, then "show me" the first stage
        await app.workers.wait_for_complete()
        await pilot.pause()
        await _diagnose(app, pilot, "delete-on-write", "read-to-fill", "delete-twice")
        log = _log(app)
    assert "Your diagnosis is not right." in log and "(unsolved)" in log
    assert "diagnosis, change: wrong, 0" in log and "diagnosis, window: right, +10" in log
    assert "Reproduce it: revealed, 0" in log and "1 hints: -5" in log
    # The real cause in the pack's words, then the minimal witness from a failing run.
    assert "its SET of v0" in log and "The fix: A lease taken on the miss" in log
    assert "The minimal witness (missed-invalidation)" in log
    assert "writer     cache.exec start user:123" in log and "read returns v0" in log
