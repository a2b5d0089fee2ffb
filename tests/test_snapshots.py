"""What the reader draws, compared with accepted snapshots (update with --snapshot-update).

Paths shown on screen are relative (the tests run from a temporary directory), so the
pictures do not depend on where the tests run.
"""

from __future__ import annotations

from pathlib import Path

from tests.apphelpers import loaded, make_app, settled


def reader(paths: list[str], settings: str = 'mark_read = "never"\n'):
    return make_app(Path("config"), [Path(p) for p in paths], settings=settings)


def after(*keys: str):
    async def run_before(pilot) -> None:
        await loaded(pilot)
        if keys:
            await pilot.press(*keys)
        await settled(pilot)

    return run_before


def test_main_screen_wide(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(120, 40), run_before=after("j", "j", "b"))


def test_main_screen_80x24(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(80, 24), run_before=after("j"))


def test_help_screen(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(120, 40), run_before=after("question_mark"))


def test_search_with_results(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(120, 40), run_before=after("slash", *"reasoning"))


def test_search_without_results(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(120, 40), run_before=after("slash", *"zzqx"))


def test_empty_library(here, snap_compare):
    Path("digests").mkdir()
    assert snap_compare(reader(["digests"]), terminal_size=(120, 40), run_before=after())


def test_problems_screen(here, snap_compare):
    Path("broken.txt").write_text("2024-02-30\nA title without authors\n#tag\nstray line\n", encoding="utf-8")
    assert snap_compare(reader(["seeds", "broken.txt", "missing"]), terminal_size=(120, 40), run_before=after("p"))


def test_trends_screen(here, snap_compare):
    assert snap_compare(reader(["seeds"]), terminal_size=(120, 40), run_before=after("T", "j"))


def test_tag_trend_related_and_watch_marks(here, snap_compare):
    settings = 'mark_read = "never"\nwatch_keywords = ["diffusion"]\n'
    assert snap_compare(reader(["seeds"], settings), terminal_size=(120, 40), run_before=after("T", "j", "enter", "right_square_bracket"))


def test_no_drawing_shows_a_control_picture():
    """A control picture (␊, ␛ …) in a drawing of the sample digests is a bug drawn: the samples
    hold no control characters, so none may show (paragraphs are lines, not ␊)."""
    drawings = sorted(Path(__file__).parent.glob("__snapshots__/*/*.svg")) + sorted((Path(__file__).parent.parent / "screenshots").glob("*.svg"))
    assert drawings
    for drawing in drawings:
        text = drawing.read_text(encoding="utf-8")
        pictures = sorted({char for char in text if 0x2400 <= ord(char) <= 0x243F})
        assert not pictures, f"{drawing.name} shows {pictures}"
