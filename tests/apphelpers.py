"""Starting the real reader headless on real digests, for the Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from digest_tui.app import DigestApp


def make_app(config_dir: Path, paths: list[Path], settings: str = "mark_read_after = 0\n", **kwargs) -> DigestApp:
    """A reader on `paths` with its own config directory (never the user's)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(settings, encoding="utf-8")
    return DigestApp(paths=[str(p) for p in paths], config_dir=config_dir, **kwargs)


async def loaded(pilot: Pilot) -> None:
    """Wait until the library has been read in the background."""
    app = pilot.app
    for _ in range(400):
        if not app.loading:
            break
        await pilot.pause(0.02)
    assert not app.loading, "the library did not load"
    await pilot.pause()


def visible_rows(app: DigestApp) -> list[str]:
    """The entry list's lines exactly as it draws them now."""
    entry_list = app.entry_list
    return [entry_list.render_line(y).text for y in range(entry_list.size.height)]

