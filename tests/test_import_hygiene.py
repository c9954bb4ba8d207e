"""The core and the session layer never load the UI toolkit (nor click), and the headless
CLI path loads no UI toolkit either. ``lint-imports`` checks the same statically."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import cache
import workbench.session

CORE_MODULES = sorted(m.name for m in pkgutil.walk_packages(cache.__path__, prefix="cache."))
SESSION_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(workbench.session.__path__, prefix="workbench.session.")
)


def _loaded_ui_modules(code: str, toolkits: tuple[str, ...] = ("textual", "rich")) -> list[str]:
    probe = (
        f"{code}\n"
        "import sys\n"
        f"ui = sorted(m for m in sys.modules if m.split('.')[0] in {toolkits!r})\n"
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


def test_session_modules_do_not_load_textual_rich_or_click() -> None:
    assert "workbench.session.child" in SESSION_MODULES and len(SESSION_MODULES) >= 10
    imports = "\n".join(f"import {name}" for name in [*CORE_MODULES, *SESSION_MODULES])
    assert _loaded_ui_modules(imports, ("textual", "rich", "click")) == []


def test_headless_cli_does_not_load_textual() -> None:
    code = (
        "from workbench.cli import main\n"
        "try:\n"
        "    main(['run', '--runs', '5', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert _loaded_ui_modules(code) == []
