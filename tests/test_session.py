"""The reading session without a screen: counts, marks, the read rule, moving and history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest_tui.config import Settings
from digest_tui.digest.filters import Filter
from digest_tui.disk.store import StateStore
from digest_tui.session import ReadingSession, cycle, date_keys


@pytest.fixture
def session(tmp_path: Path, library) -> ReadingSession:
    reading = ReadingSession(Settings(watch_authors=["Kingma"]), StateStore(tmp_path))
    reading.install(*reading.indexed(library))
    return reading


def test_a_new_session_counts_every_entry_unread_by_date(session):
    assert session.unread_count == 27 and session.bookmarked_count == 0 and not session.loading
    newest = session.library.entries[0]
    assert session.unread_by_date[(newest.date.year,)] == 27
    assert session.watched_unread_count == 1


def test_marking_read_changes_the_counts_of_its_dates_once(session):
    entry = session.library.entries[0]
    assert session.set_read(entry, True) == date_keys(entry.date)
    assert session.set_read(entry, True) == ()  # already read: nothing changes
    assert session.unread_count == 26
    session.set_read(entry, False)
    assert session.unread_count == 27


def test_the_read_rule(tmp_path, library):
    entry = library.entries[0]
    for rule, moved_while_reading, moved_in_list, opens in [
        ("open", "read", "none", True),
        ("dwell", "dwell", "dwell", True),
        ("never", "none", "none", False),
    ]:
        reading = ReadingSession(Settings(mark_read=rule), StateStore(tmp_path / rule))
        reading.install(*reading.indexed(library))
        assert reading.on_highlight(entry, by_user=False, reading=True) == "none", rule
        assert reading.on_highlight(entry, by_user=True, reading=True) == moved_while_reading, rule
        assert reading.on_highlight(entry, by_user=True, reading=False) == moved_in_list, rule
        assert reading.reads_on_open() is opens


def test_next_unread_skips_read_entries_both_ways(session):
    rows = list(range(len(session.library.entries)))
    session.set_read(session.library.entries[1], True)
    assert session.next_unread(rows, 0, 1) == 2
    assert session.next_unread(rows, 2, -1) == 0
    assert session.next_unread(rows, len(rows) - 1, 1) is None


def test_related_entries_are_walked_and_history_leads_back(session):
    entry = next(e for e in session.library.entries if e.title.startswith("Qwen2-VL"))
    session.show(entry, None)
    assert session.related and session.related_cursor == -1
    assert session.step_related(-1) and session.related_cursor == len(session.related) - 1
    assert session.step_related(1) and session.related_cursor == 0
    target = session.leave_for_related(entry, 0)
    assert target is session.related[0] and session.history == [entry.id]
    assert session.back() is entry and session.back() is None


def test_choices_toggle_and_cycle(session):
    session.filter = session.toggle_tag("search")
    assert session.filter.tag == "search"
    session.filter = session.toggle_tag("search")
    assert session.filter.tag is None
    session.filter = session.toggle_date((2024, 8))
    assert session.filter.date_key == (2024, 8) and session.toggle_date((2024, 8)).date_key is None
    assert session.cleared() == Filter(sort=session.filter.sort)
    assert session.next_sort() == "title"
    assert [session.cycle_language() for _ in range(3)] == ["korean", "english", "both"]
    assert cycle(("a", "b"), "zzz") == "a"


def test_a_note_bookmarks_and_a_bookmark_toggles(session):
    entry = session.library.entries[3]
    session.set_note(entry, "later")
    assert session.store.is_bookmarked(entry.id) and session.store.note(entry.id) == "later"
    assert session.toggle_bookmark(entry) is False
    assert session.bookmarked_count == 0


def test_a_reloaded_library_says_how_many_entries_are_new(session, library):
    assert session.install(*session.indexed(library)) == 0
    assert date_keys(date(2024, 8, 14)) == ((2024,), (2024, 8), (2024, 8, 14))


def test_the_read_rule_is_said_in_words(tmp_path):
    for rule, words in [("open", "when you open it"), ("dwell", "0.5 s after"), ("never", "only r and R")]:
        reading = ReadingSession(Settings(mark_read=rule, dwell_seconds=0.5), StateStore(tmp_path))
        assert words in reading.read_rule() and f'mark_read = "{rule}"' in reading.read_rule()
