"""Writing a file so that a reader, or a crash mid-write, never sees half of it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, text: str | Iterable[str]) -> Path:
    """Write to a temporary file beside ``path``, then rename it over ``path``: a reader (or
    a crash mid-write) sees the old file or the new one, never half of one. Every export,
    report and saved progress goes through here."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for chunk in [text] if isinstance(text, str) else text:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
