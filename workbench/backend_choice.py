"""Where the stages' batches run: the simulator, or a real Redis server (no Textual here).

On Redis, time is real: the story's scenario is the one sized for a real server
(``live_story``), runs cannot be replayed (the network chose the interleaving), and
the live view stays simulated, since virtual time is what lets it slow the race down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cache.batch import BatchResult, RunSpec
from cache.redis_url import RedisTarget, check_redis_url
from cache.scenarios.live import live_story
from cache.scenarios.story import StoryScenario

__all__ = ["SIM", "BackendChoice"]


@dataclass(frozen=True, slots=True)
class BackendChoice:
    """The simulator (``target`` None) or one checked Redis server."""

    target: RedisTarget | None = None

    @classmethod
    def redis(cls, url: str, *, allow_remote: bool = False) -> BackendChoice:
        """Check ``url`` (``BadRedisUrl``/``RemoteRedisRefused`` say what is wrong) without
        connecting."""
        return cls(check_redis_url(url, allow_remote=allow_remote))

    @property
    def is_redis(self) -> bool:
        return self.target is not None

    def describe(self) -> str:
        return "simulator" if self.target is None else f"Redis at {self.target.display}"

    def adapt(self, spec: RunSpec) -> RunSpec:
        """The spec to run here: on Redis, the story sized for real time."""
        story = spec.scenario
        if self.target is None or not isinstance(story, StoryScenario) or story.reads > 1:
            return spec
        scenario = live_story(changes=story.changes)
        return RunSpec(scenario, spec.strategy, spec.knobs)

    async def probe(self) -> None:
        """Connect and ping (``BackendError`` if the server cannot be reached)."""
        if self.target is None:
            return
        from cache.backends.redis_server import RedisServer

        server = await RedisServer.connect(self.target)
        await server.close()

    async def run(
        self,
        spec: RunSpec,
        runs: int,
        seed: int,
        progress: Callable[[BatchResult], None],
        *,
        step: int,
    ) -> BatchResult:
        """A whole batch on Redis, a few runs at a time (see ``workbench.batching``)."""
        assert self.target is not None
        from cache.backends.redis_server import RedisServer
        from cache.redis_run import RedisBatch

        server = await RedisServer.connect(self.target)
        try:
            batch = RedisBatch(self.adapt(spec), runs, seed, server)
            while not batch.done:
                try:
                    await batch.step(step)
                finally:
                    progress(batch.result)
            return batch.result
        finally:
            await server.close()


SIM = BackendChoice()
