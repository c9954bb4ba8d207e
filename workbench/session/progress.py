"""Saved progress, shared by the walkthrough and the challenges: a journal and what it
passed, written atomically as JSON and read back with its format checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cache.atomic import write_atomic
from workbench.session.journal import Entry, Journal

__all__ = ["journal_fields", "load", "restore_journal", "save"]


def journal_fields(journal: Journal) -> dict[str, Any]:
    """What every saved progress holds of its journal."""
    return {
        "elapsed": round(journal.now(), 3),
        "journal": [entry.to_dict() for entry in journal],
    }


def save(path: Path | None, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` (nothing without a path), whole or not at all."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=1))


def load(path: Path | None) -> dict[str, Any] | None:
    """The saved progress at ``path``, or None when there is none; ``ValueError`` when the
    file cannot be read as progress."""
    if path is None or not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot resume from {path}: {error}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"cannot resume from {path}: not saved progress")
    return raw


def restore_journal(journal: Journal, raw: dict[str, Any]) -> None:
    """Put the journal saved in ``raw`` back (``KeyError``/``ValueError``/``TypeError`` if it
    is malformed; the caller says which file)."""
    entries = [Entry.from_dict(entry) for entry in raw["journal"]]
    journal.restore(entries, float(raw["elapsed"]))
