"""Replay tokens: one copyable string that replays a schedule exactly.

``rwb1.`` followed by the base64url (unpadded) of zlib-compressed compact JSON: the spec
(scenario settings, strategy, knobs, skew), the seed, the policy that made the schedule
(so a replay that diverges continues the way the search would have), and the schedule as
indices into a table of task names. The prefix carries the format version.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cache.explore.spec import ExploreSpec, SpecError

__all__ = ["PREFIX", "Token", "TokenError"]

PREFIX = "rwb1."


class TokenError(ValueError):
    """Not a replay token, or one this version cannot read; one line."""


@dataclass(frozen=True, slots=True)
class Token:
    """What a token holds. ``policy`` is ``{"name": ..., **its knobs}``."""

    spec: ExploreSpec
    seed: int
    policy: dict[str, Any]
    steps: tuple[str, ...]

    def encode(self) -> str:
        names = sorted(set(self.steps))
        body = {
            "spec": self.spec.to_dict(),
            "seed": self.seed,
            "policy": self.policy,
            "names": names,
            "steps": [names.index(step) for step in self.steps],
        }
        raw = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        packed = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode()
        return PREFIX + packed

    @classmethod
    def decode(cls, text: str) -> Token:
        text = text.strip()
        if not text.startswith(PREFIX):
            if text.startswith("rwb") and "." in text:
                raise TokenError(f"token version {text.split('.')[0]!r} is not supported; "
                                 f"this workbench reads {PREFIX[:-1]!r}")
            raise TokenError(f"not a replay token: it should start with {PREFIX!r}")
        packed = text[len(PREFIX):]
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
            body = json.loads(raw)
            names: Sequence[str] = body["names"]
            steps = tuple(str(names[i]) for i in body["steps"])
            policy = dict(body["policy"])
            seed = int(body["seed"])
            spec = ExploreSpec.from_dict(body["spec"])
        except SpecError as error:
            raise TokenError(str(error)) from None
        except (binascii.Error, zlib.error, ValueError, KeyError, IndexError, TypeError) as error:
            raise TokenError(f"corrupt replay token ({type(error).__name__}); "
                             "copy the whole string") from None
        return cls(spec, seed, policy, steps)
