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


def _loaded(code: str, prefix: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('LOADED:' + ','.join(m for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    line = [x for x in out.splitlines() if x.startswith("LOADED:")][-1]
    return {m for m in line.removeprefix("LOADED:").split(",") if m.startswith(prefix)}


# What runs a simulation, a batch or a replay: the first screen draws none of it, and
# importing it made the app ~15 ms slower to show that screen.
ENGINE = {
    "cache.batch",
    "cache.simulation",
    "cache.scheduler.core",
    "cache.oracle",
    "cache.service",
    "cache.backends.memory",
    "cache.witness",
    "cache.strategies.registry",
}


def test_the_app_and_its_first_screen_import_none_of_the_run_machinery() -> None:
    code = "from workbench.tui.app import WorkbenchApp\nWorkbenchApp()"
    loaded = _loaded(code, "cache.")
    assert "cache.strategies.naive" in loaded  # the probe sees the engine's modules
    assert loaded.isdisjoint(ENGINE), sorted(loaded & ENGINE)


def test_each_of_the_engines_names_loads_from_its_module() -> None:
    # ``cache``'s names are looked up on first use (``cache/__init__.py``), each in the
    # module that defines it; the packages below it import nothing themselves.
    names = [n for n in cache.__all__ if n[0].isupper()]
    assert len(names) > 20
    for name in names:
        value = getattr(cache, name)
        if isinstance(value, type):
            assert value.__module__.startswith("cache."), name
