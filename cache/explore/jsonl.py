"""A history as JSON Lines, and back: one fixture or event object per line.

Read back and fed to a fresh oracle, it gives the same verdicts (``tests/test_explore_exports``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from cache.events import Event, Op, Phase, Source
from cache.oracle import Oracle

__all__ = ["history_jsonl", "oracle_from_jsonl", "parse_jsonl"]


def history_jsonl(fixture: Mapping[str, int], events: Iterable[Event]) -> str:
    lines = [json.dumps({"type": "fixture", "key": k, "version": v}) for k, v in fixture.items()]
    for event in events:
        lines.append(json.dumps({"type": "event", **event.to_dict()}, separators=(",", ":")))
    return "\n".join(lines) + "\n"


def parse_jsonl(text: str) -> tuple[dict[str, int], list[Event]]:
    """The fixture and the events of a JSON Lines history; ValueError names a bad line."""
    fixture: dict[str, int] = {}
    events: list[Event] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if row["type"] == "fixture":
                fixture[str(row["key"])] = int(row["version"])
                continue
            source = row.get("source")
            events.append(
                Event(
                    int(row["seq"]),
                    float(row["t_ms"]) / 1000.0,
                    Phase(row["phase"]),
                    int(row["span"]),
                    int(row["parent"]),
                    str(row["task"]),
                    Op(row["op"]),
                    str(row["key"]),
                    row.get("version"),
                    None if source is None else Source(source),
                    str(row.get("note", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"line {number} is not a history event: {error}") from None
    return fixture, events


def oracle_from_jsonl(text: str, primaries: Iterable[str]) -> Oracle:
    """A fresh oracle fed the history in ``text`` (``primaries``: the keys it preloads)."""
    fixture, events = parse_jsonl(text)
    oracle = Oracle()
    for key in primaries:
        if key in fixture:
            oracle.preload(key, fixture[key])
    oracle.feed_all(events)
    return oracle
