"""The terminal UI: the Textual app, its keys, panes and widgets, over ``workbench.session``."""

import os

# Textual paints at most ``TEXTUAL_FPS`` times a second (its default is 60), on a fixed grid
# of ticks: a frame that is ready just after a tick waits for the next one. The live view is
# an animation fed as fast as the screen can take it: at 60 that wait cost it about a fifth
# of its frames and doubled its slowest key-to-screen times, and at 120 a frame of a
# 160x48 terminal, which takes longer than one tick, still waited most of a second one
# (39 frames/s against 52 at 240; ``benchmarks/tui_responsiveness.py``). A user's own
# setting wins; it must be in place before Textual is imported, which every module of this
# package does after this one.
PAINTS_PER_SECOND = "240"
os.environ.setdefault("TEXTUAL_FPS", PAINTS_PER_SECOND)
