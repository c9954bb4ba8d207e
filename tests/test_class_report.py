"""The trainer's table: generated reports of a class (walkthrough and challenges), with a
corrupt file and a foreign one named and left out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.session.challenge import ChallengeRun
from workbench.session.challenge_report import challenge_report
from workbench.session.journal import Journal
from workbench.session.packs import load_pack
from workbench.session.report import report_data
from workbench.session.walkthrough import Walkthrough


def _reports(folder: Path) -> None:
    pack = load_pack()
    lost = pack.challenge("lost-update")
    solved = ChallengeRun(lost, "built-in")
    for action in lost.solution:
        solved.do(action)
    solved.diagnose("read-modify-write", "get-to-set", "incr")
    (folder / "ada-lost.json").write_text(json.dumps(challenge_report(solved, "ada")))
    wrong = ChallengeRun(lost, "built-in")
    wrong.reveal()
    wrong.diagnose("three-workers", "get-to-set", "sleep")
    (folder / "bob-lost.json").write_text(json.dumps(challenge_report(wrong, "bob")))
    walk = Walkthrough(Journal())
    (folder / "bob-walk.json").write_text(json.dumps(report_data(walk, "bob")))
    (folder / "corrupt.json").write_text('{"version": 1, "kind": "chall')
    (folder / "package.json").write_text('{"name": "left-pad", "version": "1.3.0"}')
    (folder / "notes.txt").write_text("not a report")


def test_class_report_writes_the_table_and_names_what_it_skipped(tmp_path: Path) -> None:
    _reports(tmp_path)
    result = CliRunner().invoke(cli, ["class", "report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "3 reports, 2 skipped" in result.output
    assert "skipped corrupt.json: not JSON" in result.output
    assert "skipped package.json: not a Race Workbench session report" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "class-report.csv").read_text())))
    got = [(r["learner"], r["challenge"], r["status"], r["diagnosis_right"], r["hints"])
           for r in rows]
    assert got == [("ada", "lost-update", "solved", "yes", "0"),
                   ("bob", "lost-update", "unsolved", "no", "0"),
                   ("bob", "walkthrough", "unsolved", "", "0")]
    ada = rows[0]
    assert ada["diagnosis"] == "read-modify-write / get-to-set / incr"
    assert ada["score"] == "110/110"
    assert ada["stage_times"].count("s;") == 3 and " -" not in ada["stage_times"]
    assert rows[1]["stage_times"].startswith("evidence 0s (revealed); isolate -")
    markdown = (tmp_path / "class-report.md").read_text()
    assert "| ada | lost-update | solved | 110/110 |" in markdown
    assert "- corrupt.json: not JSON" in markdown


def test_serve_refuses_a_non_loopback_host_unless_allowed() -> None:
    from workbench.cli.classroom import is_loopback, serve_command

    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--allow-network" in result.output
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("192.168.1.5")
    # One process, state and report per tab ($$: the tab's own shell).
    assert "--fresh --state-file" in serve_command("stale-set", None, Path("r"))
    assert "stale-set-$$.md" in serve_command("stale-set", None, Path("r"))
