"""Keys and the footer: what a new user sees at the bottom of each screen, at each width."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Size

from digest_tui.app import DigestApp
from tests.apphelpers import loaded, make_app, until, visible_rows


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def footer_text(app: DigestApp) -> str:
    """The bottom line of the screen on top, as drawn."""
    return app.screen._compositor.render_strips()[-1].text


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
    """Every hint the screen on top may show, whole: `key description`."""
    hints = []
    for key, (_, binding, _, _) in app.screen.active_bindings.items():
        if binding.show or key == app.COMMAND_PALETTE_BINDING:
            hints.append(f"{app.get_key_display(binding)} {binding.description}".strip())
    return hints


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
