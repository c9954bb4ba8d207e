"""Running a batch inside the app without freezing it.

The batch advances a few runs at a time on the event loop and yields between steps, so
keys, redraws and cancellation get their turn; a cancelled batch keeps what it measured.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from cache.batch import Batch, BatchResult, RunSpec
from workbench.backend_choice import SIM, BackendChoice

__all__ = ["run_in_steps"]


async def run_in_steps(
    spec: RunSpec,
    runs: int,
    seed: int,
    progress: Callable[[BatchResult], None],
    *,
    step: int = 20,
    backend: BackendChoice = SIM,
) -> BatchResult:
    """Run ``runs`` runs, calling ``progress`` after each step of ``step`` runs. On Redis a
    lost server raises ``BackendError`` after ``progress`` has seen what was measured."""
    if backend.is_redis:
        return await backend.run(spec, runs, seed, progress, step=max(1, step // 4))
    batch = Batch(spec, runs, seed)
    try:
        while not batch.done:
            batch.step(step)
            progress(batch.result)
            await asyncio.sleep(0)
    except asyncio.CancelledError:
        batch.result.interrupted = True
        progress(batch.result)
        raise
    return batch.result
