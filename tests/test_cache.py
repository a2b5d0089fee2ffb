"""The parse cache and the newest-first load, on real files in tmp_path."""

from __future__ import annotations

import marshal
import os
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from digest_tui.digest import details
from digest_tui.digest.cache import CACHE_FILE, CHUNK_ENTRIES, MAGIC, Chunk, ParseCache, _checksum
from digest_tui.digest.library import load_library
from digest_tui.digest.loader import FIRST_ENTRIES, Loader
from digest_tui.digest.search import SearchIndex, search_bytes


def load(folder: Path, cache_dir: Path) -> Loader:
    loader = Loader([folder], ParseCache(cache_dir))
    loader.load()
    loader.save_cache()
    return loader


def every_field(library) -> list[tuple]:
    return [
        (e.id, e.date, e.title, e.authors, e.abstract, e.commentary, e.tags, e.links, e.source, e.line, e.end_line, e.arxiv_id)
        for e in library.entries
    ]


def test_a_warm_load_reads_no_digest_and_gives_the_same_library(digests, tmp_path):
    cache_dir = tmp_path / "cache"
    cold = load(digests, cache_dir)
    assert cold.parsed == 5 and (cache_dir / CACHE_FILE).is_file()
    warm = load(digests, cache_dir)
    assert warm.parsed == 0
    assert every_field(warm.library) == every_field(cold.library) == every_field(load_library([digests]))
    assert warm.library.problems == cold.library.problems and warm.library.notes == cold.library.notes
    details.forget()
    assert list(warm.library.search_texts) == [search_bytes(e) for e in warm.library.entries]
    assert warm.search_texts() == list(warm.library.search_texts)
    details.forget()
    assert warm.search_texts() == list(cold.library.search_texts)
    assert details._kept == {}  # read from the cache, not made from the files
    index = SearchIndex(warm.library.entries, warm.library.search_texts)
    assert index.search("추론") == SearchIndex(cold.library.entries).search("추론") != []


def test_problems_are_cached_too(tmp_path):
    folder = tmp_path / "digests"
    folder.mkdir()
    (folder / "bad.txt").write_text("stray line\n2024-13-40\nTitle\n(A)\nbody\n", encoding="utf-8")
    cold = load(folder, tmp_path / "cache")
    warm = load(folder, tmp_path / "cache")
    assert warm.parsed == 0 and warm.library.problems == cold.library.problems and len(cold.library.problems) >= 3


def test_a_changed_file_is_parsed_again(digests, tmp_path, seed_files):
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    changed = digests / seed_files[0].name
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("Mutual Reasoning Makes Smaller LLMs", "Mutual Reasoning Makes Tiny LLMs"), encoding="utf-8")
    os.utime(changed, ns=(1, 1))  # even an older time than the cached one is a change
    warm = load(digests, cache_dir)
    assert warm.parsed == 1
    titles = {e.title for e in warm.library.entries}
    assert "Mutual Reasoning Makes Tiny LLMs Stronger Problem-Solvers" in titles
    assert "Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers" not in titles
    assert load(digests, cache_dir).parsed == 0  # and the new version is cached


def test_same_size_and_time_but_another_path_is_not_a_hit(digests, tmp_path, seed_files):
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    moved = tmp_path / "moved"
    digests.rename(moved)
    loader = load(moved, cache_dir)
    assert loader.parsed == 5
    assert all(str(moved) in e.source for e in loader.library.entries)


def test_removed_files_leave_the_cache(digests, tmp_path, seed_files):
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    (digests / seed_files[1].name).unlink()
    loader = load(digests, cache_dir)
    assert loader.parsed == 0
    cache = ParseCache(cache_dir)
    cache.open()
    assert len(cache.index) == 4
    cache.close()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"\x00" * 100,
        lambda data: os.urandom(len(data)),
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1],
        lambda data: MAGIC + b"garbage" + data[len(MAGIC) + 7 :],
        lambda data: data[:100] + bytes(b ^ 0xFF for b in data[100:200]) + data[200:],
    ],
    ids=["empty", "zeros", "random", "half", "last-byte-gone", "garbage-after-magic", "flipped-record"],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(digests, tmp_path, damage):
    cache_dir = tmp_path / "cache"
    expected = every_field(load(digests, cache_dir).library)
    path = cache_dir / CACHE_FILE
    path.write_bytes(damage(path.read_bytes()))
    loader = load(digests, cache_dir)
    assert every_field(loader.library) == expected
    assert load(digests, cache_dir).parsed == 0  # rebuilt


def rewrite_records(path: Path, change) -> None:
    """Rewrite a cache file's rows through `change(columns) -> columns`, keeping it well formed."""
    cache = ParseCache(path.parent)
    cache.open()
    chunks = []
    for number in range(len(cache.chunks)):
        chunk = cache.chunk(number)
        rows = marshal.dumps(change(marshal.loads(chunk.rows)))
        chunks.append(Chunk(chunk.files, rows, _checksum(rows), chunk.texts, chunk.texts_checksum, chunk.entries))
    cache.close()
    assert chunks and cache.write(chunks)


@pytest.mark.parametrize(
    "change",
    [
        lambda columns: columns[:-1],
        lambda columns: (columns[0][:-1], *columns[1:]),
        lambda columns: (columns[0], [str(n) for n in columns[1]], *columns[2:]),
        lambda columns: (*columns[:2], [compile("import os", "x", "exec")] * len(columns[2]), *columns[3:]),
        lambda columns: (*columns[:3], [("A", 1)] * len(columns[3]), *columns[4:]),
        lambda columns: (*columns[:7], [-1] * len(columns[7]), *columns[8:]),
        lambda columns: (columns[0], [-5] * len(columns[1]), *columns[2:]),
        lambda columns: "not columns",
    ],
    ids=["a-column-short", "an-id-short", "dates-as-text", "code-for-titles", "a-number-for-a-tag", "a-place-before-the-file", "no-such-date", "a-string"],
)
def test_records_of_the_wrong_shape_are_parsed_again(digests, tmp_path, change):
    cache_dir = tmp_path / "cache"
    expected = every_field(load(digests, cache_dir).library)
    rewrite_records(cache_dir / CACHE_FILE, change)
    loader = load(digests, cache_dir)
    assert loader.parsed == 5
    assert every_field(loader.library) == expected
    assert all(type(e.title) is str and type(e.authors) is tuple for e in loader.library.entries)


def test_a_cache_of_another_version_is_ignored(digests, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    monkeypatch.setattr("digest_tui.digest.cache.VERSION", "some other version")
    assert load(digests, cache_dir).parsed == 5


def test_an_unwritable_cache_directory_is_harmless(digests, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    loader = Loader([digests], ParseCache(blocker / "cache"))
    library = loader.load()
    assert len(library) == 27
    assert loader.save_cache() is False
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_an_unreadable_cache_file_is_harmless(digests, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / CACHE_FILE).mkdir()  # a directory where the file should be: cannot be read or replaced
    loader = Loader([digests], ParseCache(cache_dir))
    assert len(loader.load()) == 27
    assert loader.save_cache() is False
    assert not [p for p in cache_dir.iterdir() if p.name != CACHE_FILE]  # no temporary file left behind


def test_no_cache_at_all(digests):
    loader = Loader([digests])
    assert len(loader.load()) == 27
    assert loader.save_cache() is False


def test_the_first_library_holds_the_newest_entries(tmp_path, seed_files):
    folder = tmp_path / "digests"
    folder.mkdir()
    # One file a day, named so that their names sort in no order of date.
    text = seed_files[0].read_text(encoding="utf-8")
    header, *lines = text.splitlines()
    titles = ("Mutual", "AquilaMoE", "Your Context", "CogVideoX", "Speculative")
    days = 80
    for n in range(days):
        day = date(2023, 1, 1) + timedelta(days=n)
        body = [day.isoformat()] + [line + f" {n}" if line.startswith(titles) else line for line in lines]
        (folder / f"digest-{(n * 37) % days:03d}.txt").write_text("\n".join(body), encoding="utf-8")
    firsts = []
    loader = Loader([folder], ParseCache(tmp_path / "cache"))
    library = loader.load(first=firsts.append)
    assert len(library) == days * 5 > FIRST_ENTRIES
    assert len(firsts) == 1
    first = firsts[0]
    assert FIRST_ENTRIES <= len(first) < len(library)
    assert first.entries == library.entries[: len(first)]
    assert library.entries[0].date == date(2023, 1, 1) + timedelta(days=days - 1)
    # The cache knows each file's newest date: a warm load goes newest first too.
    loader.save_cache()
    firsts.clear()
    warm = Loader([folder], ParseCache(tmp_path / "cache"))
    assert warm.load(first=firsts.append).entries == library.entries
    assert warm.parsed == 0 and firsts[0].entries == library.entries[: len(firsts[0])]


def test_few_entries_come_at_once(digests):
    firsts = []
    assert len(Loader([digests]).load(first=firsts.append)) == 27
    assert firsts == []


def test_a_temporary_file_left_by_a_killed_writer_goes(digests, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    old = cache_dir / f".{CACHE_FILE}.abc123.tmp"
    old.write_bytes(b"half a cache")
    os.utime(old, (1, 1))
    fresh = cache_dir / f".{CACHE_FILE}.def456.tmp"
    fresh.write_bytes(b"being written by another reader")
    load(digests, cache_dir)
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize(("chunk_entries", "parsed"), [(1, 1), (CHUNK_ENTRIES, 5)], ids=["a-file-a-chunk", "one-chunk"])
def test_a_byte_changed_in_a_title_is_caught_and_healed(digests, tmp_path, monkeypatch, chunk_entries, parsed):
    monkeypatch.setattr("digest_tui.digest.loader.CHUNK_ENTRIES", chunk_entries)
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    cache = ParseCache(cache_dir)
    cache.open()
    assert len(cache.chunks) == 5 // parsed
    cache.close()
    path = cache_dir / CACHE_FILE
    data = path.read_bytes()
    true_title = b"Reverse Thinking Makes LLMs Stronger Reasoners"
    assert data.count(true_title) == 1
    path.write_bytes(data.replace(true_title, b"Rxverse" + true_title[7:]))
    damaged = load(digests, cache_dir)  # loads, and saves the cache again
    assert damaged.parsed == parsed  # the files of the damaged chunk, and only they
    titles = {e.title for e in damaged.library.entries}
    assert true_title.decode() in titles and "Rxverse Thinking Makes LLMs Stronger Reasoners" not in titles
    assert every_field(damaged.library) == every_field(load_library([digests]))
    assert b"Rxverse" not in path.read_bytes()
    healed = load(digests, cache_dir)
    assert healed.parsed == 0 and every_field(healed.library) == every_field(damaged.library)


def test_random_overwrites_never_give_an_entry_a_fresh_parse_would_not(digests, tmp_path):
    fresh = load_library([digests])
    expected = (every_field(fresh), fresh.problems, fresh.notes, [search_bytes(e) for e in fresh.entries])
    cache_dir = tmp_path / "cache"
    load(digests, cache_dir)
    path = cache_dir / CACHE_FILE
    good = path.read_bytes()
    rng = random.Random(7)
    for _ in range(50):
        damaged = bytearray(good)
        start = rng.randrange(len(good) - 50)
        damaged[start : start + 50] = rng.randbytes(50)
        path.write_bytes(damaged)
        library = Loader([digests], ParseCache(cache_dir)).load()
        assert (every_field(library), library.problems, library.notes, list(library.search_texts)) == expected, start
