"""The application's cache layer: the story's ``updateCache`` and ``getCache``.

It wraps each call in a span, hands the body to the selected strategy, and, when the async
optimization is switched off, runs it inside a blocking section, as the synchronous client
did before that commit.
"""

from __future__ import annotations

from cache.backends.base import BackendError
from cache.errors import StrategyFailed, describe, safe_repr
from cache.events import Op, Source
from cache.history import Span
from cache.interrupts import is_real_interrupt
from cache.strategies.base import Context, Read, Strategy, UpdateAbandoned

__all__ = ["CacheService", "StrategyFailed"]


class CacheService:
    """``update`` and ``get`` as the application calls them, traced and delegated."""

    __slots__ = ("abandoned", "blocking", "ctx", "strategy")

    def __init__(self, strategy: Strategy, ctx: Context, *, blocking: bool = False) -> None:
        self.strategy = strategy
        self.ctx = ctx
        self.blocking = blocking
        self.abandoned = 0

    async def update(self, key: str, version: int) -> bool:
        """Write ``version`` to ``key``; False if the strategy abandoned the update."""
        with self.ctx.recorder.span(Op.UPDATE, key, version=version) as span:
            try:
                if self.blocking:
                    async with self.ctx.runtime.blocking():
                        await self.strategy.update(self.ctx, key, version)
                else:
                    await self.strategy.update(self.ctx, key, version)
            except UpdateAbandoned as gave_up:
                self.abandoned += 1
                span.fail(f"abandoned: {gave_up}")
                return False
            except _STRATEGY_ERRORS as error:
                self._blame(span, "update", error)
                raise
            span.version = version
        return True

    async def increment(self, key: str) -> int | None:
        """Add one to the counter ``key``; the value written, or None if abandoned."""
        with self.ctx.recorder.span(Op.INCREMENT, key) as span:
            try:
                value = await self.strategy.increment(self.ctx, key)
            except UpdateAbandoned as gave_up:
                self.abandoned += 1
                span.fail(f"abandoned: {gave_up}")
                return None
            except _STRATEGY_ERRORS as error:
                self._blame(span, "increment", error)
                raise
            span.version = value
        return value

    async def refresh(self, key: str) -> None:
        """The background TTL refresh of ``key``'s entries, through the strategy."""
        with self.ctx.recorder.span(Op.REFRESH, key) as span:
            try:
                await self.strategy.refresh(self.ctx, key)
            except _STRATEGY_ERRORS as error:
                self._blame(span, "refresh", error)
                raise

    async def prewarm(self, keys: tuple[str, ...]) -> None:
        """Fill the cache for ``keys`` before traffic arrives, through the strategy."""
        with self.ctx.recorder.span(Op.PREWARM, f"{len(keys)} keys") as span:
            try:
                await self.strategy.prewarm(self.ctx, keys)
            except _STRATEGY_ERRORS as error:
                self._blame(span, "prewarm", error)
                raise

    async def get(self, key: str) -> Read:
        """Read ``key`` through the strategy's read path."""
        with self.ctx.recorder.span(Op.GET, key) as span:
            try:
                if self.blocking:
                    async with self.ctx.runtime.blocking():
                        result = await self.strategy.read(self.ctx, key)
                else:
                    result = await self.strategy.read(self.ctx, key)
            except _STRATEGY_ERRORS as error:
                self._blame(span, "read", error)
                raise
            if not _is_read(result):
                wrong = TypeError(
                    f"read returned {safe_repr(result)}, not a cache.Read(version: int | None, "
                    "source: cache.Source)"
                )
                span.note = str(wrong)
                raise StrategyFailed(self.strategy.name, "read", wrong)
            span.version = result.version
            span.source = result.source or Source.NONE
        return result

    def _blame(self, span: Span, call: str, error: BaseException) -> None:
        """Raise ``StrategyFailed`` naming the strategy if ``error`` is its bug; return if
        it passes as it is: the store's failures, a deliberate give-up, the user's Ctrl+C.
        (A plain ``except`` in each call rather than a context manager: this is on every
        call of every run.)"""
        if isinstance(error, BackendError):
            span.note = "store error"
            return
        if isinstance(error, UpdateAbandoned) or is_real_interrupt(error):
            return
        # SystemExit, and KeyboardInterrupt unless it is the user's Ctrl+C, are the
        # strategy's bug too: they must end the run, not the process.
        span.note = describe(error)
        raise StrategyFailed(self.strategy.name, call, error) from error


# What a strategy's code may raise that ``_blame`` sorts out; ``Cancelled`` (an abandoned
# run) and ``GeneratorExit`` pass untouched.
_STRATEGY_ERRORS = (Exception, SystemExit, KeyboardInterrupt)


def _is_read(result: object) -> bool:
    # Read("v1", ...) is a Read too, and a str version would crash the oracle and the log.
    if not isinstance(result, Read):
        return False
    version, source = result
    valid_version = version is None or (type(version) is int and version >= 0)
    return valid_version and (source is None or isinstance(source, Source))
