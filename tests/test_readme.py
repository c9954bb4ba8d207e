"""The README's set-up commands work as written in a new terminal, and CI runs the README's
test command, not a variant of it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set up\n.*?```bash\n(.*?)```", readme, re.S)
    assert block is not None, "the README has no set-up block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _fresh_shell_env() -> dict[str, str]:
    # A new terminal: no virtual environment activated, nothing of ours on PATH.
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
    }


def test_ci_runs_the_readmes_test_command() -> None:
    test_command = _setup_commands()[1]
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert script[-1] == test_command


def test_the_setup_commands_need_no_activated_environment() -> None:
    install, test_command = _setup_commands()
    # Each line is its own shell: a command may rely only on what an earlier *line* made
    # on disk, never on state (an activated venv) left in the shell by it.
    assert "activate" not in install.replace("&&", "\n").splitlines()[0]
    for command in (install, test_command):
        for step in command.split("&&"):
            program = step.split()[0]
            assert program in ("python3",) or program.startswith(".venv/bin/"), step


def test_the_test_command_runs_in_a_new_terminal() -> None:
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv here: the README's first command has not been run")
    test_command = _setup_commands()[1]
    # Only collect one small module: the point is that the command starts pytest.
    done = subprocess.run(
        ["bash", "-c", f"{test_command} --collect-only -q tests/test_readme.py"],
        cwd=ROOT,
        env=_fresh_shell_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "test_the_test_command_runs_in_a_new_terminal" in done.stdout
