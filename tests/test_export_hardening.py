"""Exporting a regression test: valid Python for any seed and name, never outside the
working directory or over a file without confirmation, and written whole."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Static

from cache.regression import RegressionCase, regression_test_source
from cache.seeds import MAX_SEED
from tests.apps import RecordingApp
from workbench.session.export import export_concerns, export_regression_test, write_new
from workbench.session.settings import LiveSettings
from workbench.session.state import Session
from workbench.tui.panes.verify import VerifyPane


@given(
    seed=st.integers(-MAX_SEED - 1, MAX_SEED),
    run=st.integers(1, 10_000_000),
    name=st.text(min_size=1, max_size=40),
)
def test_the_generated_test_compiles_for_any_seed_and_name(seed: int, run: int, name: str) -> None:
    case = RegressionCase(seed=seed, run=run, broken=name, fix=name)
    source = regression_test_source(case, f"test_{name}.py")
    compile(source, "test_x.py", "exec")
    assert f"def {case.test_name}()" in source and case.test_name.isidentifier()


def test_a_negative_seed_names_its_test_with_minus() -> None:
    case = RegressionCase(seed=-5, run=23, broken="naive-async", fix="lock")
    assert case.test_name == "test_run_23_of_seed_minus_5_has_no_stale_read"


def test_paths_outside_the_directory_or_over_a_file_need_confirming(tmp_path: Path) -> None:
    (tmp_path / "test_there.py").write_text("x = 1\n")
    assert export_concerns(Path("test_new.py"), tmp_path) == []
    assert "outside the working directory" in export_concerns(Path("../test_x.py"), tmp_path)[0]
    assert "outside the working directory" in export_concerns(Path("/tmp/test_x.py"), tmp_path)[0]
    assert "exists" in export_concerns(Path("test_there.py"), tmp_path)[0]


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    target = tmp_path / "test_x.py"
    target.write_text("mine\n")
    with pytest.raises(FileExistsError):
        write_new(target, "theirs\n")
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_x.py"]  # no temp file left


def test_a_negative_seed_exports_a_test_that_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    session = Session(LiveSettings(seed=-5))
    path, _ = asyncio.run(export_regression_test(Path("test_neg.py"), session, "lock"))
    compile(path.read_text(), str(path), "exec")
    assert "seed_minus_5" in path.read_text()


@pytest.mark.asyncio
async def test_the_app_asks_before_writing_outside_or_over_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test_kept.py").write_text("mine\n")
    outside = tmp_path.parent / f"test_{tmp_path.name}_outside.py"
    app = RecordingApp(LiveSettings(seed=-5))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.action_show_tab("verify")
        await pilot.pause()
        pane = app.query_one(VerifyPane)
        field = pane.query_one("#verify-export-path", Input)
        for name in ("test_kept.py", f"../{outside.name}"):
            field.value = name
            pane.export()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = str(pane.query_one("#verify-export-result", Static).render())
            assert "Press e again" in shown
        assert (tmp_path / "test_kept.py").read_text() == "mine\n" and not outside.exists()
        field.value = "test_kept.py"
        pane.export()
        pane.export()  # the same again: confirmed
        await app.workers.wait_for_complete()
        await pilot.pause()
    source = (tmp_path / "test_kept.py").read_text()
    compile(source, "test_kept.py", "exec")
    assert "def test_run_" in source and "seed_minus_5" in source
