"""Related entries, trends, the watch list, bilingual commentary and the live library."""

from __future__ import annotations

import shutil

from textual.widgets import Sparkline

from digest_tui.digest.library import load_library
from digest_tui.digest.loader import Loader
from digest_tui.digest.related import related_entries
from digest_tui.digest.trends import counts_over_time, tag_series, top_tags
from digest_tui.tui.screens.trends import TrendsScreen
from tests.apphelpers import loaded, make_app, settled, until, visible_rows


def test_related_prefers_cited_papers_then_rare_shared_tags(tmp_path):
    digest = tmp_path / "d.txt"
    digest.write_text(
        "2024-01-01\n"
        "Cited Paper\n(A. One)\narXiv:2401.00001\n코멘트.\n#common\n"
        "Rare Tag Sibling\n(B. Two)\n코멘트.\n#rare #common\n"
        "Common Tag Sibling\n(C. Three)\n코멘트.\n#common\n"
        "Unrelated\n(D. Four)\n코멘트.\n#other\n"
        "2024-01-02\n"
        "The Citing Paper\n(E. Five)\n이 논문은 https://arxiv.org/abs/2401.00001 를 인용합니다.\n#rare #common\n",
        encoding="utf-8",
    )
    library = load_library([digest])
    citing = next(e for e in library.entries if e.title == "The Citing Paper")
    related = [e.title for e in related_entries(library, citing)]
    assert related == ["Cited Paper", "Rare Tag Sibling", "Common Tag Sibling"]


def test_trend_counts_cover_the_whole_archive(seeds_dir):
    library = load_library([seeds_dir])
    series = tag_series(library, ["vision-language", "search"])
    # Jul .. Dec 2024, six months
    assert series["vision-language"] == [0, 2, 2, 0, 0, 0]
    assert series["search"] == [1, 1, 1, 0, 0, 1]
    assert top_tags(library, 2) == ["search", "vision-language"]
    monthly = counts_over_time(library.entries, library.entries[-1].date, library.entries[0].date)
    assert sum(monthly) == 27 and len(monthly) == 6


async def test_related_entries_are_listed_walked_opened_and_walked_back(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        start = app.entry_list.current
        related = related_entries(app.library, start)
        # sharing #synthetic-data, #reasoning or #distillation: Physics of LMs 2.2, Puzzle,
        # Critical Tokens, Smaller-Weaker-Yet-Better
        assert len(related) == 4
        text = app.detail.text
        assert text.index("Related") > text.index("Commentary")
        assert all(r.title in text for r in related)
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert app.session.related_cursor == 1 and "▶ " + related[1].title in app.detail.text
        await pilot.press("left_square_bracket")
        assert app.session.related_cursor == 0
        await pilot.press("enter")
        assert app.entry_list.current.id == related[0].id
        await pilot.press("right_square_bracket", "enter")
        second_hop = app.entry_list.current
        assert second_hop.id != related[0].id
        await pilot.press("backspace")
        assert app.entry_list.current.id == related[0].id
        await pilot.press("backspace")
        assert app.entry_list.current.id == start.id


async def test_trend_over_the_list_when_a_tag_is_chosen(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        trend = app.query_one("#trend")
        assert not trend.display
        await pilot.press("T")
        assert isinstance(app.screen, TrendsScreen)
        lines = app.screen.query(Sparkline)
        assert len(lines) == len(top_tags(app.library, 12))
        await pilot.press("j", "enter")
        assert app.session.filter.tag == "vision-language"
        assert trend.display
        assert list(app.query_one("#trend-line", Sparkline).data) == tag_series(app.library, ["vision-language"])["vision-language"]
        assert len(app.entry_list.rows) == 4


async def test_l_cycles_the_commentary_language_and_remembers_it(tmp_path, seeds_dir):
    config = tmp_path / "config"
    app = make_app(config, [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"Decoupled Momentum", "enter")
        korean, english = "모델 학습의 통신량을 줄이기", "A method to reduce communication volume"
        assert korean in app.detail.text and english in app.detail.text
        await pilot.press("l")
        assert korean in app.detail.text and english not in app.detail.text
        await pilot.press("l")
        assert korean not in app.detail.text and english in app.detail.text
        await settled(pilot)
    assert 'commentary_language = "english"' in (config / "config.toml").read_text(encoding="utf-8")
    app = make_app(config, [seeds_dir], settings=(config / "config.toml").read_text(encoding="utf-8"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert app.session.language == "english"


async def test_watch_list_highlights_filters_and_counts(tmp_path, seeds_dir):
    settings = 'mark_read = "never"\nwatch_authors = ["kingma"]\nwatch_keywords = ["MCTS"]\n'
    app = make_app(tmp_path / "config", [seeds_dir], settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        expected = {
            e.title
            for e in app.library.entries
            if "Kingma" in ", ".join(e.authors) or "mcts" in (e.title + e.abstract + e.commentary + " ".join(e.tags)).lower()
        }
        assert "DeMo: Decoupled Momentum Optimization" in expected and len(expected) >= 3
        await pilot.press("w")
        assert {e.title for e in app.entry_list.visible_entries()} == expected
        assert all("◆" in row for row in visible_rows(app)[: len(expected)])
        assert f"◆ {len(expected)} watched unread" in app.query_one("#status").content.plain
        await pilot.press("r")
        assert f"◆ {len(expected) - 1} watched unread" in app.query_one("#status").content.plain


async def test_new_digests_appear_while_the_app_runs(tmp_path, seed_files):
    library_dir = tmp_path / "digests"
    library_dir.mkdir()
    shutil.copy(seed_files[0], library_dir)
    app = make_app(tmp_path / "config", [library_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert len(app.entry_list.rows) == 5
        await pilot.press("j", "r", "slash", *"diffusion", "enter")
        kept_filter = app.session.filter
        current = app.entry_list.current
        shutil.copy(seed_files[4], library_dir)  # 3 entries, one of them about diffusion
        await until(pilot, lambda: len(app.library) == 8, "the new digest to arrive")
        assert app.session.filter == kept_filter
        assert app.entry_list.current.id == current.id
        assert app.unread_count == 7
        # App.notify posts a message: the notification is listed once the app has handled it.
        await until(pilot, lambda: any("3 new entries arrived" in n.message for n in app._notifications), "the arrival message")


def test_a_half_written_digest_is_read_once_it_is_complete(tmp_path, seed_files):
    library_dir = tmp_path / "digests"
    library_dir.mkdir()
    loader = Loader([library_dir])
    assert len(loader.load()) == 0
    text = seed_files[1].read_text(encoding="utf-8")
    target = library_dir / "new.txt"
    target.write_text(text[: len(text) // 2], encoding="utf-8")
    assert loader.refresh() is None  # just appeared: wait for it to hold still
    target.write_text(text, encoding="utf-8")
    assert loader.refresh() is None  # still changing
    library = loader.refresh()
    assert library is not None and len(library) == 7 and library.problems == []
    assert loader.refresh() is None  # nothing new: nothing re-read or reported again
