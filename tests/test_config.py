"""config.toml: every key with its default, clear messages for mistakes, remembered choices."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import get_args

import pytest

from digest_tui import config
from digest_tui.config import Settings, config_dir, load_settings, remember, remember_later, write_remembered
from tests.apphelpers import loaded, make_app, settled, until
from tests.fshelpers import read_only


def write(directory: Path, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")


def test_no_file_means_every_default(tmp_path):
    assert load_settings(tmp_path) == (Settings(), [])


def test_every_key_is_read(tmp_path):
    write(
        tmp_path,
        'sources = ["~/digests"]\ntheme = "nord"\nmark_read = "dwell"\ndwell_seconds = 2\ncitation_format = "markdown"\n'
        'sort = "title"\nclipboard = "terminal"\ncommentary_language = "english"\n'
        'watch_authors = ["Kingma"]\nwatch_keywords = ["MCTS"]\n',
    )
    settings, warnings = load_settings(tmp_path)
    assert warnings == []
    assert settings == Settings(["~/digests"], "nord", "dwell", 2.0, "markdown", "title", "terminal", "english", ["Kingma"], ["MCTS"])


def test_unknown_keys_and_wrong_types_give_a_message_and_the_default(tmp_path):
    write(tmp_path, 'sort = "random"\nmark_read = "soon"\nsources = "not a list"\ncolour = "red"\ntheme = "nord"\n')
    settings, warnings = load_settings(tmp_path)
    assert settings.sort == "date" and settings.mark_read == "open" and settings.sources == []
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


def test_remember_writes_through_a_symlink_and_keeps_it(tmp_path):
    dotfiles = tmp_path / "dotfiles"
    write(dotfiles, "# managed elsewhere\ntheme = \"nord\"\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").symlink_to(Path("..") / "dotfiles" / "config.toml")
    remember(config, "sort", "title")
    assert (config / "config.toml").is_symlink()
    assert tomllib.loads((dotfiles / "config.toml").read_text(encoding="utf-8")) == {"theme": "nord", "sort": "title"}
    assert [p.name for p in dotfiles.iterdir()] == ["config.toml"]  # no temporary file left


def test_remember_from_many_threads_at_once_loses_no_key(tmp_path):
    write(tmp_path, "# mine\n")
    count = 16
    start = threading.Barrier(count)
    errors = []

    def choose(n: int) -> None:
        start.wait()
        try:
            remember(tmp_path, f"key{n}", f"value{n}")
        except BaseException as error:  # reported below: a thread's exception is lost otherwise
            errors.append(error)

    threads = [threading.Thread(target=choose, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# mine\n")
    assert tomllib.loads(text) == {f"key{n}": f"value{n}" for n in range(count)}


def test_remember_from_many_processes_at_once_loses_no_key(tmp_path):
    write(tmp_path, "")
    program = (
        "import sys; from pathlib import Path; from digest_tui.config import remember\n"
        "for n in range(20): remember(Path(sys.argv[1]), f'{sys.argv[2]}{n}', 'x')"
    )
    writers = [subprocess.Popen([sys.executable, "-c", program, str(tmp_path), f"p{p}_"]) for p in range(4)]
    assert [writer.wait(timeout=60) for writer in writers] == [0] * 4
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8")).keys() == {f"p{p}_{n}" for p in range(4) for n in range(20)}


def test_queued_choices_land_as_last_chosen_whichever_writer_runs(tmp_path):
    write(tmp_path, 'sort = "date"\n')
    remember_later(tmp_path, "sort", "title")
    remember_later(tmp_path, "commentary_language", "korean")
    remember_later(tmp_path, "sort", "date")  # chosen again: this one counts
    write_remembered(tmp_path)
    write_remembered(tmp_path)  # the second writer finds nothing left to write
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8")) == {"sort": "date", "commentary_language": "korean"}


def test_one_key_that_cannot_be_set_leaves_the_others_written(tmp_path):
    write(tmp_path, 'sources = [\n  "~/d",\n]\n')
    remember_later(tmp_path, "sources", "x")  # a list is the user's own: left as it is
    remember_later(tmp_path, "sort", "title")
    write_remembered(tmp_path)
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8")) == {"sources": ["~/d"], "sort": "title"}


def test_remember_keeps_comments_layout_and_values_over_several_lines(tmp_path):
    text = (
        "# my settings\n"
        'theme = """\nnord"""\n'
        "sources = [\n"
        '    "~/digests",  # the main one\n'
        '    "~/old",\n'
        "]\n"
        "\n"
        'sort = "date"  # newest first\n'
        "\n"
        "[extra]\n"
        "kept = true\n"
    )
    write(tmp_path, text)
    remember(tmp_path, "sort", "title")
    text = text.replace('sort = "date"', 'sort = "title"')
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == text
    remember(tmp_path, "theme", "gruvbox")  # a value over two lines, set like any other
    text = text.replace('theme = """\nnord"""', 'theme = "gruvbox"')
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == text
    remember(tmp_path, "clipboard", "system")  # a new key goes above the first table
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == text.replace("\n[extra]", 'clipboard = "system"\n\n[extra]')
    assert tomllib.loads(text)["sources"] == ["~/digests", "~/old"]


def test_a_key_that_is_a_table_is_never_replaced_by_a_choice(tmp_path):
    write(tmp_path, "[sort]\nby = 'date'\n")
    remember_later(tmp_path, "sort", "title")
    remember_later(tmp_path, "theme", "nord")
    write_remembered(tmp_path)
    assert tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8")) == {"theme": "nord", "sort": {"by": "date"}}


def test_remember_writes_without_a_lock_another_process_keeps_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "LOCK_TIMEOUT", 0)  # no waiting: the holder below never lets go
    write(tmp_path, "# mine\n")
    fd = os.open(tmp_path / "config.toml.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        message = remember(tmp_path, "sort", "title")
        assert message is not None and "sort" in message and "without its lock" in message
    finally:
        os.close(fd)
    assert remember(tmp_path, "theme", "nord") is None
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == '# mine\nsort = "title"\ntheme = "nord"\n'


def test_each_choice_is_declared_once_where_it_is_used():
    from digest_tui.digest.filters import SORTS
    from digest_tui.out.cite import FORMATS
    from digest_tui.out.clipboard import ClipboardMode
    from digest_tui.session import LANGUAGE_NAMES

    assert config.CHOICES["sort"] == SORTS == ("date", "title")
    assert config.CHOICES["citation_format"] == FORMATS
    assert config.CHOICES["clipboard"] == get_args(ClipboardMode) == ("auto", "terminal", "system")
    assert config.CHOICES["commentary_language"] == get_args(config.CommentaryLanguage) == ("both", "korean", "english")
    assert set(LANGUAGE_NAMES) == set(config.CHOICES["commentary_language"])
    assert config.CHOICES["mark_read"] == get_args(config.MarkRead)


async def test_two_choices_made_at_once_are_both_remembered(tmp_path, seeds_dir):
    config = tmp_path / "config"
    app = make_app(config, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("s", "l", "s", "s")
        await app.workers.wait_for_complete()
    data = tomllib.loads((config / "config.toml").read_text(encoding="utf-8"))
    assert data["sort"] == app.session.filter.sort == "title"
    assert data["commentary_language"] == app.session.language == "korean"


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
            await until(pilot, lambda: not app.saver.saving and any("state" in n.message.lower() for n in app._notifications), "the failed save's message")
            await settled(pilot)
            messages = [n.message for n in app._notifications]
            assert any("could not save sort" in m for m in messages)
            assert any("state" in m.lower() for m in messages if "could not save sort" not in m)
            assert app.store.is_bookmarked(app.entry_list.current.id)  # kept in memory
            assert app.session.filter.sort == "title"


async def test_config_warnings_are_shown_in_the_reader(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings='mark_read = "never"\nsort = "random"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert any("sort = 'random' is not valid" in n.message for n in app._notifications)


@pytest.mark.parametrize(
    ("old", "mark_read", "seconds"),
    [("mark_read_after = 0\n", "never", 1.0), ("mark_read_after = 2.5\n", "dwell", 2.5), ('mark_read_after = 3\nmark_read = "open"\n', "open", 1.0)],
)
def test_the_old_mark_read_after_is_read_once_with_a_notice(tmp_path, old, mark_read, seconds):
    write(tmp_path, old)
    settings, warnings = load_settings(tmp_path)
    assert (settings.mark_read, settings.dwell_seconds) == (mark_read, seconds)
    assert len(warnings) == 1 and "mark_read_after" in warnings[0] and "mark_read" in warnings[0].replace("mark_read_after", "")


async def test_a_theme_that_does_not_exist_is_reported(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings='mark_read = "never"\ntheme = "nope"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert any("theme = 'nope' is not a theme" in n.message for n in app._notifications)
        assert app.theme == "textual-dark"
