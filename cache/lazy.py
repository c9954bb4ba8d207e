"""Package names loaded on first use (PEP 562).

A package's ``__init__`` that imported all its modules made importing any one of them pay for
all of them: ``cache.strategies.naive`` loaded every strategy, ``cache.backends.base`` the
simulated server and the scheduler. The app's first screen needs a few light modules, and
the command line's first import needs ``cache.errors`` alone; each package therefore names
what it exports and where from, and loads a module when one of its names is first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["exports"]


def exports(
    package: str, homes: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names are ``homes``'
    values, each defined in the module its key names."""
    home_of = {name: module for module, names in homes.items() for name in names}
    namespace = import_module(package).__dict__
    namespace["__all__"] = sorted(home_of)  # ``from package import *`` loads them all

    def getattr_(name: str) -> Any:
        home = home_of.get(name)
        if home is None:
            # Not an exported name: ``from package import submodule`` then imports it.
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        namespace[name] = value  # looked up once
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *home_of})

    return getattr_, dir_
