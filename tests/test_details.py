"""An entry's details read back from its bytes: the same as the whole file's parse gave, for
every seed entry, for generated and damaged digests, and on real files that change or go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest_tui.digest import details
from digest_tui.digest.cache import ParseCache
from digest_tui.digest.details import KEPT, details_of, read_details
from digest_tui.digest.library import load_library, parse_bytes, read_digest
from digest_tui.digest.loader import Loader
from digest_tui.digest.model import Entry
from digest_tui.digest.parse import line_starts, parse_entry, split_lines
from tests.test_parse import FAST, digest_text


def everything(entry: Entry) -> tuple:
    return (
        entry.id, entry.date, entry.title, entry.authors, entry.abstract, entry.commentary, entry.tags, entry.links,
        entry.arxiv_id,
    )


def assert_each_entry_reads_alone(data: bytes, name: str = "d.txt") -> int:
    """Each entry parse_bytes finds in `data` is what its own bytes parse into; returns how many."""
    result = parse_bytes(data, name)
    for entry in result.entries:
        assert entry.start < entry.end <= len(data)
        alone = parse_entry(data[entry.start : entry.end].decode("utf-8", errors="replace"), entry.date, name)
        assert alone is not None and everything(alone) == everything(entry)
    return len(result.entries)


def test_every_seed_entry_reads_alone_as_in_its_file(seed_files):
    count = 0
    for path in seed_files:
        data = path.read_bytes()
        for variant in (data, b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") + b"\r\n", data.replace(b"\n", b"\r"), data + b"\n\n"):
            assert assert_each_entry_reads_alone(variant) == len(read_digest(path).entries)
        count += len(read_digest(path).entries)
    assert count == 27


def test_line_starts_count_lines_as_split_lines_does():
    for data in (b"", b"a", b"a\n", b"a\nbb\r\nccc\rd", b"\r\r\n\n", "한글\n둘".encode()):
        starts = line_starts(data)
        lines = split_lines(data.decode("utf-8"))
        assert len(starts) == len(lines) + 1 and starts[0] == 0 and starts[-1] == len(data)
        for number, line in enumerate(lines):
            assert data[starts[number] : starts[number + 1]].decode("utf-8").rstrip("\r\n") == line


@FAST
@given(digest_text())
def test_property_generated_entries_read_alone(text):
    assert_each_entry_reads_alone(text.encode("utf-8", "surrogatepass"))


@FAST
@given(digest_text(), st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=1, max_size=3)), max_size=6))
def test_property_undecodable_bytes_anywhere_read_alone(text, damage):
    data = bytearray(text.encode("utf-8", "surrogatepass"))
    for at, junk in damage:
        data[at % (len(data) + 1) : at % (len(data) + 1)] = junk
    assert_each_entry_reads_alone(bytes(data))


def test_hostile_and_odd_entries_read_alone():
    cases = [
        "2024-08-01\nA Title\n(A)\n" + "x" * 70_000 + "\n#t\n",  # a line cut to 64 KiB
        "2024-08-01\nNo Tags\n(A)\nbody\n2024-08-02\nNext\n(B)\n#t",  # closed by a header
        "2024-08-01\nFirst\n(A)\nbody\nSecond\n(B)\n#t",  # closed by the next title
        "2024-08-01\nArxiv Above\narXiv:2401.00001\n(A)\n본문 https://x.org/a.\n#t",
        "2024-08-01\nArxiv Below\n(A)\nhttps://arxiv.org/abs/2401.00002\nabstract\n#t",
        "2024-08-01\nhttps://arxiv.org/abs/2401.00003\nbody after an arXiv line as title\n#t",
        "2024-08-01\nTitle \x1b]0;PWNED\x07 \u202e\n(A\x00B)\n\x85 body \u2028 more\n#t",
        "2024-08-01\n\n\n  Spaced  \t\n\n(A)\n\n\nbody\n\n#t\n\n\n",
        "2024-08-01\nNo Authors\nbody\n#t",
    ]
    found = sum(assert_each_entry_reads_alone(text.encode("utf-8")) for text in cases)
    assert found == 11


def test_an_empty_span_holds_no_entry():
    assert parse_entry("", parse_bytes(b"2024-08-01\nT\n(A)\n#t", "x").entries[0].date) is None
    assert parse_entry(" \n\t\n", parse_bytes(b"2024-08-01\nT\n(A)\n#t", "x").entries[0].date) is None


# --- on files, through the loader and the cache ------------------------------------------------




def warm_library(folder: Path, cache_dir: Path):
    cold = Loader([folder], ParseCache(cache_dir))
    cold.load()
    assert cold.save_cache()
    warm = Loader([folder], ParseCache(cache_dir))
    library = warm.load()
    assert warm.parsed == 0
    return library


def test_entries_from_the_cache_hold_no_details_and_read_them_from_their_files(digests, tmp_path):
    details.forget()
    library = warm_library(digests, tmp_path / "cache")
    assert all(entry.attached is None for entry in library.entries)
    fresh = load_library([digests])
    assert all(entry.attached is not None for entry in fresh.entries)
    assert [everything(e) for e in library.entries] == [everything(e) for e in fresh.entries]
    assert library.entries == fresh.entries


def test_details_read_once_are_kept(digests, tmp_path):
    details.forget()
    library = warm_library(digests, tmp_path / "cache")
    entry = library.entries[0]
    first = details_of(entry)
    assert details_of(entry) is first
    for other in library.entries[1:]:
        details_of(other)
    assert len(details._kept) == min(KEPT, len(library)) and details_of(entry) is first


def test_a_changed_file_says_so_instead_of_showing_another_entry(digests, tmp_path, seed_files):
    details.forget()
    library = warm_library(digests, tmp_path / "cache")
    path = digests / seed_files[0].name
    entry = next(e for e in library.entries if e.source == str(path) and e.line > 2)
    path.write_text("2024-08-14\n" + path.read_text(encoding="utf-8").split("\n", 1)[1][40:], encoding="utf-8")
    changed = details_of(entry)
    assert changed.problem == f"{path} changed since it was read; it is being read again."
    assert changed.abstract == changed.problem and changed.authors == () and changed.links == ()
    # The same size and time, but other bytes where the entry was: caught by its id.
    stamp = entry.stamp
    os.truncate(path, 0)
    path.write_bytes(b"\n" * stamp.size)
    os.utime(path, ns=(stamp.mtime_ns, stamp.mtime_ns))
    assert read_details(entry).problem == changed.problem
    path.unlink()
    gone = details_of(entry)
    assert gone.problem.startswith(f"{path} cannot be read: ") and gone.abstract == gone.problem


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_wide_files_are_read_whole_for_details(tmp_path, seed_files, codec):
    details.forget()
    folder = tmp_path / "digests"
    folder.mkdir()
    (folder / "wide.txt").write_bytes(seed_files[1].read_text(encoding="utf-8").encode(codec))
    library = warm_library(folder, tmp_path / "cache")
    assert len(library) == 7 and {(e.start, e.end) for e in library.entries} == {(0, 0)}
    expected = [everything(e) for e in read_digest(seed_files[1]).entries]
    assert [everything(e) for e in library.entries] == expected


def test_undecodable_bytes_read_back_as_in_the_file(tmp_path):
    details.forget()
    folder = tmp_path / "digests"
    folder.mkdir()
    data = "2024-08-01\nCafé Paper\n(Ann Author)\nText \xff here.\n#a\n".encode("latin-1") + "둘째\n(B)\n모델 코멘트.\n#b\n".encode()
    (folder / "latin.txt").write_bytes(data)
    library = warm_library(folder, tmp_path / "cache")
    assert [(e.title, e.abstract) for e in library.entries] == [("Caf\ufffd Paper", "Text \ufffd here."), ("둘째", "")]
    assert [everything(e) for e in library.entries] == [everything(e) for e in read_digest(folder / "latin.txt").entries]
