"""Keys and the footer: what a new user sees at the bottom of each screen, at each width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Size

from digest_tui.out import cite
from digest_tui.tui.app import DigestApp
from digest_tui.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, NoteScreen
from digest_tui.tui.screens.help import HelpScreen
from digest_tui.tui.screens.links import LinksScreen
from digest_tui.tui.widgets.sidebar import DateTree, TagTree
from tests.apphelpers import loaded, make_app, settled, until, visible_rows

TERMINAL_CLIPBOARD = 'mark_read = "never"\nclipboard = "terminal"\n'


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def footer_text(app: DigestApp) -> str:
    """The bottom line of the screen on top, as drawn ("" before its first layout)."""
    strips = app.screen._compositor.render_strips()
    return strips[-1].text if strips else ""


async def resized(pilot, width: int, height: int) -> None:
    await pilot.resize_terminal(width, height)
    await until(pilot, lambda: pilot.app.screen.size == Size(width, height), f"the resize to {width}x{height}")
    await pilot.pause()


def assert_list_fills_the_room(app: DigestApp) -> None:
    """The list takes the width the sidebar leaves, and each row is drawn to that width."""
    sidebar = app.query_one("#sidebar")
    beside = sidebar.outer_size.width if sidebar.display else 0
    assert app.entry_list.region.x == beside
    assert app.entry_list.outer_size.width == app.size.width - beside
    rows = visible_rows(app)
    room = app.entry_list.scrollable_content_region.width, app.entry_list.size.width  # scrollbar or not
    assert rows and all(room[0] <= cell_len(row) <= room[1] for row in rows)


async def test_shrinking_the_terminal_hides_the_sidebar_at_once(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        sidebar = app.query_one("#sidebar")
        assert sidebar.display
        await resized(pilot, 80, 24)
        assert not sidebar.display
        assert_list_fills_the_room(app)


async def test_growing_the_terminal_brings_the_sidebar_back_and_shrinking_hides_it(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        sidebar = app.query_one("#sidebar")
        assert not sidebar.display
        await resized(pilot, 120, 40)
        assert sidebar.display
        assert_list_fills_the_room(app)
        await resized(pilot, 80, 24)
        assert not sidebar.display
        assert_list_fills_the_room(app)


def footer_hints(app: DigestApp) -> list[str]:
    """The footer's hints as drawn, left to right (`key description` each, the palette's last)."""
    return [hint for hint in re.split(r"\s{2,}|\s*▏", footer_text(app).strip()) if hint]


def offered_hints(app: DigestApp) -> list[str]:
    """Every hint the screen on top may show, whole: `key description`, or for a group of
    bindings (j k Move) its keys and the group's description."""
    hints: list[str] = []
    groups: dict[str, list[str]] = {}
    for key, (_, binding, _, _) in app.screen.active_bindings.items():
        if binding.show or key == app.COMMAND_PALETTE_BINDING:
            display = app.get_key_display(binding)
            hints.append(f"{display} {binding.description}")
            if binding.group is not None:
                groups.setdefault(binding.group.description, []).append(display)
    return hints + [" ".join([*keys, description]) for description, keys in groups.items()]


def assert_hints_whole(app: DigestApp) -> list[str]:
    shown = footer_hints(app)
    offered = offered_hints(app)
    assert all(hint in offered for hint in shown), (shown, offered)
    return shown


@pytest.mark.parametrize("width", [120, 80, 60])
async def test_the_footer_shows_help_and_quit_and_only_whole_hints(config_dir: Path, seeds_dir: Path, width: int):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(width, 24)) as pilot:
        await loaded(pilot)
        shown = assert_hints_whole(app)
        assert "? Help" in shown and "q Quit" in shown
        assert shown[0] == "/ Search"  # the first hints stay, the last give way
        if width == 120:
            assert shown == ["/ Search", "u Unread only", "b Bookmark", "r Read/unread", "o arXiv", "c Cite", "? Help", "q Quit", "^p palette"]
        else:
            assert "c Cite" not in shown
        await pilot.press("enter")  # the detail pane's own keys come first
        await until(pilot, lambda: "Scroll down" in footer_text(app), "the detail pane's keys")
        shown = assert_hints_whole(app)
        assert shown[0] == "j Scroll down" and "? Help" in shown and "q Quit" in shown


async def test_the_footer_refits_when_the_terminal_shrinks(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 24)) as pilot:
        await loaded(pilot)
        assert "c Cite" in footer_hints(app)
        await resized(pilot, 60, 24)
        shown = assert_hints_whole(app)
        assert "c Cite" not in shown and "? Help" in shown and "q Quit" in shown


def assert_own_keys_only(app: DigestApp) -> list[str]:
    """A dialog's footer: its own keys, whole, and none of the reader's."""
    shown = assert_hints_whole(app)
    assert shown and not {"? Help", "q Quit", "/ Search", "^p palette"} & set(shown), shown
    return shown


@pytest.fixture
def linked_digest(tmp_path: Path) -> Path:
    path = tmp_path / "linked.txt"
    path.write_text(
        "2024-09-02\n"
        "A Paper With Links\n"
        "(Ada Lovelace)\n"
        "Code at https://github.com/example/repo and notes at https://example.org/notes.\n"
        "링크가 있습니다.\n"
        "#links\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("width", [120, 60])
async def test_the_help_screen_shows_its_own_keys_and_scrolls_with_j_k_g_G_space(config_dir: Path, seeds_dir: Path, width: int):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(width, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await until(pilot, lambda: "Close" in footer_text(app), "the help screen's footer")
        shown = assert_own_keys_only(app)
        assert "esc Close" in shown
        if width == 120:
            assert shown == ["j k Scroll", "space Page down", "g G Top/bottom", "esc Close"]
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y > box.size.height  # more than a page to scroll
        await pilot.press("j")
        await until(pilot, lambda: box.scroll_y == 1, "j scrolling down")
        await pilot.press("k")
        await until(pilot, lambda: box.scroll_y == 0, "k scrolling up")
        await pilot.press("space")
        await until(pilot, lambda: box.scroll_y >= box.size.height - 1, "space paging down")
        await pilot.press("G")
        await until(pilot, lambda: box.scroll_y == box.max_scroll_y, "G going to the bottom")
        await pilot.press("g")
        await until(pilot, lambda: box.scroll_y == 0, "g going to the top")
        await pilot.press("q")  # closes help, does not quit
        assert not isinstance(app.screen, HelpScreen) and app.is_running


async def test_the_help_screen_explains_the_sidebar_numbers_and_keys(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        from rich.console import Console

        console = Console(width=110, record=True)
        console.print(app.screen.query_one("#help-table").content)
        text = " ".join(console.export_text().split())
        assert "Sidebar" in text
        assert "means 27 entries, 26 of them unread" in text
        assert "space or l opens a year or a month" in text
        assert "Open a year or a month" in text  # l, listed with the other sidebar keys


async def test_the_note_editor_shows_save_and_cancel_and_q_is_typed(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, NoteScreen)
        await until(pilot, lambda: "Save" in footer_text(app), "the note editor's footer")
        shown = assert_own_keys_only(app)
        assert len(shown) == 2 and shown[0].endswith(" Save") and shown[1] == "esc Cancel"
        await pilot.press("q", "u", "o", "t", "e", "enter")
        assert not isinstance(app.screen, NoteScreen) and app.is_running
        assert app.store.note(app.entry_list.current.id) == "quote"
        await pilot.press("e", "x", "escape")  # esc cancels
        assert app.store.note(app.entry_list.current.id) == "quote"


async def test_the_citation_chooser_moves_with_j_k_and_chooses_by_number(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        entry = app.entry_list.current
        await pilot.press("C")
        assert isinstance(app.screen, ChoiceScreen)
        await until(pilot, lambda: "Close" in footer_text(app), "the chooser's footer")
        shown = assert_own_keys_only(app)
        assert "j k Move" in shown and "esc Close" in shown and any(hint.endswith(" Choose") for hint in shown)
        assert any("j/k move · enter/1-9 choose · esc close" in line.text for line in app.screen._compositor.render_strips())
        choices = app.screen.query_one("#choices")
        await pilot.press("j", "j", "k")
        assert choices.highlighted == 1
        await pilot.press("j", "enter")  # the third: Markdown
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.clipboard == cite.markdown(entry)
        await pilot.press("C", "2")  # the second: plain text
        assert not isinstance(app.screen, ChoiceScreen)
        assert app.clipboard == cite.plain(entry)
        await pilot.press("C", "9")  # no ninth choice: nothing happens
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("q")
        assert not isinstance(app.screen, ChoiceScreen) and app.is_running
        assert app.clipboard == cite.plain(entry)


async def test_the_link_list_shows_its_own_keys_and_moves_with_j_k(config_dir: Path, linked_digest: Path):
    app = make_app(config_dir, [linked_digest], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("L")
        assert isinstance(app.screen, LinksScreen)
        await until(pilot, lambda: "Close" in footer_text(app), "the link list's footer")
        shown = assert_own_keys_only(app)
        assert "j k Move" in shown and "y Copy link" in shown and "esc Close" in shown
        await pilot.press("j", "y")
        assert app.clipboard == "https://example.org/notes"
        await pilot.press("L", "j", "k", "y")
        assert app.clipboard == "https://github.com/example/repo"


async def test_a_yes_no_question_shows_yes_and_no(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.push_screen(ConfirmScreen("Really?"))
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen) and "Yes" in footer_text(app), "the question's footer")
        assert assert_own_keys_only(app) == ["y Yes", "n No"]


async def test_a_focused_sidebar_tree_shows_its_own_keys_and_l_opens_a_month(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        dates = app.query_one(DateTree)
        dates.focus()
        await until(pilot, lambda: "Open" in footer_text(app), "the date tree's footer")
        shown = assert_hints_whole(app)
        assert shown[0].endswith(" Choose") and shown[1:3] == ["space l Open", "j k Move"]
        assert "? Help" in shown and "q Quit" in shown
        language = app.session.language
        month = dates.nodes_by_key[(2024, 12)]
        dates.move_cursor(month)
        assert not month.is_expanded
        await pilot.press("l")
        assert month.is_expanded and app.session.language == language  # l opened the month, not the language
        await pilot.press("l")  # on an open month, l chooses it
        await settled(pilot)
        assert {e.date.month for e in app.entry_list.visible_entries()} == {12}
        await pilot.press("escape")
        tags = app.query_one(TagTree)
        tags.focus()
        await until(pilot, lambda: "Move" in footer_text(app) and "Open" not in footer_text(app), "the tag tree's footer")
        shown = assert_hints_whole(app)
        assert "j k Move" in shown and shown[0].endswith(" Choose")
        await pilot.press("j", "l")  # l chooses a tag
        await settled(pilot)
        assert app.session.filter.tag == tags.cursor_node.data


async def test_the_trends_screen_shows_its_own_keys(config_dir: Path, seeds_dir: Path):
    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("T")
        await until(pilot, lambda: "Close" in footer_text(app), "the trends screen's footer")
        shown = assert_own_keys_only(app)
        assert shown[0] == "j Next tag" and "esc Close" in shown


async def test_a_note_typed_and_saved_in_one_burst_keeps_every_letter(config_dir: Path, seeds_dir: Path):
    """Keys that arrive together (typed fast, or sent by a terminal in one read) reach the
    input before enter saves the note."""
    from textual import events

    app = make_app(config_dir, [seeds_dir])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, NoteScreen) and app.focused is not None, "the note editor")
        for character in "abc def":
            app.post_message(events.Key("space" if character == " " else character, character))
        app.post_message(events.Key("enter", "\r"))
        await until(pilot, lambda: not isinstance(app.screen, NoteScreen), "the note editor to close")
        assert app.store.note(app.entry_list.current.id) == "abc def"


async def test_a_choice_moved_to_and_chosen_in_one_burst_is_the_one_chosen(config_dir: Path, seeds_dir: Path):
    """j then enter arriving together choose the second format, not the first."""
    from textual import events

    from digest_tui.tui.screens.dialogs import ChoiceScreen

    app = make_app(config_dir, [seeds_dir], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("C")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.focused is not None, "the chooser")
        app.post_message(events.Key("j", "j"))
        app.post_message(events.Key("enter", "\r"))
        await until(pilot, lambda: not isinstance(app.screen, ChoiceScreen), "the chooser to close")
        await settled(pilot)
        assert not app.clipboard.startswith("@"), "BibTeX (the first choice) was copied, not the plain citation"
        assert app.session.library.entries[0].title in app.clipboard
