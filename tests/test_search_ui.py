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
