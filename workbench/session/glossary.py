"""The words the workbench uses, defined once: the guide, the help screen and a stale
read's witness all link here."""

from __future__ import annotations

__all__ = ["GLOSSARY", "NUMBERS", "glossary_markdown", "numbers_markdown"]

GLOSSARY: dict[str, str] = {
    "stale read": "A read that returned a value although a newer one had already been "
    "acknowledged (or returned to another reader) before the read began.",
    "acknowledged": "The store has answered the write: from then on every read that starts "
    "must see the new value or a later one.",
    "related entry": "A derived copy kept beside the primary (user:123:profile, "
    "user:123:summary). Reads prefer it because it is cheaper; an update must invalidate it.",
    "race window": "The time between an update's acknowledged set and its last invalidation, "
    "when the primary is new but a related entry is still old.",
    "missed invalidation": "The kind of stale read in this story: the old value came from a "
    "related entry whose invalidation had not landed yet.",
    "witness": "The few events that make a read stale on their own: the write, its "
    "acknowledgement, the read starting, and the read returning the old value.",
    "failure rate": "Failing runs divided by runs: the chance one run of the test catches the "
    "race.",
    "confidence interval": "The range the true failure rate lies in with 95% confidence, "
    "given how many runs were measured (Wilson interval). Two rates differ clearly when "
    "their intervals do not overlap.",
    "widening the window": "Adding a delay between the update's steps, so that the race "
    "window is longer and reads fall into it more often: a test of the timing hypothesis.",
    "bisect": "Applying half of the suspect changes at a time to find the one that brings "
    "the failures.",
    "schedule": "The order in which tasks take their steps. The scheduler is seeded, so a run "
    "number replays the same schedule.",
    "clean run": "A run without a single stale read.",
}

NUMBERS: dict[str, str] = {
    "4.0% (95% CI 1.6-9.8%)": "failing runs over runs, and the interval the true rate lies in",
    "failed runs": "run numbers you can open and replay exactly",
    "stale reads / reads": "how many of all the reads returned old data",
    "clean runs needed": "consecutive clean runs for 95% or 99% confidence that a bug with "
    "the measured failure rate is gone: ceil(ln(1 - c) / ln(1 - p))",
    "ms in the timeline": "virtual milliseconds since the run began",
}


def glossary_markdown(terms: tuple[str, ...] | None = None) -> str:
    chosen = GLOSSARY if terms is None else {t: GLOSSARY[t] for t in terms if t in GLOSSARY}
    return "\n".join(f"- **{term}**: {text}" for term, text in chosen.items())


def numbers_markdown() -> str:
    return "\n".join(f"- **{what}**: {text}" for what, text in NUMBERS.items())
