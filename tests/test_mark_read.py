"""Read marks only for what was read: the mark_read setting ("open", "dwell", "never")."""

from __future__ import annotations

from tests.apphelpers import loaded, make_app, settled, until


def settings(mark_read: str, seconds: float = 0.05) -> str:
    return f'mark_read = "{mark_read}"\ndwell_seconds = {seconds}\n'


async def test_open_marks_an_entry_read_when_it_is_opened_and_only_then(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=settings("open"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await settled(pilot)
        assert app.unread_count == 27, "start-up marked the newest entry read"
        await pilot.press("slash", *"reasoning", "ctrl+u", *"mixture", "escape")  # typed, never opened
        await pilot.press("j", "j", "k")  # passing through the list reads nothing
        assert app.unread_count == 27
        entry = app.entry_list.current
        await pilot.press("enter")
        assert app.focused is app.detail and app.store.is_read(entry.id)
        await pilot.press("n")  # moving on while reading opens the next unread entry
        following = app.entry_list.current
        assert following is not entry and app.store.is_read(following.id)
        assert app.unread_count == 25
        await pilot.press("escape", "j")
        assert not app.store.is_read(app.entry_list.current.id)


async def test_a_double_click_opens_and_reads(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=settings("open"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.click("#entries", offset=(10, 2))
        assert app.entry_list.cursor == 2 and not app.store.is_read(app.entry_list.current.id)
        await pilot.click("#entries", offset=(10, 2), times=2)
        assert app.store.is_read(app.entry_list.current.id) and app.focused is app.detail


async def test_an_entry_marked_unread_stays_unread_under_every_setting(tmp_path, seeds_dir):
    for mark_read in ("open", "dwell", "never"):
        app = make_app(tmp_path / mark_read, [seeds_dir], settings=settings(mark_read))
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await pilot.press("r")  # read by hand …
            entry = app.entry_list.current
            assert app.store.is_read(entry.id)
            await pilot.press("r", "s", "s", "u", "u")  # … unread by hand, then sort and filter
            await settled(pilot)
            assert app.read_timer is None
            assert not app.store.is_read(entry.id), mark_read


async def test_dwell_reads_after_a_move_the_user_made_never_after_the_program_moved(tmp_path, seeds_dir):
    # A long dwell: a timer armed by mistake would still be pending when checked.
    app = make_app(tmp_path / "long", [seeds_dir], settings=settings("dwell", 600))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.read_timer is None, "start-up armed the read timer"
        await pilot.press("slash", *"reasoning")
        assert app.read_timer is None, "a search armed the read timer"
        await pilot.press("enter", "s", "u")
        assert app.read_timer is None, "a sort or filter armed the read timer"
        await pilot.press("j")
        assert app.read_timer is not None, "a move by the user armed no timer"
    app = make_app(tmp_path / "short", [seeds_dir], settings=settings("dwell", 0.05))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("j")
        entry = app.entry_list.current
        await until(pilot, lambda: app.store.is_read(entry.id), "the dwell mark")
        assert app.unread_count == 26


async def test_never_leaves_read_marks_to_r(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=settings("never"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "enter", "n", "escape", "j")
        assert app.read_timer is None and app.unread_count == 27
        await pilot.press("r")
        assert app.unread_count == 26
