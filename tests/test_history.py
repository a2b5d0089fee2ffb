"""The search history file and the walk through it (digest_tui/disk/history.py)."""

from __future__ import annotations

import os
import threading

import pytest

from digest_tui.disk.history import HISTORY_FILE, KEPT, SearchHistory, read_history


def test_a_query_is_kept_newest_first_and_a_repeated_one_moves_to_the_front(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE)
    for query in ["momentum", "diffusion", "  momentum  ", "reasoning"]:
        history.add(query)
    assert history.queries == ["reasoning", "momentum", "diffusion"]
    history.save()
    assert SearchHistory.load(tmp_path / HISTORY_FILE).queries == ["reasoning", "momentum", "diffusion"]


def test_only_the_last_hundred_are_kept(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE)
    for number in range(KEPT + 20):
        history.add(f"query {number}")
    history.save()
    kept = read_history(tmp_path / HISTORY_FILE)
    assert len(kept) == KEPT and kept[0] == f"query {KEPT + 19}" and kept[-1] == "query 20"


def test_empty_queries_and_line_breaks_are_never_kept(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE)
    assert not history.add("   ")
    history.add("two\nlines")
    assert history.queries == ["two lines"]


def test_up_walks_back_and_down_returns_to_what_was_typed(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE, ["newest", "middle", "oldest"])
    assert history.newer() is None  # not walking yet
    assert history.older("half-typed") == "newest"
    assert history.older("newest") == "middle"
    assert history.older("middle") == "oldest"
    assert history.older("oldest") is None  # nothing older: the box keeps the oldest
    assert history.newer() == "middle"
    assert history.newer() == "newest"
    assert history.newer() == "half-typed"
    assert history.newer() is None


def test_adding_a_query_ends_the_walk(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE, ["b", "a"])
    history.older("")
    history.older("b")
    history.add("c")
    assert history.older("") == "c"


@pytest.mark.parametrize("kind", ["damaged", "fifo", "directory", "unreadable"])
def test_a_file_that_cannot_be_read_is_no_history(tmp_path, kind):
    path = tmp_path / HISTORY_FILE
    if kind == "damaged":
        path.write_bytes(b"\xff\xfe\x00garbage\x00\nmomentum\n\x80\x81")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.write_text("secret\n", encoding="utf-8")
        path.chmod(0)
    queries = read_history(path)  # a FIFO must not block: no writer ever comes
    if kind == "damaged":
        assert "momentum" in queries and all("\n" not in q for q in queries)
    elif kind == "unreadable" and os.geteuid() == 0:
        pytest.skip("root reads a file without read permission")
    else:
        assert queries == []


def test_saves_merge_with_what_another_reader_wrote(tmp_path):
    path = tmp_path / HISTORY_FILE
    mine, theirs = SearchHistory.load(path), SearchHistory.load(path)
    mine.add("mine")
    mine.save()
    theirs.add("theirs")
    theirs.save()
    assert read_history(path) == ["theirs", "mine"]


def test_saves_from_many_threads_leave_the_latest_queries(tmp_path):
    history = SearchHistory(tmp_path / HISTORY_FILE)
    threads = []
    for number in range(20):
        history.add(f"q{number}")
        thread = threading.Thread(target=history.save)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    assert read_history(tmp_path / HISTORY_FILE)[0] == "q19"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
