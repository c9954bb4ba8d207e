"""Challenge packs: a trainer's TOML file of challenges, read without any Python written.

A pack is checked in two passes, both reporting ``file:line: message`` so a trainer can go
straight to the mistake: the JSON Schema (``challenges/challenge-pack.schema.json``, the same
file as ``schemas/challenge-pack.schema.json``) for shape, then the facts the schema cannot
know (the strategies exist and fit the race, stage ids are unique). ``packcheck.py`` then
replays each reference solution.

TOML keeps no line numbers, so an error's place is found again in the text: the n-th
``[[challenge]]`` header, then the key's line below it (good enough to land on the spot).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cache.strategies.registry import ALL_STRATEGIES as STRATEGIES

__all__ = [
    "BUILTIN",
    "DEPLOYED",
    "SCHEMA",
    "Action",
    "Candidate",
    "Challenge",
    "Goal",
    "Pack",
    "PackError",
    "Stage",
    "load_pack",
]

_HERE = Path(__file__).with_name("challenges")
BUILTIN = _HERE / "builtin.toml"
SCHEMA = _HERE / "challenge-pack.schema.json"
DEPLOYED = "deployed"  # an action's name for the hidden code as deployed


class PackError(ValueError):
    """A pack that cannot be used: one ``file:line: message`` per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Goal:
    id: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Action:
    do: str  # batch, replay or select
    strategy: str = ""
    runs: int = 0
    widen_ms: float = 0.0
    changes: str = "all"

    def to_dict(self) -> dict[str, Any]:
        if self.do != "batch":
            return {"do": self.do}
        return {"do": "batch", "strategy": self.strategy, "runs": self.runs,
                "widen_ms": self.widen_ms, "changes": self.changes}


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    title: str
    body: str
    goals: tuple[Goal, ...]
    hints: tuple[str, ...] = ()
    show_me: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True, slots=True)
class Challenge:
    id: str
    title: str
    scenario: str
    brief: str
    cause: str  # the deployed strategy: never shown before the diagnosis
    summary: str
    strategies: tuple[str, ...]
    allow_changes: bool
    allow_widen: bool
    stages: tuple[Stage, ...]
    solution: tuple[Action, ...]
    setup: tuple[Action, ...]
    seed: int
    runs: int
    par: int
    over_par_cost: int
    hint_cost: int
    stage_points: int
    diagnosis_points: int
    diagnosis: dict[str, tuple[Candidate, ...]]  # change, window, fix

    def params(self, goal: Goal) -> dict[str, Any]:
        """The state a goal's checkpoint is judged with: this challenge's code and workload."""
        return {"broken": self.cause, "workload": self.scenario, **dict(goal.params)}

    def answer(self, part: str) -> Candidate:
        return next(c for c in self.diagnosis[part] if c.correct)


@dataclass(frozen=True, slots=True)
class Pack:
    title: str
    about: str
    challenges: tuple[Challenge, ...]
    path: Path

    def challenge(self, cid: str) -> Challenge:
        for challenge in self.challenges:
            if challenge.id == cid:
                return challenge
        ids = ", ".join(c.id for c in self.challenges)
        raise ValueError(f"no challenge {cid!r} in {self.path.name}; choose one of {ids}")


# -- reading ----------------------------------------------------------------------------------


def _line_of(text: str, where: tuple[str | int, ...]) -> int:
    """The line (1-based) a path into the pack's data most likely comes from."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if len(where) >= 2 and where[0] == "challenge" and isinstance(where[1], int):
        headers = [i for i, line in enumerate(lines) if line.strip() == "[[challenge]]"]
        if where[1] < len(headers):
            start = headers[where[1]]
            end = headers[where[1] + 1] if where[1] + 1 < len(headers) else len(lines)
        where = where[2:]
    line = start
    for n, part in enumerate(where):
        if isinstance(part, int):
            continue
        pattern = re.compile(rf"^\s*(\[\[?[\w.]*\b{re.escape(part)}\]\]?|{re.escape(part)}\s*=)")
        found = [i for i in range(line, end) if pattern.match(lines[i])]
        if not found:
            continue
        # An array of tables: its n-th element is the n-th header.
        index = where[n + 1] if n + 1 < len(where) else 0
        tables = [i for i in found if lines[i].lstrip().startswith("[[")]
        line = tables[index] if isinstance(index, int) and index < len(tables) else found[0]
    return line + 1


def _schema_problems(raw: dict[str, Any], text: str, name: str) -> list[str]:
    import jsonschema  # type: ignore[import-untyped]  # only loading a pack pays for it

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    problems = []
    for error in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.path))):
        where = tuple(error.absolute_path)
        dotted = ".".join(str(p) for p in where) or "(top)"
        message = error.message if len(error.message) < 160 else error.message[:157] + "..."
        problems.append(f"{name}:{_line_of(text, where)}: {dotted}: {message}")
    return problems


def _fact_problems(raw: dict[str, Any], text: str, name: str) -> list[str]:
    from cache.scenarios.registry import race_of, scenario_named

    problems = []
    ids: set[str] = set()
    for i, c in enumerate(raw["challenge"]):
        def problem(msg: str, *where: str | int, i: int = i) -> None:
            problems.append(f"{name}:{_line_of(text, ('challenge', i, *where))}: {msg}")

        if c["id"] in ids:
            problem(f"challenge id {c['id']!r} is used twice", "id")
        ids.add(c["id"])
        race = "story" if c["scenario"] == "story" else race_of(scenario_named(c["scenario"]))
        for where, strategy in [(("cause", "strategy"), c["cause"]["strategy"])] + [
            (("allow", "strategies"), s) for s in c["allow"]["strategies"]
        ]:
            cls = STRATEGIES.get(strategy)
            if cls is None:
                problem(f"unknown strategy {strategy!r}", *where)
            elif cls.race != race:
                problem(f"strategy {strategy!r} is for the {cls.race} race, not {race}", *where)
        if c["cause"]["strategy"] in c["allow"]["strategies"]:
            problem("the hidden cause must not be among the strategies offered as fixes",
                    "allow", "strategies")
        stage_ids = [s["id"] for s in c["stage"]]
        if len(set(stage_ids)) != len(stage_ids):
            problem("stage ids must be unique", "stage")
        allowed = {DEPLOYED, *c["allow"]["strategies"]}
        actions = [(w, a) for w in ("solution", "setup") for a in c.get(w, [])] + [
            ("show_me", a) for s in c["stage"] for a in s.get("show_me", [])
        ]
        for where_, action in actions:
            if action["do"] == "batch" and action["strategy"] not in allowed:
                problem(f"a batch of {action['strategy']!r}: the learner may only run "
                        f"{', '.join(sorted(allowed))}", where_)
            if action.get("changes") and c["scenario"] != "story":
                problem("changes apply to the story only", where_)
    return problems


def _build(raw: dict[str, Any], path: Path) -> Pack:
    challenges = []
    for c in raw["challenge"]:
        settings, scoring, allow = c.get("settings", {}), c["scoring"], c["allow"]
        challenges.append(Challenge(
            id=c["id"], title=c["title"], scenario=c["scenario"], brief=c["brief"].strip(),
            cause=c["cause"]["strategy"], summary=c["cause"]["summary"].strip(),
            strategies=tuple(allow["strategies"]),
            allow_changes=bool(allow.get("changes", c["scenario"] == "story")),
            allow_widen=bool(allow.get("widen", True)),
            stages=tuple(
                Stage(
                    id=s["id"], title=s["title"], body=s["body"].strip(),
                    goals=tuple(
                        Goal(g["id"], tuple(sorted((k, v) for k, v in g.items() if k != "id")))
                        for g in s["goals"]
                    ),
                    hints=tuple(s.get("hints", ())),
                    show_me=tuple(_action(a) for a in s.get("show_me", ())),
                )
                for s in c["stage"]
            ),
            solution=tuple(_action(a) for a in c["solution"]),
            setup=tuple(_action(a) for a in c.get("setup", ())),
            seed=int(settings.get("seed", 1)), runs=int(settings.get("runs", 200)),
            par=int(scoring["par"]), over_par_cost=int(scoring.get("over_par_cost", 2)),
            hint_cost=int(scoring.get("hint_cost", 5)),
            stage_points=int(scoring.get("stage_points", 20)),
            diagnosis_points=int(scoring.get("diagnosis_points", 10)),
            diagnosis={
                part: tuple(Candidate(d["id"], d["text"].strip(), bool(d.get("correct")))
                            for d in c["diagnosis"][part])
                for part in ("change", "window", "fix")
            },
        ))
    return Pack(raw["title"], raw.get("about", "").strip(), tuple(challenges), path)


def _action(a: dict[str, Any]) -> Action:
    return Action(a["do"], a.get("strategy", ""), int(a.get("runs", 200)),
                  float(a.get("widen_ms", 0.0)), a.get("changes", "all"))


def load_pack(path: Path | None = None) -> Pack:
    """The pack at ``path`` (default: the built-in one); ``PackError`` lists every problem."""
    path = BUILTIN if path is None else path
    name = "(built-in pack)" if path == BUILTIN else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PackError([f"{name}: cannot read: {error}"]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PackError([f"{name}: not TOML: {error}"]) from None
    problems = _schema_problems(raw, text, name)
    if not problems:
        problems = _fact_problems(raw, text, name)
    if problems:
        raise PackError(problems)
    return _build(raw, path)
