"""config.toml: every key with its default, clear messages for mistakes, remembered choices."""

from __future__ import annotations

import tomllib
from pathlib import Path

from digest_tui.config import Settings, config_dir, load_settings, remember
from tests.apphelpers import loaded, make_app
from tests.fshelpers import read_only


def write(directory: Path, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")


def test_no_file_means_every_default(tmp_path):
    assert load_settings(tmp_path) == (Settings(), [])


def test_every_key_is_read(tmp_path):
    write(
        tmp_path,
        'sources = ["~/digests"]\ntheme = "nord"\nmark_read_after = 2\ncitation_format = "markdown"\n'
        'sort = "title"\nclipboard = "terminal"\ncommentary_language = "english"\n'
        'watch_authors = ["Kingma"]\nwatch_keywords = ["MCTS"]\n',
    )
    settings, warnings = load_settings(tmp_path)
    assert warnings == []
    assert settings == Settings(["~/digests"], "nord", 2.0, "markdown", "title", "terminal", "english", ["Kingma"], ["MCTS"])


def test_unknown_keys_and_wrong_types_give_a_message_and_the_default(tmp_path):
    write(tmp_path, 'sort = "random"\nmark_read_after = "soon"\nsources = "not a list"\ncolour = "red"\ntheme = "nord"\n')
    settings, warnings = load_settings(tmp_path)
    assert settings.sort == "date" and settings.mark_read_after == 1.0 and settings.sources == []
    assert settings.theme == "nord"
    assert len(warnings) == 4
    assert all(str(tmp_path / "config.toml") in w for w in warnings)
    assert any("unknown key 'colour'" in w for w in warnings)
    assert any("sort = 'random' is not valid; using 'date'" in w for w in warnings)


def test_a_broken_file_gives_the_defaults_and_says_why(tmp_path):
    write(tmp_path, "sort = [unclosed\n")
    settings, warnings = load_settings(tmp_path)
    assert settings == Settings()
    assert len(warnings) == 1 and "cannot be read" in warnings[0]


def test_remember_changes_one_line_and_keeps_comments(tmp_path):
    write(tmp_path, '# my settings\ntheme = "nord"  # dark\nsources = ["~/d"]\n\n[extra]\nsort = "kept"\n')
    remember(tmp_path, "sort", "title")
    remember(tmp_path, "theme", "gruvbox")
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# my settings\n")
    data = tomllib.loads(text)
    assert data["theme"] == "gruvbox" and data["sort"] == "title" and data["sources"] == ["~/d"]
    assert data["extra"] == {"sort": "kept"}


def test_remember_never_touches_a_broken_file(tmp_path):
    write(tmp_path, "theme = [broken\n")
    remember(tmp_path, "theme", "nord")
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == "theme = [broken\n"


def test_config_dir_option_beats_environment_beats_platform(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGEST_TUI_CONFIG_DIR", str(tmp_path / "env"))
    assert config_dir(tmp_path / "option") == tmp_path / "option"
    assert config_dir() == tmp_path / "env"
    monkeypatch.delenv("DIGEST_TUI_CONFIG_DIR")
    assert config_dir().name == "digest-tui"


async def test_a_read_only_config_directory_is_reported_not_fatal(tmp_path, seeds_dir):
    config = tmp_path / "config"
    app = make_app(config, [seeds_dir])
    with read_only(config):
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await pilot.press("s", "b")
            await pilot.pause(1.0)
            messages = [n.message for n in app._notifications]
            assert any("could not save sort" in m for m in messages)
            assert any("state" in m.lower() for m in messages if "could not save sort" not in m)
            assert app.store.is_bookmarked(app.entry_list.current.id)  # kept in memory
            assert app.filter.sort == "title"


async def test_config_warnings_are_shown_in_the_reader(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings='mark_read_after = 0\nsort = "random"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert any("sort = 'random' is not valid" in n.message for n in app._notifications)
