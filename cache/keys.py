"""Key names: the story's ``user:123`` and the entries derived from it."""

from __future__ import annotations

__all__ = ["KeySpace"]

STORY_KEY = "user:123"


class KeySpace:
    """``count`` primary keys starting at the story's ``user:123``, each with derived entries
    named ``<key>:<suffix>``."""

    __slots__ = ("_related", "count", "first_id", "primaries", "suffixes")

    def __init__(
        self,
        count: int = 1,
        suffixes: tuple[str, ...] = ("profile", "summary"),
        first_id: int = 123,
    ) -> None:
        if count < 1:
            raise ValueError(f"need at least one key, not {count}")
        self.count = count
        self.first_id = first_id
        self.suffixes = suffixes
        self.primaries = tuple(f"user:{first_id + i}" for i in range(count))
        self._related = {key: tuple(f"{key}:{s}" for s in suffixes) for key in self.primaries}

    def related(self, key: str) -> tuple[str, ...]:
        """The derived entries of ``key`` (also for keys outside ``primaries``)."""
        related = self._related.get(key)
        if related is None:
            related = self._related[key] = tuple(f"{key}:{s}" for s in self.suffixes)
        return related

    def __repr__(self) -> str:
        return f"KeySpace(count={self.count}, suffixes={self.suffixes!r})"
