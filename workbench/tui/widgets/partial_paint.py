"""Repainting only the widgets under what changed, not everything in the box around it.

For a partial update Textual's compositor takes the bounding box of all the changed regions
and renders every widget that box touches. On the live view the counter (left) and the
timeline and log (right) change every frame, so that box is the whole screen and about fifty
widgets that did not change are rendered again, sixty times a second: most of a frame. Here a
widget is rendered only if it overlaps a changed region, and only over the rows where it
does.

The terminal receives exactly what it did before: the same spans, filled from the same
widgets. A cell inside a changed span belongs to the front-most widget there, and that widget
overlaps the changed region, so it is rendered; widgets elsewhere could only have filled cells
that are never written. ``install`` swaps the class of a screen's compositor in place (its
state stays), so nothing else about the screen changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip

__all__ = ["PartialCompositor", "install"]


class PartialCompositor(Compositor):
    """A compositor whose partial updates render only the widgets under dirty regions."""

    def render_partial_update(self) -> ChopsUpdate | None:
        screen_region = self.size.region
        dirty = [
            region
            for region in (r.intersection(screen_region) for r in self._dirty_regions)
            if region.area
        ]
        self._dirty_regions.clear()
        if not dirty:
            return None
        spans = list(self._regions_to_spans(dirty))
        is_rendered_line = {y for y, _, _ in spans}.__contains__
        chops = self._render_dirty_chops(dirty, is_rendered_line)
        chop_ends = [cut_set[1:] for cut_set in self.cuts]
        return ChopsUpdate(chops, spans, chop_ends)

    def _render_dirty_chops(
        self, dirty: list[Region], is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        intersection = Region.intersection
        for widget, (region, clip) in self.visible_widgets.items():
            shown = intersection(region, clip)
            touched = [part for part in (intersection(shown, d) for d in dirty) if part.area]
            if not touched:
                continue
            # Only the rows where it changed, but every column it shows: a chop starts at a
            # cut (a widget's edge), never in the middle of a widget.
            top = min(part.y for part in touched)
            bottom = max(part.bottom for part in touched)
            render_region = Region(shown.x, top, shown.width, bottom - top)
            strips = widget.render_lines(
                Region(shown.x - region.x, top - region.y, shown.width, bottom - top)
            )
            render_x = render_region.x
            first_cut, last_cut = render_region.column_span
            for y, strip in zip(render_region.line_range, strips, strict=False):
                if not is_rendered_line(y):
                    continue
                chops_line = chops[y]
                final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                # Front to back: the first strip for a cut is the one on top.
                get = chops_line.get
                parts = strip.divide([cut - render_x for cut in final_cuts[1:]])
                for cut, part in zip(final_cuts, parts, strict=False):
                    if get(cut) is None:
                        chops_line[cut] = part
        return chops  # type: ignore[return-value]


# What of Textual's compositor the partial update relies on (private: a Textual that
# changed them keeps its own compositor rather than crashing in the middle of a frame).
_RELIED_ON = ("_dirty_regions", "_regions_to_spans", "cuts", "visible_widgets", "size")


def install(screen: Screen[Any]) -> None:
    """Make ``screen`` repaint only what changed (idempotent)."""
    compositor = screen._compositor
    if type(compositor) is Compositor and all(hasattr(compositor, a) for a in _RELIED_ON):
        compositor.__class__ = PartialCompositor
