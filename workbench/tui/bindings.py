"""Every key the workbench answers to, in one place.

Each action has a key (shown in the footer while it applies) and a command palette entry.
``tab`` says which tab an action belongs to: its key is live only there, while its palette
command switches to that tab first.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding

__all__ = [
    "ACTIONS",
    "AT_ONCE",
    "NAVIGATION",
    "Action",
    "app_bindings",
    "by_hand_bindings",
    "inner_action",
]


class Action(NamedTuple):
    key: str
    action: str
    footer: str
    title: str
    help: str
    tab: str | None  # None: everywhere
    shown: bool = True  # in the footer (the walkthrough's keys stay out of a full footer)


ACTIONS: tuple[Action, ...] = (
    Action(
        "space",
        "toggle_run",
        "Play",
        "Start, pause or resume the live workload",
        "Space toggles; while a replay is shown it returns to the live run.",
        "live",
    ),
    Action(
        "x",
        "stop",
        "Stop",
        "Stop the live workload",
        "Ends the run and keeps everything it measured.",
        "live",
    ),
    Action(
        "r",
        "reset",
        "Reset",
        "Reset the live workload",
        "A fresh run with the current settings.",
        "live",
    ),
    Action(
        "n",
        "stale(1)",
        "✗Next",
        "Select the next stale read",
        "Scrolls the timeline to it and names the write it missed.",
        "live",
    ),
    Action(
        "N",
        "stale(-1)",
        "✗Prev",
        "Select the previous stale read",
        "Scrolls the timeline to it and names the write it missed.",
        "live",
    ),
    Action(
        "f",
        "follow",
        "Live",
        "Follow the newest events",
        "Scroll the timeline back to live.",
        "live",
    ),
    Action(
        "plus",
        "zoom(-1)",
        "In",
        "Zoom the timeline in",
        "Fewer milliseconds per column.",
        "live",
    ),
    Action(
        "minus",
        "zoom(1)",
        "Out",
        "Zoom the timeline out",
        "More milliseconds per column.",
        "live",
    ),
    Action(
        "right_square_bracket",
        "speed(1)",
        "Fast",
        "Run the live workload faster",
        "More virtual time per real second.",
        "live",
    ),
    Action(
        "left_square_bracket",
        "speed(-1)",
        "Slow",
        "Run the live workload slower",
        "Less virtual time per real second: watch the race happen.",
        "live",
    ),
    Action(
        "b",
        "evidence_run",
        "Run test",
        "Evidence: run the test N times",
        "Runs the story's test and lists the failing runs.",
        "evidence",
    ),
    Action(
        "o",
        "evidence_open",
        "Open run",
        "Evidence: open the failing run in the timeline",
        "A deterministic replay of the highlighted failing run.",
        "evidence",
    ),
    Action(
        "m",
        "isolate_measure",
        "Measure",
        "Isolate: measure both strategies",
        "The working and the broken strategy, 200 runs each.",
        "isolate",
    ),
    Action(
        "c",
        "isolate_changes",
        "Run changes",
        "Isolate: run with the ticked changes",
        "The broken strategy with only the ticked recent changes applied.",
        "isolate",
    ),
    Action(
        "a",
        "isolate_bisect",
        "Bisect",
        "Isolate: bisect the recent changes",
        "All three changes, then each one left out in turn.",
        "isolate",
    ),
    Action(
        "e",
        "hypothesis_experiment",
        "Widen",
        "Hypothesis: run the widen experiment",
        "Baseline and widened window, side by side.",
        "hypothesis",
    ),
    Action(
        "t",
        "hypothesis_try",
        "Try fix",
        "Hypothesis: try the candidate fix",
        "The chosen fix with the window still widened.",
        "hypothesis",
    ),
    Action(
        "v",
        "verify_run",
        "Verify",
        "Verify: run the fix 1000 times",
        "The stage is done when not one run fails.",
        "verify",
    ),
    Action(
        "c",
        "verify_compare",
        "Costs",
        "Verify: compare what the fixes cost",
        "Throughput and latency of every strategy under the sustained workload.",
        "verify",
    ),
    Action(
        "e",
        "verify_export",
        "Export",
        "Verify: export a regression test",
        "A pytest file that replays a failing run.",
        "verify",
    ),
    Action(
        "g",
        "explore('run')",
        "Explore",
        "Explore: search schedules for a stale read",
        "Random, PCT or bounded exhaustive search with the session's seed; shrinks what it finds.",
        "explore",
    ),
    Action(
        "x",
        "explore('cancel')",
        "Cancel",
        "Explore: cancel the search",
        "Stops between schedules and keeps what was found so far.",
        "explore",
    ),
    Action(
        "y",
        "explore('copy')",
        "Copy token",
        "Explore: copy the replay token",
        "The shrunk failing schedule's token, to the clipboard.",
        "explore",
    ),
    Action(
        "o",
        "explore('open')",
        "Open",
        "Explore: open the shrunk schedule in the timeline",
        "A replay of the minimal failing schedule, its stale read selected.",
        "explore",
    ),
    Action(
        "O",
        "explore('original')",
        "Original",
        "Explore: open the original failing schedule",
        "The schedule as the search found it, before shrinking.",
        "explore",
    ),
    Action(
        "t",
        "explore('token')",
        "Paste token",
        "Explore: replay a pasted token",
        "Opens a token exactly, or says where the code has changed since it was made.",
        "explore",
    ),
    Action(
        "w",
        "toggle_guide",
        "Guide",
        "Walkthrough: show or hide the guide",
        "The guided walkthrough of the race, beside the stages.",
        None,
        False,
    ),
    Action(
        "greater_than_sign",
        "guide_next",
        "Next",
        "Walkthrough: next (reading steps only)",
        "Mark the step you have read; steps you must do finish when you have done them.",
        None,
        False,
    ),
    Action(
        "H",
        "guide_hint",
        "Hint",
        "Walkthrough: a hint for this step",
        "Each hint is more specific than the last.",
        None,
        False,
    ),
    Action(
        "S",
        "guide_show",
        "Show me",
        "Walkthrough: show me this step",
        "Does the step for you; it is reported as revealed, not solved.",
        None,
        False,
    ),
    Action(
        "U",
        "guide_undo",
        "Undo",
        "Walkthrough: undo the last thing done",
        "Drops the last entry of the journal and any checkpoint it passed.",
        None,
        False,
    ),
    Action(
        "R",
        "guide_report",
        "Report",
        "Walkthrough: write the session report",
        "Markdown and JSON, for a trainer to collect; never overwrites without asking.",
        None,
        False,
    ),
    Action(
        "h",
        "by_hand",
        "By hand",
        "Make the race happen by hand",
        "You are the scheduler: step the updater and the reader yourself.",
        None,
        False,
    ),
    Action(
        "question_mark",
        "help",
        "Help",
        "Help: keys, words and numbers",
        "The keys that apply here, the glossary, and what each number means.",
        None,
        False,
    ),
    Action(
        "ctrl+c",
        "cancel",
        "Cancel",
        "Cancel what is running",
        "Stops the live run and any batch, keeping what was measured.",
        None,
    ),
)

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("0", "live"),
    ("1", "evidence"),
    ("2", "isolate"),
    ("3", "hypothesis"),
    ("4", "verify"),
    ("5", "explore"),
)


# The live view's keys, when its own views have the focus, act as soon as the app sees them
# (a priority binding, ``app.action_at_once``): a key that the focused widget does not take
# otherwise bubbles up through every container to the app, and under a running workload each
# step of the way waited behind a frame. Any other focused widget (a field that takes the
# same characters) gets the key first, as before.
AT_ONCE = "at_once"


def inner_action(action: str) -> str:
    """The action a binding runs: ``zoom(-1)`` for ``zoom(-1)`` and for
    ``at_once('zoom(-1)')``."""
    if action.startswith(f"{AT_ONCE}("):
        return action[len(AT_ONCE) + 1 : -1].strip("'\"")
    return action


def app_bindings() -> list[Binding]:
    bindings = [
        Binding(a.key, a.action, a.footer, tooltip=a.title, show=a.shown and a.key != "ctrl+c")
        for a in ACTIONS
    ]
    bindings += [
        Binding(
            a.key,
            f"{AT_ONCE}({a.action!r})",
            a.footer,
            tooltip=a.title,
            show=a.shown,
            priority=True,
        )
        for a in ACTIONS
        if a.tab == "live"
    ]
    bindings += [
        Binding(key, f"show_tab('{tab}')", tab.title(), show=False) for key, tab in NAVIGATION
    ]
    bindings.append(Binding("q", "quit", "Quit"))
    return bindings


BY_HAND_KEYS: tuple[tuple[str, str, str], ...] = (
    ("1", "step(1)", "the first task listed takes its next step"),
    ("2", "step(2)", "the second task listed takes its next step"),
    ("u", "undo", "undo the last step"),
    ("r", "restart", "start the run again"),
    ("escape", "app.pop_screen", "back to the workbench"),
    ("question_mark", "app.help", "help"),
)


def by_hand_bindings() -> list[Binding]:
    """The by-hand screen's keys."""
    labels = {"1": "Step 1", "2": "Step 2", "u": "Undo", "r": "Restart", "escape": "Back",
              "question_mark": "Help"}
    return [Binding(key, action, labels[key], tooltip=what) for key, action, what in BY_HAND_KEYS]
