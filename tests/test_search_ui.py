"""The search box as a user meets it: history, saved filters, the cheat sheet, errors under the
box and highlighted matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from digest_tui.disk.history import HISTORY_FILE, read_history
from tests.apphelpers import loaded, make_app, settled, until


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def screen_lines(app) -> list[str]:
    """The whole screen as the terminal would show it, one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def search_box(app) -> Input:
    return app.query_one("#search", Input)


async def test_queries_are_remembered_and_walked_with_up_and_down(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"momentum", "enter")  # submitted
        await pilot.press("slash", "ctrl+u", *"diffusion", "tab")  # left with a query in it
        await pilot.press("slash", "ctrl+u", *"momentum", "enter")  # again: moves to the front
        await settled(pilot)
        assert read_history(config_dir / HISTORY_FILE) == ["momentum", "diffusion"]
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"half")
        await pilot.press("up")
        assert search_box(app).value == "momentum"
        assert app.session.filter.query == "momentum"
        await pilot.press("up")
        assert search_box(app).value == "diffusion"
        await pilot.press("up")  # nothing older
        assert search_box(app).value == "diffusion"
        await pilot.press("down", "down")
        assert search_box(app).value == "half"
        assert app.session.filter.query == "half"


async def test_a_history_file_that_is_a_fifo_never_stops_the_reader(config_dir, seeds_dir):
    import os

    config_dir.mkdir(parents=True)
    os.mkfifo(config_dir / HISTORY_FILE)
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "up")
        assert search_box(app).value == ""
        await pilot.press(*"momentum", "enter")
        await settled(pilot)
        await until(pilot, lambda: read_history(config_dir / HISTORY_FILE) == ["momentum"], "the history written over the FIFO")


FILTERS = '''mark_read = "never"

[filters]
momentum = "momentum"
"Korean reasoning" = "추론"
broken = 3
'''


def test_saved_filters_are_read_in_order_and_a_wrong_one_is_reported(tmp_path):
    from digest_tui.config import load_settings

    (tmp_path / "config.toml").write_text(FILTERS + 'other = ""\n', encoding="utf-8")
    settings, warnings = load_settings(tmp_path)
    assert settings.filters == {"momentum": "momentum", "Korean reasoning": "추론"}
    assert len(warnings) == 2 and all("is not a query" in w for w in warnings)
    (tmp_path / "config.toml").write_text('filters = "is:unread"\n', encoding="utf-8")
    settings, warnings = load_settings(tmp_path)
    assert settings.filters == {} and "must be a table" in warnings[0]


async def test_a_saved_filter_is_chosen_from_the_sidebar(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir], settings=FILTERS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        saved = app.query_one("#filters")
        assert [node.label.plain for node in saved.root.children] == ["momentum  momentum", "Korean reasoning  추론"]
        saved.select_node(saved.root.children[0])
        await until(pilot, lambda: app.session.filter.query == "momentum", "the saved filter's search")
        assert search_box(app).value == "momentum" and search_box(app).display
        assert [e.title for e in app.entry_list.visible_entries()] == ["DeMo: Decoupled Momentum Optimization"]


async def test_a_saved_filter_is_chosen_from_the_palette(config_dir, seeds_dir):
    from tests.apphelpers import palette_hits

    app = make_app(config_dir, [seeds_dir], settings=FILTERS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"filter korean")
        await until(pilot, lambda: palette_hits(app) and "Filter: Korean reasoning" in str(palette_hits(app)[0].prompt), "the filter's hit")
        await pilot.press("enter")
        await until(pilot, lambda: app.session.filter.query == "추론", "the saved filter's search")
        assert app.entry_list.rows and all("추론" in e.commentary for e in app.entry_list.visible_entries())


async def test_without_saved_filters_the_sidebar_has_no_filters_section(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not app.query("#filters")
        assert "Filters" not in [str(heading.content) for heading in app.query(".sidebar-heading")]


async def test_a_question_mark_in_the_empty_search_box_shows_the_cheat_sheet(config_dir, seeds_dir):
    from digest_tui.tui.screens.cheat_sheet import CheatSheetScreen
    from digest_tui.tui.screens.help import HelpScreen
    from digest_tui.tui.search_syntax import SEARCH_SYNTAX

    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", "question_mark")
        assert isinstance(app.screen, CheatSheetScreen)
        assert search_box(app).value == "" and app.session.filter.query == ""
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        for example, _ in SEARCH_SYNTAX:  # one screen, even 80x24
            assert example in shown, example
        await pilot.press("escape")
        assert not isinstance(app.screen, CheatSheetScreen) and app.focused is search_box(app)
        await pilot.press(*"what", "question_mark")  # inside a query, `?` is a character
        assert search_box(app).value == "what?" and not isinstance(app.screen, CheatSheetScreen)
        await pilot.press("escape", "question_mark")  # outside the box: the help screen
        assert isinstance(app.screen, HelpScreen)
        help_text = "\n".join(str(cell) for column in app.screen.table().columns for cell in column._cells)
        for example, meaning in SEARCH_SYNTAX:
            assert example in help_text and meaning in help_text


def error_line(app) -> str:
    line = app.query_one("#search-errors")
    return str(line.content) if line.display else ""


async def test_what_a_query_cannot_understand_is_shown_under_the_box_and_the_rest_still_applies(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"momentum is:new")
        await until(pilot, lambda: "is:new" in error_line(app), "the error under the box")
        assert app.query_one("#search-errors").region.height == 1
        assert [e.title for e in app.entry_list.visible_entries()] == ["DeMo: Decoupled Momentum Optimization"]
        await pilot.press(*["backspace"] * 7)
        await until(pilot, lambda: error_line(app) == "", "the error line hidden")
        await pilot.press(*" after:yesterday")
        await until(pilot, lambda: "yesterday" in error_line(app), "the date's error")
        await pilot.press("escape")
        assert error_line(app) == "" and app.session.filter.query == ""


async def test_an_error_quoting_hostile_text_is_never_markup(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        search_box(app).add_class("visible")
        search_box(app).focus()
        search_box(app).value = "is:[@click=app.quit]x[/]\x1b[2J"
        await until(pilot, lambda: error_line(app), "the error line")
        content = app.query_one("#search-errors").content
        assert "[@click=app.quit]" in str(content) and "\x1b" not in str(content)
        assert app.is_running


def marked_words(strip) -> list[str]:
    """The pieces of a drawn line in reverse (the highlight's style in every theme)."""
    return [segment.text for segment in strip if segment.style and segment.style.reverse]


def detail_marked(app) -> list[str]:
    content = app.detail.content
    style = app.detail.get_component_rich_style("detail--match", partial=True)
    return [content.plain[span.start : span.end] for span in content.spans if span.style == style]


async def test_matched_words_are_highlighted_in_the_rows_and_every_part_of_the_detail_pane(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"momentum #efficient-training", "enter")
        await until(pilot, lambda: len(app.entry_list.rows) == 1, "the search")
        await settled(pilot)
        row = app.entry_list.render_line(0)
        assert marked_words(row) == ["Momentum", "efficient-training"]
        marked = detail_marked(app)
        assert "Momentum" in marked and "efficient-training" in marked  # title and tags
        assert marked.count("momentum") + marked.count("Momentum") >= 3  # the abstract and commentary too
        # Another query draws the same row anew, with its own words.
        await pilot.press("slash", "ctrl+u", *"DECOUPLED")
        await until(pilot, lambda: marked_words(app.entry_list.render_line(0)) == ["Decoupled"], "the row drawn for the new query")
        await pilot.press("escape")
        await until(pilot, lambda: not detail_marked(app), "no highlight without a search")
        assert not marked_words(app.entry_list.render_line(0))


async def test_fields_are_highlighted_where_the_query_looks(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"by:kingma")
        await until(pilot, lambda: len(app.entry_list.rows) == 1, "the search")
        await settled(pilot)
        assert detail_marked(app) == ["Kingma"]  # in the authors only


async def test_an_entry_opened_from_a_search_scrolls_to_the_first_match_in_its_text(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"bandwidth", "enter")
        await until(pilot, lambda: app.entry_list.rows, "the search")
        await settled(pilot)
        assert app.detail.scroll_offset.y == 0
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.detail and app.detail.scroll_offset.y > 0
        top = app.detail.scroll_offset.y
        shown = [line.text for line in app.detail.lines[top : top + app.detail.size.height]]
        assert any("bandwidth" in line.lower() for line in shown[:4]), shown[:4]
