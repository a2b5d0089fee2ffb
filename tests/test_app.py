"""The reader driven by its keys, headless, on the real sample digests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from digest_tui.tui.screens.dialogs import ConfirmScreen, NoteScreen
from digest_tui.tui.screens.help import HelpScreen
from digest_tui.tui.screens.problems import ProblemsScreen
from digest_tui.tui.widgets.sidebar import DateTree, TagTree
from tests.apphelpers import loaded, make_app, palette_hits, settled, until, visible_rows

NEWEST_TITLE = "Reverse Thinking Makes LLMs Stronger Reasoners"  # first entry of the 2024-12-02 digest
OLDEST_DATE = "2024-07-04"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def titles(app) -> list[str]:
    return [e.title for e in app.entry_list.visible_entries()]


async def test_list_shows_every_entry_newest_first(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert len(app.entry_list.rows) == 27
        assert app.entry_list.current.title == NEWEST_TITLE
        dates = [e.date for e in app.entry_list.visible_entries()]
        assert dates == sorted(dates, reverse=True)
        first_row = visible_rows(app)[0]
        assert "2024-12-02" in first_row and "Reverse Thinking" in first_row and "#synthetic-data" in first_row
        assert "●" in first_row  # unread mark
        status = app.query_one("#status").content.plain
        assert "27 entries" in status and "27 unread" in status and "0 bookmarked" in status and "0 problems" in status


async def test_moving_with_vim_keys_arrows_and_pages(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        await pilot.press("j", "j", "down")
        assert entry_list.cursor == 3
        await pilot.press("k", "up")
        assert entry_list.cursor == 1
        await pilot.press("G")
        assert entry_list.cursor == 26 and entry_list.current.date.isoformat() == OLDEST_DATE
        await pilot.press("g")
        assert entry_list.cursor == 0
        await pilot.press("space")
        page = entry_list.cursor
        assert page == entry_list.size.height - 1 > 1
        await pilot.press("pagedown")
        assert entry_list.cursor == min(2 * page, 26)
        await pilot.press("pageup")
        assert entry_list.cursor == min(2 * page, 26) - page
        # the detail pane follows the cursor
        assert app.detail.entry is entry_list.current
        assert entry_list.current.title in app.detail.text


async def test_enter_reads_escape_returns_and_tab_cycles(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        assert app.focused is app.detail
        await pilot.press("j")  # scrolls the detail, not the list
        assert app.entry_list.cursor == 0
        await pilot.press("escape")
        assert app.focused is app.entry_list
        seen = set()
        for _ in range(4):
            await pilot.press("tab")
            seen.add(app.focused.id)
        assert {"dates", "tags", "entries", "detail"} <= seen
        await pilot.press("shift+tab")
        assert app.focused is not None


async def test_detail_pane_shows_every_part(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"Decoupled Momentum", "enter")
        entry = app.entry_list.current
        assert entry.title == "DeMo: Decoupled Momentum Optimization"
        text = app.detail.text
        for part in (entry.title, "Bowen Peng, Jeffrey Quesnelle, Diederik P. Kingma", "2024-12-02", "#efficient-training",
                     "Abstract", "Commentary", "Translation", "모델 학습의 통신량을 줄이기 위한 방법",
                     "A method to reduce communication volume", "Links", "[1] https://github.com/bloc97/DeMo"):
            assert part in text, part
        # the English translation comes after the Korean, in its own section
        assert text.index("Translation") > text.index("모델 학습의 통신량")
        assert text.index("A method to reduce communication volume") > text.index("Translation")


async def test_search_as_you_type_english_korean_tags_and_no_match(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        assert app.focused is app.query_one("#search", Input)
        await pilot.press(*"MCTS")
        upper = titles(app)
        await pilot.press(*["backspace"] * 4, *"mcts")
        assert titles(app) == upper and "CPL: Critical Planning Step Learning Boosts LLM Generalization in Reasoning Tasks" in upper
        assert len(upper) < 27
        await pilot.press(*["backspace"] * 4, *"추론")
        korean = titles(app)
        assert korean and all("추론" in (e.commentary) for e in app.entry_list.visible_entries())
        await pilot.press(*["backspace"] * 2, *"#moe")
        assert set(titles(app)) == {e.title for e in app.library.entries if "moe" in e.tags or "#moe" in e.commentary.lower()}
        await pilot.press(*["backspace"] * 4, *"Kingma")  # authors are searched too
        assert titles(app) == ["DeMo: Decoupled Momentum Optimization"]
        await pilot.press(*["backspace"] * 6, *"zzqx")
        assert titles(app) == []
        assert 'No entries match "zzqx"' in "\n".join(visible_rows(app))
        await pilot.press("escape")
        assert len(titles(app)) == 27 and app.session.filter.query == ""
        assert app.focused is app.entry_list


async def test_bookmark_read_and_their_filters(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        first = app.entry_list.current
        await pilot.press("b")
        assert app.store.is_bookmarked(first.id)
        assert "★" in visible_rows(app)[0]
        await pilot.press("j", "r")
        second = app.entry_list.current
        assert app.store.is_read(second.id)
        assert "1 bookmarked" in app.query_one("#status").content.plain
        assert "26 unread" in app.query_one("#status").content.plain
        await pilot.press("B")
        assert titles(app) == [first.title]
        await pilot.press("B", "u")
        assert second.title not in titles(app) and len(titles(app)) == 26
        await pilot.press("u", "g", "j", "r")  # toggles back to unread
        assert app.entry_list.current is second and not app.store.is_read(second.id)
        await pilot.press("g", "b")
        assert not app.store.is_bookmarked(first.id)


async def test_bookmark_note_is_edited_and_shown(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, NoteScreen)
        await pilot.press(*"read sec 3 again", "enter")
        entry = app.entry_list.current
        assert app.store.is_bookmarked(entry.id) and app.store.note(entry.id) == "read sec 3 again"
        assert "Note: read sec 3 again" in app.detail.text


async def test_next_and_previous_unread(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "r", "j", "r", "g")  # rows 1 and 2 read
        await pilot.press("n")
        assert app.entry_list.cursor == 3
        await pilot.press("N")
        assert app.entry_list.cursor == 0


async def test_mark_all_read_asks_first_over_fifty(config_dir, tmp_path):
    digest = tmp_path / "many.txt"
    lines = ["2024-01-01"]
    for n in range(60):
        lines += [f"Paper number {n}", "(A. Author)", "Abstract text.", "코멘트입니다.", "#bulk"]
    digest.write_text("\n".join(lines), encoding="utf-8")
    app = make_app(config_dir, [digest])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert len(app.entry_list.rows) == 60
        await pilot.press("R")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.unread_count == 60
        await pilot.press("R")
        await pilot.press("y")
        assert app.unread_count == 0
        await pilot.press("slash", *"number 1", "escape")
        await pilot.press("R")  # nothing unread: no question asked
        assert not isinstance(app.screen, ConfirmScreen)


async def test_mark_all_read_without_asking_when_few(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"reasoning", "enter", "R")
        shown = app.entry_list.visible_entries()
        assert shown and all(app.store.is_read(e.id) for e in shown)
        assert app.unread_count == 27 - len(shown)


async def test_sort_cycles_and_is_remembered(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        names = titles(app)
        assert names == sorted(names, key=str.casefold)
        await settled(pilot)
        await pilot.press("s")
        assert app.entry_list.current is not None and titles(app)[0] == NEWEST_TITLE
    assert 'sort = "date"' in (config_dir / "config.toml").read_text(encoding="utf-8")


async def test_sidebar_filters_by_date_and_tag_and_combines(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        dates = app.query_one(DateTree)
        tags = app.query_one(TagTree)
        # tags most used first, with counts
        first_tag = tags.root.children[0]
        assert first_tag.data == "search" and "4" in first_tag.label.plain
        august = dates.nodes_by_key[(2024, 8)]
        dates.select_node(august)
        await pilot.pause()
        assert {e.date.month for e in app.entry_list.visible_entries()} == {8} and len(titles(app)) == 11
        tags.select_node(next(n for n in tags.root.children if n.data == "search"))
        await pilot.pause()
        assert sorted(titles(app)) == ["Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers"]
        assert "2024-08 · #search" in app.query_one("#status").content.plain
        dates.select_node(august)  # choosing it again clears the date
        await pilot.pause()
        assert len(titles(app)) == 4
        app.entry_list.focus()
        await pilot.press("escape")
        assert len(titles(app)) == 27


async def test_sidebar_toggles_and_hides_on_small_terminals(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        sidebar = app.query_one("#sidebar")
        assert sidebar.display
        await pilot.press("backslash")
        assert not sidebar.display
        await pilot.press("backslash")
        assert sidebar.display
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        sidebar = app.query_one("#sidebar")
        assert not sidebar.display
        assert app.entry_list.size.width >= 70
        await pilot.press("backslash")
        assert sidebar.display
        await pilot.press("j", "b")
        assert app.store.is_bookmarked(app.entry_list.current.id)


async def test_help_lists_every_key(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table").content
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(table)
        text = console.export_text()
        for key in ("j ↓", "k ↑", "g", "G", "space pgdn", "pgup", "enter", "esc", "/", "n", "N", "u", "B", "b", "r", "R",
                    "o", "L", "y", "c", "C", "s", "\\", "?", "q", "ctrl+p", "tab", "shift+tab"):
            assert key in text, key
        await pilot.press("b")  # reader keys do nothing under the help screen
        assert not app.store.is_bookmarked(app.entry_list.current.id)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_quit_saves_state(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("b", "q")
    assert (config_dir / "state.toml").exists()


async def test_marks_survive_a_restart(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("b", "j", "r", "j", "e", *"later", "enter")
        marked = [e.id for e in app.entry_list.visible_entries()[:3]]
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.store.is_bookmarked(marked[0])
        assert app.store.is_read(marked[1])
        assert app.store.note(marked[2]) == "later"
        rows = visible_rows(app)
        assert "★" in rows[0] and "●" not in rows[1][:2]
        assert "2 bookmarked" in app.query_one("#status").content.plain


async def test_command_palette_jumps_to_an_entry(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"JetFormer")
        await until(pilot, lambda: any("JetFormer" in str(option.prompt) for option in palette_hits(app)), "palette hits")
        await pilot.press("enter")
        await pilot.pause()
        assert app.entry_list.current.title.startswith("JetFormer")


async def test_problems_are_counted_and_listed(config_dir, seeds_dir, tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_text("2024-02-30\nA title without authors\n", encoding="utf-8")
    app = make_app(config_dir, [seeds_dir, broken])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        count = len(app.library.problems)
        assert count >= 1
        assert f"{count} problems" in app.query_one("#status").content.plain
        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        log_lines = list(app.screen.query_one("#problems-log").lines)
        assert any(line.startswith(f"{broken}:1: ") for line in log_lines)


async def test_empty_library_explains_where_digests_are_looked_for(config_dir, tmp_path):
    empty = tmp_path / "digests"
    empty.mkdir()
    app = make_app(config_dir, [empty])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        welcome = app.query_one("#welcome")
        assert welcome.display and not app.query_one("#main").display
        text = welcome.content.plain
        assert str(empty) in text and "sources" in text and "config.toml" in text
        await pilot.press("q")


async def test_theme_is_remembered(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.theme = "nord"
        await settled(pilot)
    assert 'theme = "nord"' in (config_dir / "config.toml").read_text(encoding="utf-8")
    app = make_app(config_dir, [seeds_dir], settings=(config_dir / "config.toml").read_text(encoding="utf-8"))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "nord"


async def test_mouse_clicks_a_row_and_a_tree_node(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.click("#entries", offset=(10, 3))
        assert app.entry_list.cursor == 3
        tags = app.query_one(TagTree)
        await pilot.click("#tags", offset=(3, 0))
        await pilot.pause()
        assert app.session.filter.tag == tags.root.children[0].data


def test_reader_without_a_terminal_exits_2(tmp_path):
    env = {**os.environ, "DIGEST_TUI_CONFIG_DIR": str(tmp_path), "DIGEST_TUI_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "digest_tui"], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "terminal" in done.stderr


async def test_sidebar_trees_move_with_vim_keys_and_choose_with_enter(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        tags = app.query_one(TagTree)
        tags.focus()
        await pilot.press("j", "j")
        second = tags.cursor_line
        await pilot.press("j", "k")
        assert tags.cursor_line == second
        await pilot.press("enter")
        assert app.session.filter.tag == tags.cursor_node.data == tags.root.children[second].data
        await pilot.press("enter")
        assert app.session.filter.tag is None


async def test_search_over_a_big_library_runs_in_the_background(config_dir, seeds_dir, monkeypatch):
    monkeypatch.setattr("digest_tui.tui.app.SEARCH_IN_BACKGROUND_OVER", 0)
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"Kingma")
        await until(pilot, lambda: titles(app) == ["DeMo: Decoupled Momentum Optimization"], "search results")
        # a result that arrives after the query changed is not shown
        stale = app.session.filter
        await pilot.press("backspace")
        app.show_rows(stale, [])
        assert app.session.filter.query == "Kingm"
        await settled(pilot)
        assert titles(app) == ["DeMo: Decoupled Momentum Optimization"]
