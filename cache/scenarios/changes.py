"""The story's three recent commits, as switches a user can bisect with."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ALL_CHANGES", "Change", "format_changes", "parse_changes"]


class Change(StrEnum):
    """A recent change to the cache code; all three are applied by default, as in the story."""

    ASYNC = "async"
    PREWARM = "prewarm"
    TTL_REFRESH = "ttl-refresh"

    @property
    def commit(self) -> str:
        return _COMMITS[self]

    @property
    def summary(self) -> str:
        return _SUMMARIES[self]

    @property
    def effect(self) -> str:
        """What switching it on does in the simulation."""
        return _EFFECTS[self]


_COMMITS = {Change.ASYNC: "f8d3c21", Change.PREWARM: "9a2b741", Change.TTL_REFRESH: "c4e5d67"}
_SUMMARIES = {
    Change.ASYNC: "Optimize cache reads with async/await",
    Change.PREWARM: "Add cache prewarming on startup",
    Change.TTL_REFRESH: "Implement cache TTL refresh",
}
_EFFECTS = {
    Change.ASYNC: "cache calls become awaits other requests can run between; "
    "off, every cache call blocks the program as the synchronous client did",
    Change.PREWARM: "a startup task rebuilds every key's related entries: more traffic at t=0",
    Change.TTL_REFRESH: "a background task touches every entry periodically: steady extra traffic",
}

ALL_CHANGES: frozenset[Change] = frozenset(Change)


def parse_changes(text: str) -> frozenset[Change]:
    """``"async,prewarm"``, a commit id, ``"all"`` or ``"none"``; raises ``ValueError`` with
    the allowed names."""
    text = text.strip()
    if text.lower() in ("all", ""):
        return ALL_CHANGES if text else frozenset()
    if text.lower() == "none":
        return frozenset()
    by_name = {c.value: c for c in Change} | {c.commit: c for c in Change}
    chosen = set()
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in by_name:
            allowed = ", ".join(f"{c.value} ({c.commit})" for c in Change)
            raise ValueError(f"unknown change {part.strip()!r}; choose from {allowed}, all or none")
        chosen.add(by_name[name])
    return frozenset(chosen)


def format_changes(changes: frozenset[Change]) -> str:
    """The inverse of ``parse_changes``, in a stable order."""
    if not changes:
        return "none"
    return ",".join(c.value for c in Change if c in changes)
