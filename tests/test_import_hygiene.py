"""The core never loads the UI toolkit, and the headless CLI path does not either."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cache

CORE_MODULES = sorted(m.name for m in pkgutil.walk_packages(cache.__path__, prefix="cache."))


def _loaded_ui_modules(code: str) -> list[str]:
    probe = (
        f"{code}\n"
        "import sys\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print('UI-MODULES:' + ','.join(ui))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    line = [x for x in out.splitlines() if x.startswith("UI-MODULES:")][-1]
    return [m for m in line.removeprefix("UI-MODULES:").split(",") if m]


def test_every_core_module_is_found() -> None:
    # Guard against the walk silently finding nothing (then the next test proves nothing).
    assert "cache.oracle" in CORE_MODULES
    assert "cache.scheduler.core" in CORE_MODULES
    assert len(CORE_MODULES) > 20


def test_core_modules_do_not_load_textual_or_rich() -> None:
    imports = "\n".join(f"import {name}" for name in CORE_MODULES)
    assert _loaded_ui_modules(imports) == []


def test_headless_cli_does_not_load_textual() -> None:
    code = (
        "from workbench.cli import main\n"
        "try:\n"
        "    main(['run', '--runs', '5', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _loaded_ui_modules(code) == []
