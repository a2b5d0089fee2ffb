"""Layout that uses the screen: rows that share their width, authors folded, problems wrapped,
abstracts' LaTeX drawn for reading. The reader runs headless on the sample digests plus a
synthetic digest long enough to scroll."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len

from digest_tui.tui.screens.problems import ProblemsScreen
from digest_tui.tui.widgets.entry_list import share_row
from tests.apphelpers import loaded, make_app, until, visible_rows

LONG_TITLE = "A Title Long Enough to Be Cut in Any Terminal " * 6
LONG_TAGS = [f"very-long-tag-number-{n}" for n in range(12)]
MANY_AUTHORS = [f"Author Number{n}" for n in range(1, 101)]


def digest(day: int, entries: list[tuple[str, list[str], str, list[str]]]) -> str:
    """A digest of one day: (title, authors, abstract, tags) per entry."""
    lines = [f"2025년 1월 {day}일"]
    for title, authors, abstract, tags in entries:
        lines += [title, "(" + ", ".join(authors) + ")", abstract, "짧은 코멘트입니다.", "A short comment.", " ".join("#" + t for t in tags)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def digests(tmp_path: Path, seeds_dir: Path) -> Path:
    """The sample digests and forty synthetic entries on newer days: the list scrolls at any size."""
    folder = tmp_path / "digests"
    shutil.copytree(seeds_dir, folder)
    filler = [(f"Synthetic Entry {n}", ["Ann Example"], "Plain abstract.", ["filler"]) for n in range(36)]
    (folder / "synthetic-1.txt").write_text(
        digest(1, filler[:18]) + digest(2, filler[18:]), encoding="utf-8"
    )
    newest = [
        (LONG_TITLE.strip(), ["Ann Example"], "Plain abstract.", LONG_TAGS),
        ("Many Hands Make Light Work", MANY_AUTHORS, "Abstract of the hundred-author paper.", ["crowd"]),
        ("Broken LaTeX Survives", ["Ann Example"], r"We show \textbf{unclosed bold and $x \times y$ math.", ["latex"]),
        ("Linked Abstract", ["Ann Example"], r"Code at \url{https://example.org/code}, \emph{really}.", ["latex"]),
    ]
    (folder / "synthetic-2.txt").write_text(digest(3, newest), encoding="utf-8")
    return folder


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "config"


def screen_lines(app) -> list[str]:
    """The whole screen as the terminal would show it, one string per line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def drawn_rows(app) -> list[str]:
    """The entry list's rows as they appear on screen, scrollbar column included."""
    region = app.entry_list.region
    lines = screen_lines(app)
    return [lines[y][region.x : region.right] for y in range(region.y, region.bottom)]


async def search(pilot, text: str) -> None:
    await pilot.press("slash", *text, "enter")
    await pilot.pause()


# -- the list row -------------------------------------------------------------------------


def test_a_short_title_lends_its_room_to_long_tags():
    assert share_row(150, title=46, tags=41) == (150 - 2 - 41, 41)


def test_a_long_title_takes_the_room_short_tags_leave():
    assert share_row(100, title=90, tags=8) == (90, 8)


def test_long_title_and_long_tags_split_and_narrow_rows_drop_tags():
    assert share_row(90, title=200, tags=200) == (90 - 2 - 30, 30)
    assert share_row(60, title=200, tags=200) == (60 - 2 - 20, 20)
    assert share_row(150, title=100, tags=60) == (150 - 2 - 48, 48)  # the title's spare room, no less than the share
    assert share_row(39, title=40, tags=10) == (39, 0)
    assert share_row(150, title=40, tags=0) == (150, 0)


async def test_at_200_columns_tags_are_whole_and_the_cut_row_keeps_its_ellipsis(config_dir, digests):
    app = make_app(config_dir, [digests])
    async with app.run_test(size=(200, 40)) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        assert entry_list.show_vertical_scrollbar, "the list must scroll for this test"
        content_width = entry_list.scrollable_content_region.width
        assert content_width == entry_list.size.width - 1
        # the row of the long title is the first; on screen its last cell before the scrollbar is `…`
        first = drawn_rows(app)[0]
        assert LONG_TITLE[:30] in first
        assert first[content_width - 1] == "…"
        assert all(cell_len(row) == content_width for row in visible_rows(app))
        await search(pilot, "Reverse Thinking")
        await until(pilot, lambda: "Reverse Thinking" in drawn_rows(app)[0], "the search")
        assert "#synthetic-data #reasoning #distillation" in drawn_rows(app)[0]


async def test_at_80_columns_the_cut_row_keeps_its_ellipsis_beside_the_scrollbar(config_dir, digests):
    app = make_app(config_dir, [digests])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        entry_list = app.entry_list
        assert entry_list.show_vertical_scrollbar
        content_width = entry_list.scrollable_content_region.width
        first = drawn_rows(app)[0]
        assert first[content_width - 1] == "…"
        await pilot.press("G")  # scrolled to the end, every drawn row still fits
        assert all(cell_len(row) == content_width for row in visible_rows(app))


async def test_the_watch_mark_stands_apart_from_the_date(config_dir, seeds_dir):
    app = make_app(config_dir, [seeds_dir], settings='mark_read_after = 0\nwatch_keywords = ["diffusion"]\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        watched = [row for row in visible_rows(app) if "◆" in row]
        assert watched and all("◆ 20" in row for row in watched)
        assert all(row[3:5] == " 2" for row in visible_rows(app) if row.strip())


# -- authors ------------------------------------------------------------------------------


async def test_a_hundred_authors_fold_to_three_and_unfold_with_a_or_a_click(config_dir, digests):
    app = make_app(config_dir, [digests])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await search(pilot, "Many Hands")
        await until(pilot, lambda: app.detail.entry is not None and app.detail.entry.title == "Many Hands Make Light Work", "the entry")
        text = app.detail.text
        assert "Author Number1, Author Number2, Author Number3 … and 97 more" in text
        assert "Author Number4" not in text
        # the abstract follows right after: title, authors, date, blank, heading
        assert text.splitlines().index("Abstract") <= 4
        await pilot.press("a")
        assert all(name in app.detail.text for name in MANY_AUTHORS) and "(fewer)" in app.detail.text
        await pilot.press("a")
        assert "Author Number4" not in app.detail.text

        # a click on "… and 97 more" unfolds, a click on "(fewer)" folds
        async def click_on(words: str) -> None:
            for y, line in enumerate(screen_lines(app)):
                if words in line:
                    await pilot.click(offset=(cell_len(line[: line.index(words)]) + 2, y))
                    await pilot.pause()
                    return
            raise AssertionError(f"{words!r} is not on the screen")

        await click_on("… and 97 more")
        assert "Author Number100" in app.detail.text
        await click_on("(fewer)")
        assert "Author Number100" not in app.detail.text

        # unfolded, then another entry and back: each entry opens folded
        await pilot.press("a")
        assert "Author Number100" in app.detail.text
        await pilot.press("escape", "escape")  # the click focused the detail: back to the list, then clear the search
        assert app.focused is app.entry_list and len(app.entry_list.rows) > 1
        await pilot.press("j")
        await until(pilot, lambda: app.detail.entry.title != "Many Hands Make Light Work", "another entry")
        await pilot.press("k")
        await until(pilot, lambda: app.detail.entry.title == "Many Hands Make Light Work", "back on the entry")
        assert "… and 97 more" in app.detail.text


# -- problems -----------------------------------------------------------------------------


async def test_a_long_problem_line_wraps_whole_at_80_columns(config_dir, tmp_path, seeds_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = Path("digests")
    shutil.copytree(seeds_dir, folder)
    seed = sorted(folder.glob("*.txt"))[2]
    shutil.copy(seed, folder / "a-copy-of-the-digest-of-the-second-of-december.txt")  # every entry again: notes
    app = make_app(config_dir, [folder])
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        notes = app.library.notes
        assert notes and any(len(str(note)) > 80 for note in notes)
        await pilot.press("p")
        assert isinstance(app.screen, ProblemsScreen)
        log = app.screen.query_one("#problems-log")
        await until(pilot, lambda: log.rows, "the wrapped rows")
        region = log.scrollable_content_region
        drawn = [line[region.x : region.right] for line in screen_lines(app)[region.y : region.bottom]]
        assert all(cell_len(row) <= region.width for row in drawn)
        # the first note, cut at spaces into several rows, reads whole
        first = f"{notes[0].source}:{notes[0].line}: note: {notes[0].message}"
        shown = " ".join(" ".join(row.split()) for row in drawn)
        assert " ".join(first.split()) in shown
        assert "…" not in shown


# -- LaTeX in abstracts -------------------------------------------------------------------


async def test_the_demo_abstract_reads_decoupled_momentum_in_bold_without_braces(config_dir, digests):
    app = make_app(config_dir, [digests])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await search(pilot, "Decoupled Momentum")
        await until(pilot, lambda: app.detail.entry is not None and app.detail.entry.title.startswith("DeMo"), "the entry")
        entry = app.detail.entry
        assert r"{\textbf{De}}coupled" in entry.abstract  # the entry itself keeps the raw text
        content = app.detail.content
        text = content.plain
        assert "We introduce Decoupled Momentum (DeMo)" in text and "textbf" not in text and "{" not in text
        start = text.index("Decoupled Momentum (DeMo)")

        def bold_at(index: int) -> bool:
            return any(span.start <= index < span.end and getattr(span.style, "bold", False) for span in content.spans)

        assert [bold_at(start + i) for i in range(12)] == [True, True] + [False] * 8 + [True, True]


async def test_broken_latex_shows_the_raw_abstract_and_links_are_drawn(config_dir, digests):
    app = make_app(config_dir, [digests])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await search(pilot, "Broken LaTeX")
        await until(pilot, lambda: app.detail.entry is not None and app.detail.entry.title == "Broken LaTeX Survives", "the entry")
        assert r"We show \textbf{unclosed bold and $x \times y$ math." in app.detail.text
        await pilot.press("escape")
        await search(pilot, "Linked Abstract")
        await until(pilot, lambda: app.detail.entry is not None and app.detail.entry.title == "Linked Abstract", "the entry")
        content = app.detail.content
        assert "Code at https://example.org/code, really." in content.plain
        start = content.plain.index("https://example.org/code")
        assert any(span.start <= start < span.end and span.style.underline for span in content.spans)
