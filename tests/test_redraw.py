"""A cursor move redraws what it changes: two rows of the list and the detail pane, no layout of
the screen; what is drawn stays what it was (the same wrapped text, links, scrolling, marks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual import events
from textual.content import Content

from tests.apphelpers import loaded, make_app, until
from tests.hostile import control_characters, write_library

SIZE = (120, 40)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def screen_lines(app):
    """The screen as the terminal has it: every widget's lines as last drawn, kept or new."""
    return app.screen._compositor.render_strips()


def drawn_detail(app) -> list[str]:
    """The detail pane's lines as drawn on screen."""
    region = app.detail.scrollable_content_region
    return [strip.crop(region.x, region.right).text.rstrip() for strip in screen_lines(app)[region.y : region.bottom]]


def row_background(app, y: int):
    """The background of the list's row `y` as drawn on screen."""
    region = app.entry_list.scrollable_content_region
    first = next(iter(screen_lines(app)[region.y + y].crop(region.x, region.x + 1)))
    return first.style.bgcolor if first.style is not None else None


def cursor_rows(app) -> list[int]:
    """The rows of the list drawn on screen in the cursor's colour."""
    cursor = app.entry_list.get_component_rich_style("entry-list--cursor", partial=True).bgcolor
    return [y for y in range(app.entry_list.scrollable_content_region.height) if row_background(app, y) == cursor]


class Watcher:
    """Counts what the app draws: the list's lines and the screen's layouts."""

    def __init__(self, app) -> None:
        self.list_lines: list[int] = []
        self.layouts = 0
        entry_list = app.entry_list
        draw = entry_list.render_line

        def render_line(y: int):
            self.list_lines.append(y)
            return draw(y)

        entry_list.render_line = render_line  # observed, not replaced: it still draws the line
        app.screen.screen_layout_refresh_signal.subscribe(app, self.laid_out)

    def laid_out(self, screen) -> None:
        self.layouts += 1

    def reset(self) -> None:
        self.list_lines.clear()
        self.layouts = 0


async def test_a_cursor_move_redraws_two_rows_and_lays_out_nothing(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list, detail = app.entry_list, app.detail
        first = detail.entry
        watcher = Watcher(app)
        await pilot.press("j")
        await until(pilot, lambda: detail.entry is entry_list.current and detail.entry is not first, "the next entry shown")
        # The screen is painted on Textual's refresh timer: wait for the two rows, then look
        # again after a pause for any other line drawn.
        await until(pilot, lambda: set(watcher.list_lines) >= {0, 1}, "the two rows drawn")
        await pilot.pause()
        assert set(watcher.list_lines) == {0, 1}  # the row left and the row landed on
        assert cursor_rows(app) == [1]
        assert entry_list.current.title.startswith(drawn_detail(app)[0])  # the title, wrapped
        # Both entries need the detail's scrollbar (one coming or going is a layout, rightly).
        assert len(detail.lines) > detail.size.height and detail.show_vertical_scrollbar
        assert watcher.layouts == 0

        # holding j: still two rows a move, and the drawing keeps up
        for position in range(2, 6):
            watcher.reset()
            await pilot.press("j")
            await until(pilot, lambda p=position: entry_list.cursor == p and detail.entry is entry_list.current, "the move")
            await until(pilot, lambda p=position: set(watcher.list_lines) >= {p - 1, p}, "the two rows drawn")
            await pilot.pause()
            assert set(watcher.list_lines) == {position - 1, position} and cursor_rows(app) == [position]


async def test_a_move_past_the_bottom_scrolls_and_redraws_the_list(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        height = entry_list.scrollable_content_region.height
        assert len(entry_list.rows) > height + 2
        for _ in range(height + 1):
            await pilot.press("j")
        await until(pilot, lambda: entry_list.cursor == height + 1 and app.detail.entry is entry_list.current, "the moves")
        await pilot.pause()
        assert entry_list.scroll_offset.y == 2
        assert cursor_rows(app) == [height - 1]
        titles = [row for row in (strip.text for strip in screen_lines(app)) if entry_list.entries[entry_list.rows[2]].date.isoformat() in row]
        assert titles, "the rows scrolled into view are drawn"
        # a mark set on a row of the scrolled list shows on that row
        await pilot.press("b")
        await until(pilot, lambda: app.store.is_bookmarked(entry_list.current.id), "the bookmark")
        await pilot.pause()
        region = entry_list.scrollable_content_region
        marks = [strip.crop(region.x, region.x + 2).text for strip in screen_lines(app)[region.y : region.bottom]]
        assert [y for y, drawn in enumerate(marks) if "★" in drawn] == [height - 1]
        await pilot.press("k", "k", "g")
        await until(pilot, lambda: entry_list.cursor == 0, "back at the top")
        await pilot.pause()
        assert entry_list.scroll_offset.y == 0 and cursor_rows(app) == [0]


async def test_other_rows_are_shown_without_a_layout_while_the_scrollbar_stays(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        rows = list(entry_list.rows)
        height = entry_list.scrollable_content_region.height
        assert len(rows) - 3 > height and entry_list.show_vertical_scrollbar
        await pilot.press("j", "j", "j", "j")
        await until(pilot, lambda: app.detail.entry is entry_list.current and entry_list.cursor == 4, "the moves")
        await pilot.pause()
        watcher = Watcher(app)
        entry_list.show(entry_list.entries, rows[3:], keep=entry_list.current)  # as a filter does
        await pilot.pause()
        assert watcher.layouts == 0 and entry_list.virtual_size.height == len(rows) - 3
        assert entry_list.cursor == 1 and cursor_rows(app) == [1]
        assert sorted(watcher.list_lines) == list(range(height))
        assert entry_list.vertical_scrollbar.window_virtual_size == len(rows) - 3
        gone = entry_list.current
        entry_list.show(entry_list.entries, rows[5:], keep=gone)  # the entry is filtered out
        assert entry_list.cursor == 1 and entry_list.current is entry_list.entries[rows[6]]
        entry_list.show(entry_list.entries, rows, keep=entry_list.current)  # and back
        assert entry_list.current is entry_list.entries[rows[6]] and entry_list.cursor == 6
        watcher.reset()
        entry_list.show(entry_list.entries, rows[:3])  # the scrollbar goes: a layout makes room
        await until(pilot, lambda: not entry_list.show_vertical_scrollbar, "the scrollbar gone")
        await pilot.pause()
        assert watcher.layouts > 0
        assert [row.strip() != "" for row in (entry_list.render_line(y).text for y in range(5))] == [True] * 3 + [False] * 2


async def test_marks_and_the_theme_redraw_what_they_change(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        region = entry_list.scrollable_content_region

        def drawn_row(y: int) -> str:
            return screen_lines(app)[region.y + y].crop(region.x, region.right).text

        await pilot.press("j")
        await until(pilot, lambda: app.detail.entry is entry_list.current and entry_list.cursor == 1, "the move")
        await pilot.press("b")
        await until(pilot, lambda: app.store.is_bookmarked(entry_list.current.id), "the bookmark")
        await pilot.pause()
        assert drawn_row(1)[1] == "★"
        await pilot.press("r")
        await until(pilot, lambda: app.store.is_read(entry_list.current.id), "the read mark")
        await pilot.pause()
        assert drawn_row(1)[0] == " "  # no unread dot

        def detail_background():
            region = app.detail.scrollable_content_region
            return next(iter(screen_lines(app)[region.y].crop(region.x, region.x + 1))).style.bgcolor

        before = row_background(app, 1), row_background(app, 2), detail_background()
        app.theme = "nord" if app.theme != "nord" else "gruvbox"  # another accent, another background
        await until(pilot, lambda: (row_background(app, 1), row_background(app, 2), detail_background()) != before, "the new theme")
        await pilot.pause()
        assert row_background(app, 1) != before[0] and row_background(app, 2) != before[1]
        assert cursor_rows(app) == [1]
        assert detail_background() != before[2] and detail_background() == app.detail.visual_style.rich_style.bgcolor


async def test_the_detail_pane_draws_each_entry_whole_and_wrapped(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list, detail = app.entry_list, app.detail
        for position in range(len(entry_list.rows)):
            entry_list.cursor = position
            await until(pilot, lambda: detail.entry is entry_list.current, "the entry")
            await pilot.pause()
            lines = [strip.text.rstrip() for strip in detail.lines]
            width = detail.scrollable_content_region.width
            assert all(cell_len(line) <= width for line in lines)
            # the text wrapped as Textual wraps it, nothing lost, nothing added
            assert lines == [line.plain.rstrip() for line in Content.from_rich_text(detail.content).wrap(width)]
            assert " ".join(lines).split() == detail.text.split()
            assert detail.virtual_size.height == len(lines)
            assert entry_list.current.title in detail.text
            assert drawn_detail(app) == (lines + [""] * detail.size.height)[: detail.size.height]


async def test_the_detail_pane_scrolls_with_keys_and_the_mouse(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        detail = app.detail
        lines = [strip.text.rstrip() for strip in detail.lines]
        height = detail.size.height
        assert len(lines) > height
        await pilot.press("enter", "j", "j")
        await until(pilot, lambda: detail.scroll_offset.y == 2, "two lines down")
        await pilot.pause()
        assert drawn_detail(app) == lines[2 : 2 + height]
        await pilot.press("G")
        await until(pilot, lambda: detail.scroll_offset.y == len(lines) - height, "the end")
        await pilot.pause()
        assert drawn_detail(app) == lines[-height:]
        await pilot.press("g")
        await until(pilot, lambda: detail.scroll_offset.y == 0, "the top")
        detail.post_message(events.MouseScrollDown(detail, 5, 5, 0, 1, 0, False, False, False))
        await until(pilot, lambda: detail.scroll_offset.y > 0, "a turn of the wheel")
        await pilot.pause()
        top = detail.scroll_offset.y
        assert drawn_detail(app) == lines[top : top + height]


async def test_language_and_authors_redraw_the_detail_in_place(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        detail = app.detail
        both = detail.text
        await pilot.press("l")  # Korean only
        await until(pilot, lambda: detail.text != both, "the language")
        await pilot.pause()
        height = detail.size.height
        assert drawn_detail(app) == ([strip.text.rstrip() for strip in detail.lines] + [""] * height)[:height]
        before = detail.text
        await pilot.press("a")
        await until(pilot, lambda: detail.text != before, "every author")
        await pilot.pause()
        assert "(fewer)" in "\n".join(drawn_detail(app))


async def test_text_in_the_detail_pane_is_selected_with_the_mouse(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        title, authors = app.detail.lines[0].text.rstrip(), app.detail.lines[1].text
        await pilot.mouse_down("#detail", offset=(1, 0))  # past the padding: the title's first letter
        await pilot.hover("#detail", offset=(9, 1))
        await pilot.mouse_up("#detail", offset=(9, 1))
        await until(pilot, lambda: app.screen.get_selected_text(), "a selection")
        assert app.screen.get_selected_text() == f"{title}\n{authors[:9]}"  # through the cell under the mouse


async def test_hostile_text_in_the_detail_pane_draws_no_control_sequence(tmp_path):
    app = make_app(tmp_path / "config", [write_library(tmp_path)])
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        entry_list, detail = app.entry_list, app.detail
        assert len(entry_list.rows) > 5
        for position in range(len(entry_list.rows)):
            entry_list.cursor = position
            await until(pilot, lambda: detail.entry is entry_list.current, "the entry")
            await pilot.pause()
            drawn = [strip.text for strip in detail.lines] + drawn_detail(app)
            assert "PWNED" in "".join(drawn)
            assert not [line for line in drawn if control_characters(line)]
            assert not [segment for strip in detail.lines for segment in strip if segment.control]
