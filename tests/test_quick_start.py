"""A start with a fresh read-id snapshot: read rows first, bookmarks and notes once the whole
state is read, and never a note editor over a note not read yet."""

from __future__ import annotations

from digest_tui.disk.store import StateStore
from tests.apphelpers import loaded, make_app, settled, visible_rows


async def test_a_second_start_shows_read_marks_from_the_snapshot_and_then_bookmarks(tmp_path, seed_files):
    config_dir = tmp_path / "config"
    app = make_app(config_dir, seed_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        first, second = app.entry_list.visible_entries()[:2]
        await pilot.press("r", "j", "b")
        await settled(pilot)
    assert StateStore(config_dir).load_read_ids(), "the save left a fresh snapshot of the read ids"

    again = make_app(config_dir, seed_files)
    async with again.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert not again.state_pending and again.store.loaded
        assert again.store.is_read(first.id) and not again.store.is_read(second.id)
        assert again.store.is_bookmarked(second.id)
        assert again.unread_count == len(again.library) - 1
        assert "1 bookmarked" in again.query_one("#status").content.plain
        rows = visible_rows(again)
        assert "★" in rows[1] and "★" not in rows[0]


async def test_the_note_editor_waits_for_the_whole_state(tmp_path, seed_files):
    app = make_app(tmp_path / "config", seed_files)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        app.state_pending = True  # as between the snapshot and the full read
        app.store._full = False
        await pilot.press("e")
        assert not app.screen.is_modal
        assert any("still being read" in n.message for n in app._notifications)
