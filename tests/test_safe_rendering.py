"""Digest text is data: markup shows literally, control characters never reach the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.content import Content

from digest_tui.text.sanitize import clean
from tests.apphelpers import loaded, make_app, palette_hits, settled, until, visible_rows

HOSTILE_TITLES = [
    "[bold red]x[/]",
    "[link=file:///etc/passwd]y[/link]",
    "Esc \x1b[31mred\x1b[0m and \x1b]0;pwned\x07 title",
    "Bell\x07 and NUL\x00 here",
    "Bidi \u202etxt.exe\u202c trick",
]


def test_clean_replaces_control_characters_with_visible_placeholders():
    assert clean("a\x1b[31mb") == "a\u241b[31mb"
    assert clean("bell\x07") == "bell\u2407"
    assert clean("nul\x00") == "nul\u2400"
    assert clean("\u202eevil\u2066") == "\ufffdevil\ufffd"
    assert clean("tab\there") == "tab    here"
    assert clean("한국어 text") == "한국어 text"
    for title in HOSTILE_TITLES:
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in clean(title))


@pytest.fixture
def hostile_digest(tmp_path: Path) -> Path:
    lines = ["2024-05-01"]
    for n, title in enumerate(HOSTILE_TITLES):
        lines += [title, f"(Mallory {n})", f"Abstract with [b]markup[/b] {title}", "코멘트 [red]빨강[/red]", "#safe"]
    lines += ["A very long line entry", "(Long Author)", "word " * 20000, "긴 코멘트", "#long"]
    lines += ["Many tags entry", "(Tag Author)", "Abstract.", "코멘트", " ".join(f"#tag{n}" for n in range(1000))]
    path = tmp_path / "hostile.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


async def test_markup_and_escapes_show_literally(tmp_path, hostile_digest):
    app = make_app(tmp_path / "config", [hostile_digest])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert len(app.library.entries) == len(HOSTILE_TITLES) + 2
        rows = "\n".join(visible_rows(app))
        assert "[bold red]x[/]" in rows
        assert "[link=file:///etc/passwd]y[/link]" in rows
        assert "\x1b" not in rows and "\x07" not in rows and "\x00" not in rows and "\u202e" not in rows
        assert "\u241b[31mred" in rows and "Bidi \ufffdtxt.exe" in rows
        for position, entry in enumerate(app.entry_list.visible_entries()):
            app.entry_list.cursor = position
            await pilot.pause()
            shown = app.detail.text
            assert clean(entry.title) in shown
            assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
            if entry.abstract:
                assert "[b]markup[/b]" in shown or entry.title in ("A very long line entry", "Many tags entry")


async def test_huge_lines_and_a_thousand_tags_keep_the_layout(tmp_path, hostile_digest):
    app = make_app(tmp_path / "config", [hostile_digest])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        width = app.entry_list.size.width
        for row in visible_rows(app):
            assert len(row) <= width
        await pilot.press("slash", *"Many tags", "enter")
        entry = app.entry_list.current
        assert entry.title == "Many tags entry" and len(entry.tags) == 1000
        assert "#tag999" in app.detail.text
        await pilot.press("slash", *"very long", "enter")
        assert app.entry_list.current.title == "A very long line entry"
        await pilot.press("enter", "G")  # the detail pane scrolls to the end of a 100,000-character abstract
        assert app.detail.scroll_y > 0
        assert app.query_one("#status").size.height == 1


MARKUP_TITLES = [
    "[@click=app.screenshot('victim.txt','{target}')]Overwrite[/] me",
    '[link="file:///etc/passwd"]Passwd link[/link] here',
    "[/] Closing tag first",
]


async def test_the_command_palette_never_reads_a_title_as_markup(tmp_path):
    """A title's markup in a palette hit is text: no click action, no link, no MarkupError."""
    target = tmp_path / "target"
    target.mkdir()
    titles = [title.format(target=target) for title in MARKUP_TITLES]
    digest = tmp_path / "markup.txt"
    digest.write_text("2024-05-01\n" + "".join(f"{t}\n(Mallory)\nAbstract.\n코멘트\n#safe\n" for t in titles), encoding="utf-8")
    app = make_app(tmp_path / "config", [digest])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for title, query in zip(titles, ("overwrite", "passwd", "closing")):
            await pilot.press("ctrl+p", *query)
            await until(pilot, lambda: palette_hits(app), f"a palette hit for {query}")
            prompt = palette_hits(app)[0].prompt
            assert isinstance(prompt, Content) and prompt.plain.split("\n")[0] == title
            assert not [span for span in prompt.spans if "click" in repr(span.style) or "link" in repr(span.style)]
            await pilot.press("enter")
            await until(pilot, lambda wanted=title: app.entry_list.current is not None and app.entry_list.current.title == wanted, "the jump")
        await pilot.click("#entries", offset=(20, 0))
        await settled(pilot)
    assert list(target.iterdir()) == []
