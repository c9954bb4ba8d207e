"""What a seed may be: a whole number from 0 to 2**64 - 1.

Seeds are mixed into 64-bit streams (``derive_seed``), so two seeds that differ by a
multiple of 2**64 would name the same batch, and a negative seed would alias a large one:
refusing them keeps "seed N" meaning one thing. ``parse_seed`` is for text a user typed.
"""

from __future__ import annotations

from cache.errors import BadInput

__all__ = ["MAX_SEED", "BadSeed", "check_seed", "parse_seed"]

MAX_SEED = 2**64 - 1
_RANGE = f"a whole number from 0 to {MAX_SEED}"


class BadSeed(BadInput):
    """Not a seed we accept; the message says what is allowed."""


def check_seed(seed: object) -> int:
    """``seed`` if it is a usable seed, else ``BadSeed``."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise BadSeed(f"a seed must be {_RANGE}, not a {type(seed).__name__}")
    if not 0 <= seed <= MAX_SEED:
        shown = str(seed) if len(str(seed)) <= 30 else f"a number of {len(str(seed))} digits"
        raise BadSeed(f"seed {shown} is out of range; a seed is {_RANGE}")
    return seed


def parse_seed(text: str) -> int:
    """A seed typed by a user (ASCII digits, ``_`` separators allowed)."""
    stripped = text.strip().replace("_", "")
    if not (stripped.isascii() and stripped.isdigit()):
        shown = text if len(text) <= 30 else text[:29] + "…"
        raise BadSeed(f"seed {shown!r} is not {_RANGE}")
    if len(stripped) > len(str(MAX_SEED)):
        raise BadSeed(f"seed of {len(stripped)} digits is out of range; a seed is {_RANGE}")
    return check_seed(int(stripped))
