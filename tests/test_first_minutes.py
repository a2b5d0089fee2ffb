"""What a new user meets in the first minutes: sidebar headings and choices, the samples,
and sentences that read right."""

from __future__ import annotations

import shutil

from digest_tui.text.wording import plural, shorten
from digest_tui.tui.app import DigestApp
from digest_tui.tui.widgets.sidebar import DateTree, TagTree
from tests.apphelpers import loaded, make_app, settled


def test_plural_and_shorten():
    assert [plural(n, "entry", "entries") for n in (0, 1, 2)] == ["0 entries", "1 entry", "2 entries"]
    assert plural(1, "problem") == "1 problem" and plural(3, "problem") == "3 problems"
    assert shorten("abcdef", 10) == "abcdef" and shorten("abc def ghi", 8) == "abc def…"
    assert len(shorten("x" * 100, 20)) == 20


async def test_the_sidebar_has_headings_and_marks_what_is_chosen(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        headings = [str(h.render()) for h in app.query(".sidebar-heading")]
        assert headings == ["Dates", "Tags"]
        tags, dates = app.query_one(TagTree), app.query_one(DateTree)
        first = tags.root.children[0]
        tags.select_node(first)
        await pilot.pause()
        assert first.label.plain.endswith("✓") and app.session.filter.tag == first.data
        assert sum(node.label.plain.endswith("✓") for node in tags.root.children) == 1
        tags.select_node(first)  # chosen again: cleared, and so is the mark
        await pilot.pause()
        assert not any(node.label.plain.endswith("✓") for node in tags.root.children)
        august = dates.nodes_by_key[(2024, 8)]
        dates.select_node(august)
        await pilot.pause()
        assert august.label.plain.endswith("✓")
        await pilot.press("escape")
        assert not august.label.plain.endswith("✓")
        # chosen from the trends screen: marked in the sidebar too
        await pilot.press("T", "enter")
        await pilot.pause()
        chosen = [node for node in tags.root.children if node.label.plain.endswith("✓")]
        assert [node.data for node in chosen] == [app.session.filter.tag] and app.session.filter.tag


async def test_the_bundled_samples_say_what_they_are_and_how_to_read_your_own(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    app = DigestApp(paths=[], config_dir=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        status = app.query_one("#status").content.plain
        assert "sample digests" in status and "27 entries" in status
        notes = [n.message for n in app._notifications]
        assert any("digest-tui ~/digests" in n and "sources" in n and "config.toml" in n for n in notes)


async def test_counts_and_messages_read_as_sentences(tmp_path, seed_files):
    library = tmp_path / "digests"
    library.mkdir()
    shutil.copy(seed_files[0], library)
    app = make_app(tmp_path / "config", [library])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"Mutual Reasoning", "enter")
        assert "5 entries" in app.query_one("#status").content.plain
        await pilot.press("R")
        assert any(n.message == "Marked 1 entry as read." for n in app._notifications)
        await pilot.press("escape", "B")
        assert "No entries for this filter (bookmarked). Press esc to clear it." in app.detail.text
        await pilot.press("B", "l")
        await settled(pilot)
        assert any(n.message == "Commentary shown: Korean only." for n in app._notifications)


def test_shorten_at_a_word_drops_the_cut_word():
    assert shorten("Reverse Thinking Makes LLMs Stronger Reasoners", 40, at_word=True) == "Reverse Thinking Makes LLMs Stronger…"
    assert shorten("Puzzle: Distillation-Based NAS", 9, at_word=True) == "Puzzle…"
    assert shorten("short", 40, at_word=True) == "short"
