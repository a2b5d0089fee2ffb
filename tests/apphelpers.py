"""Starting the real reader headless on real digests, for the Pilot and snapshot tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets.option_list import Option

from digest_tui.tui.app import DigestApp


def make_app(config_dir: Path, paths: list[Path], settings: str = 'mark_read = "never"\n', **kwargs) -> DigestApp:
    """A reader on `paths` with its own config directory (never the user's)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(settings, encoding="utf-8")
    return DigestApp(paths=[str(p) for p in paths], config_dir=config_dir, **kwargs)


async def until(pilot: Pilot, condition: Callable[[], object], what: str = "the condition") -> None:
    """Wait for `condition` to hold: an event from a thread, a timer or a file.

    The bound is a safety net for a test that would otherwise hang, not a claim about speed.
    """
    for _ in range(3000):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"{what} never happened")


async def settled(pilot: Pilot) -> None:
    """Wait until every worker the app started (saves, remembered settings, searches) is done."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def loaded(pilot: Pilot) -> None:
    """Wait until the library has been read in the background."""
    await until(pilot, lambda: not pilot.app.loading and not pilot.app.state_pending, "loading the library and the state")
    await pilot.pause()


def palette_hits(app: DigestApp) -> list[Option]:
    """The command palette's hits as it lists them now."""
    commands = app.screen.query_one(CommandList)
    return [commands.get_option_at_index(i) for i in range(commands.option_count)]


def visible_rows(app: DigestApp) -> list[str]:
    """The entry list's lines exactly as it draws them now."""
    entry_list = app.entry_list
    return [entry_list.render_line(y).text for y in range(entry_list.size.height)]

