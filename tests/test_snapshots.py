"""Snapshot tests of the main views at 80x24 and 120x40 (pytest-textual-snapshot).

The views are the ones ``python -m workbench.tui.shots`` saves for the README, reached by the
same steps on virtual time. Review changes with ``python -m pytest tests/test_snapshots.py
--snapshot-update`` and the report it writes.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from workbench.tui.app import WorkbenchApp
from workbench.tui.shots import VIEWS, prepare

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_view(snap_compare: Any, view: str, size: tuple[int, int]) -> None:
    app = WorkbenchApp()

    async def run_before(pilot: Pilot[None]) -> None:
        await prepare(view, app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
