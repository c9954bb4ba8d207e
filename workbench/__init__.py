"""Race Workbench: the terminal UI and the command line over the ``cache`` core.

Importing this package must stay cheap and must not import Textual: the headless CLI
(``workbench run``) goes through it.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
