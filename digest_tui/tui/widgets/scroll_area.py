"""Sizing the scroll area of a line-API view without laying out the screen again."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_virtual_size(view: ScrollView, size: Size) -> None:
    """Give `view` a scroll area of `size` and repaint it.

    Setting `virtual_size` lays out the whole screen, yet a line-API view needs a layout only
    when its vertical scrollbar comes or goes (the lines gain or lose a column). Otherwise only
    the scrollbar's thumb and the scroll range change, and the view repaints itself alone.
    """
    if size == view.virtual_size:
        view.refresh()
        return
    height = view.container_size.height
    overflow = view.styles.overflow_y
    shows = overflow == "scroll" or (overflow == "auto" and size.height > height)
    if shows != view.show_vertical_scrollbar:
        view.virtual_size = size  # the layout makes room for the scrollbar, or takes it away
        return
    view.set_reactive(Widget.virtual_size, size)
    if shows:
        view.vertical_scrollbar.window_virtual_size = size.height
        view.vertical_scrollbar.window_size = height
    if view.scroll_y > view.max_scroll_y:
        view.scroll_to(y=view.max_scroll_y, animate=False)
    view.refresh()
