"""Challenge packs: the built-in pack is sound and matches its schema; broken packs are
refused by `workbench pack check`, each problem named with its line."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from workbench.cli import cli
from workbench.session.packs import BUILTIN, SCHEMA

ROOT = Path(__file__).resolve().parents[1]


def test_schema_in_repository_is_the_one_shipped() -> None:
    shipped = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert json.loads((ROOT / "schemas" / "challenge-pack.schema.json").read_text()) == shipped
    jsonschema.Draft202012Validator.check_schema(shipped)
    jsonschema.validate(tomllib.loads(BUILTIN.read_text(encoding="utf-8")), shipped)


def test_builtin_pack_checks_out() -> None:
    result = CliRunner().invoke(cli, ["pack", "check"])
    assert result.exit_code == 0, result.output
    for cid in ("story", "stale-set", "ttl-refresh", "prewarm", "lost-update", "replica-lag"):
        assert f"{cid}: ok" in result.output


def _pack_with(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = BUILTIN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "pack.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _check(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["pack", "check", str(path)])
    return result.exit_code, result.output


def _line(path: Path, needle: str, nth: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, 1) if needle in line][nth]


def test_schema_errors_are_named_with_their_lines(tmp_path: Path) -> None:
    path = _pack_with(tmp_path, 'scenario = "stale-set"', 'scenario = "stale-sett"')
    path.write_text(path.read_text().replace("par = 7", 'par = "seven"', 1))
    code, out = _check(path)
    assert code == 2
    assert f"{path}:{_line(path, 'stale-sett')}: challenge.1.scenario:" in out
    assert f"{path}:{_line(path, 'seven')}: challenge.1.scoring.par: 'seven' is not" in out


def test_not_toml_is_one_line_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pack.toml"
    path.write_text('format = 1\ntitle = "x\n')
    code, out = _check(path)
    assert code == 2 and "not TOML" in out and "line 2" in out


def test_facts_the_schema_cannot_know(tmp_path: Path) -> None:
    path = _pack_with(tmp_path, 'strategies = ["fill-lease", "fill-versioned"]',
                      'strategies = ["fill-lease", "counter-incr"]')
    code, out = _check(path)
    assert code == 2
    assert re.search(r"pack.toml:\d+: strategy 'counter-incr' is for the lost-update race", out)


def test_a_goal_the_solution_does_not_reach(tmp_path: Path) -> None:
    # The stale-set solution minus its last action: the fix is never verified.
    path = _pack_with(tmp_path, """[[challenge.solution]]
do = "batch"
strategy = "fill-lease"
runs = 200

[challenge.scoring]
par = 7""", """[challenge.scoring]
par = 7""")
    code, out = _check(path)
    assert code == 2
    assert "stale-set: the solution does not reach goal fix_verified of stage verify" in out
    assert "stale-set: ok" not in out and "ttl-refresh: ok" in out


def test_a_goal_already_true_at_the_start(tmp_path: Path) -> None:
    # The scene is set with a failing batch already run: "reproduce it" is won by nothing.
    cause = '[challenge.cause]\nstrategy = "refresh-rewrite"'
    setup = 'setup = [{ do = "batch", strategy = "deployed", runs = 50 }]\n\n'
    path = _pack_with(tmp_path, cause, setup + cause)
    code, out = _check(path)
    assert code == 2
    line = _line(path, 'goals = [{ id = "batch_failed" }]', 2)
    assert (f"pack.toml:{line}: ttl-refresh: "
            "goal batch_failed of stage evidence already passes at the start") in out
