"""The Hypothesis stage's candidate explanations: the learner picks one, never free text,
so that the check can tell a right explanation from a plausible-sounding wrong one."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CANDIDATES", "CORRECT", "Candidate", "candidate"]


class Candidate(NamedTuple):
    id: str
    text: str
    why_not: str  # what the evidence says against it ("" for the right one)


CORRECT = "window"

CANDIDATES: tuple[Candidate, ...] = (
    Candidate(
        "prewarm",
        "Prewarming at startup loads old values over the new one.",
        "Leaving prewarm out did not stop the stale reads; the failing runs' old value came "
        "from a related entry, not from a prewarm write.",
    ),
    Candidate(
        "ttl",
        "The TTL refresh rewrites entries with old data after the update.",
        "The TTL refresh only touches expiry times, and the bug stays when it is left out.",
    ),
    Candidate(
        CORRECT,
        "Since the async change, the update stores the new value and invalidates the "
        "related entries in separate round trips; a read that starts in between is served "
        "an old related entry although the new value was already acknowledged.",
        "",
    ),
    Candidate(
        "early-read",
        "Some reads start before the new value is written, so they see the old one.",
        "A read that overlaps the write may return the old value: that is not stale. The "
        "stale reads started after the write was acknowledged.",
    ),
    Candidate(
        "server",
        "The cache server drops writes when it is busy.",
        "Every write was acknowledged and the final read sees the new value: nothing was lost.",
    ),
)


def candidate(cid: str) -> Candidate:
    for c in CANDIDATES:
        if c.id == cid:
            return c
    raise ValueError(f"unknown explanation {cid!r}; choose one of "
                     f"{', '.join(c.id for c in CANDIDATES)}")
