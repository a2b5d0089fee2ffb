"""The library on real files: the seeds, copies of them in tmp_path, and broken files beside them."""

from __future__ import annotations

import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.digest.library import (
    MAX_FILE_BYTES,
    Library,
    Stamp,
    bundled_seeds,
    discover,
    load_library,
    parse_bytes,
    read_digest,
    resolve_sources,
    scan,
)

QWEN = "Qwen2-VL: To See the World More Clearly"


def content(entry) -> tuple:
    return (entry.id, entry.date, entry.title, entry.authors, entry.abstract, entry.commentary, entry.tags, entry.links,
            entry.line, entry.end_line)


def digest(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_seeds_load_as_27_entries_newest_first(seeds_dir, seed_files):
    library = load_library([seeds_dir])
    assert len(library) == 27
    assert library.problems == [] and library.notes == []
    dates = [e.date for e in library.entries]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == date(2024, 12, 2) and dates[-1] == date(2024, 7, 4)
    per_file = {path.name: sum(1 for e in library.entries if Path(e.source).name == path.name) for path in seed_files}
    assert list(per_file.values()) == [5, 7, 6, 6, 3]
    assert all(Path(e.source).parent == seeds_dir for e in library.entries)
    # Within a day the file's order is kept.
    assert [e.line for e in library.entries if e.date == date(2024, 9, 18)] == [2, 7, 12, 18, 23, 29, 34]
    for index, entry in enumerate(library.entries):
        assert library.by_id[entry.id] == index
        assert library.get(entry.id) is entry
    assert library.get("no-such-id") is None


def test_files_one_by_one_equal_the_directory(seeds_dir, seed_files):
    assert [content(e) for e in load_library(list(reversed(seed_files))).entries] == [
        content(e) for e in load_library([seeds_dir]).entries
    ]


def test_tag_counts(seeds_dir):
    counts = load_library([seeds_dir]).tag_counts()
    assert counts[:6] == [
        ("search", 4), ("vision-language", 4),
        ("autoregressive-model", 3), ("efficient-training", 3), ("reasoning", 3), ("synthetic-data", 3),
    ]
    assert dict(counts)["nas"] == 1
    assert sum(n for _, n in counts) == 50


def test_bundled_seeds_and_default_sources(seeds_dir):
    assert bundled_seeds() == seeds_dir
    assert resolve_sources([], []) == [seeds_dir]
    assert resolve_sources([], ["~/digests"]) == [Path.home() / "digests"]
    assert resolve_sources(["a.txt"], ["~/digests"]) == [Path("a.txt")]


def test_discover_is_recursive_sorted_and_unique(tmp_path, seed_files):
    (tmp_path / "b" / "deeper").mkdir(parents=True)
    shutil.copy(seed_files[0], tmp_path / "b" / "deeper" / "z.txt")
    shutil.copy(seed_files[1], tmp_path / "a.txt")
    (tmp_path / "notes.md").write_text("not a digest")
    files, problems = discover([tmp_path, tmp_path / "a.txt"])
    assert problems == []
    assert files == [tmp_path / "a.txt", tmp_path / "b" / "deeper" / "z.txt"]
    library = load_library([tmp_path, tmp_path / "a.txt"])
    assert len(library) == 12 and library.notes == []


@pytest.mark.parametrize("index", range(5))
def test_crlf_bom_and_cr_copies_on_disk(tmp_path, seed_files, index):
    original = seed_files[index]
    data = original.read_bytes()
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") + b"\r\n")
    cr = tmp_path / "cr.txt"
    cr.write_bytes(data.replace(b"\n", b"\r"))
    expected = [content(e) for e in read_digest(original).entries]
    for path in (crlf, cr):
        result = read_digest(path)
        assert result.problems == []
        assert [content(e) for e in result.entries] == expected
        assert {e.source for e in result.entries} == {str(path)}


def test_ids_survive_moving_and_renaming(tmp_path, seeds_dir, seed_files):
    for i, path in enumerate(seed_files):
        target = tmp_path / f"dir{i}" / "nested" / f"renamed-{i}.txt"
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    moved = load_library([tmp_path])
    original = load_library([seeds_dir])
    assert [e.id for e in moved.entries] == [e.id for e in original.entries]
    assert {e.source for e in moved.entries}.isdisjoint({e.source for e in original.entries})


def test_same_paper_twice_is_one_entry_and_a_note(tmp_path, seeds_dir):
    later = tmp_path / "later.txt"
    later.write_text(digest("2024-10-01", "QWEN2-VL — to see the world more clearly", "(Qwen Team)", "다시 봐도 좋네요.", "#vision-language"))
    expected_note = f"{later}:2: note: 'QWEN2-VL — to see the world more clearly' already appears at {seeds_dir / '003_e2bda78a80f95074.txt'}:9"
    for sources in ([seeds_dir, later], [later, seeds_dir]):
        library = load_library(sources)
        assert len(library) == 27
        assert library.problems == []
        qwen = library.get(library.entries[[e.title for e in library.entries].index(QWEN)].id)
        assert qwen.date == date(2024, 8, 30)
        assert qwen.source == str(seeds_dir / "003_e2bda78a80f95074.txt")
        assert qwen.commentary.startswith("Qwen2-VL이 나왔군요.")
        assert [f"{n.source}:{n.line}: note: {n.message}" for n in library.notes] == [expected_note]


def test_the_earliest_appearance_wins_whatever_the_file_name(tmp_path, seeds_dir):
    earlier = tmp_path / "zzz-earlier.txt"
    earlier.write_text(digest("2024년 1월 2일", QWEN, "(Qwen Team)", "An earlier abstract.", "먼저 나온 설명.", "#early"))
    library = load_library([seeds_dir, earlier])
    assert len(library) == 27
    qwen = next(e for e in library.entries if e.title == QWEN)
    assert (qwen.date, qwen.source, qwen.abstract, qwen.commentary, qwen.tags) == (
        date(2024, 1, 2), str(earlier), "An earlier abstract.", "먼저 나온 설명.", ("early",)
    )
    assert library.entries[-1] is qwen
    (note,) = library.notes
    assert (note.source, note.line) == (str(seeds_dir / "003_e2bda78a80f95074.txt"), 9)
    assert note.message.endswith(f"already appears at {earlier}:2")


# --- broken sources: each is one problem naming its path, and the seeds still load ----------

def make_bad_sources(tmp_path: Path, seed_files: list[Path]) -> dict[str, Path]:
    bad: dict[str, Path] = {}
    bad["empty"] = tmp_path / "empty.txt"
    bad["empty"].write_bytes(b"")
    bad["blank"] = tmp_path / "blank.txt"
    bad["blank"].write_bytes(b"\xef\xbb\xbf \r\n\t\n")
    bad["binary"] = tmp_path / "binary.txt"
    bad["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    bad["garbage"] = tmp_path / "garbage.txt"
    bad["garbage"].write_text("lorem ipsum dolor sit amet\nconsectetur adipiscing elit, sed do\n\neiusmod tempor\n")
    bad["missing"] = tmp_path / "no-such-file.txt"
    bad["no-digests"] = tmp_path / "empty-dir"
    bad["no-digests"].mkdir()
    (bad["no-digests"] / "readme.md").write_text("nothing here")
    bad["big"] = tmp_path / "big.txt"
    chunk = seed_files[0].read_bytes() + b"\n"
    with bad["big"].open("wb") as out:
        while out.tell() <= MAX_FILE_BYTES:
            out.write(chunk * 64)
    return bad


def test_each_broken_source_is_one_clear_problem(tmp_path, seed_files):
    bad = make_bad_sources(tmp_path, seed_files)
    assert bad["big"].stat().st_size > MAX_FILE_BYTES >= 50 * 1024 * 1024
    messages = {
        "empty": "empty file, no entries",
        "blank": "empty file, no entries",
        "binary": "binary file, not a text digest; skipped",
        "missing": "no such file or directory",
        "no-digests": "no digests (*.txt) in this directory",
    }
    for kind, path in bad.items():
        library = load_library([path])
        assert library.entries == [], kind
        assert len(library.problems) == 1, (kind, library.problems)
        (problem,) = library.problems
        assert problem.source == str(path)
        assert str(problem).startswith(str(path))
        if kind in messages:
            assert (problem.line, problem.message) == (0, messages[kind])
            assert str(problem) == f"{path}: {messages[kind]}"
    garbage = load_library([bad["garbage"]]).problems[0]
    assert (garbage.line, garbage.end_line) == (1, 4)
    big = load_library([bad["big"]]).problems[0]
    assert big.line == 0 and "over the 50 MB limit; skipped" in big.message


def test_broken_sources_do_not_stop_the_rest(tmp_path, seeds_dir, seed_files):
    bad = make_bad_sources(tmp_path, seed_files)
    library = load_library([seeds_dir, *bad.values()])
    assert len(library) == 27
    assert sorted(p.source for p in library.problems) == sorted(str(p) for p in bad.values())


def test_not_utf8_is_decoded_with_replacement_and_names_the_line(tmp_path):
    latin = tmp_path / "latin1.txt"
    latin.write_bytes(digest("2024-08-01", "Café Paper", "(Ann Author)", "Text.", "#a").encode("latin-1"))
    result = read_digest(latin)
    assert [str(p) for p in result.problems] == [f"{latin}:2: not valid UTF-8; undecodable bytes shown as \ufffd"]
    assert [e.title for e in result.entries] == ["Caf\ufffd Paper"]
    # Line numbers count CR-only and CRLF line ends too.
    for sep in (b"\r", b"\r\n"):
        data = sep.join([b"2024-08-01", b"A Paper", b"(Ann Author)", b"Text \xff here.", b"#a"])
        result = parse_bytes(data, "x.txt")
        assert [(p.line, p.source) for p in result.problems] == [(4, "x.txt")]
        assert result.entries[0].abstract == "Text \ufffd here."


def test_files_dense_with_nul_bytes_are_binary():
    for data in (b"\x00" * 5000, "2024-08-01\nA Paper\n(Ann Author)\n#a\n".encode("utf-16-le"), bytes(range(256)) * 8):
        result = parse_bytes(data, "bin.txt")
        assert result.entries == []
        assert [str(p) for p in result.problems] == ["bin.txt: binary file, not a text digest; skipped"]


def test_problems_keep_file_and_line(tmp_path, seeds_dir):
    broken = tmp_path / "broken.txt"
    broken.write_text(digest("2024년 13월 40일", "Lost Paper", "(Ann Author)", "Text.", "#a"))
    library = load_library([seeds_dir, broken])
    assert len(library) == 27
    assert [str(p) for p in library.problems] == [
        f"{broken}:1: not a valid date: '2024년 13월 40일'",
        f"{broken}:2: entry 'Lost Paper' is under an invalid date header (line 1); skipped",
    ]


def test_library_build_merges_results():
    empty = Library.build([])
    assert len(empty) == 0 and empty.tag_counts() == [] and empty.by_id == {}


@settings(max_examples=200, deadline=None, database=None)
@given(st.binary(max_size=600))
def test_property_any_bytes_parse(data):
    result = parse_bytes(data, "bytes.txt")
    for problem in result.problems:
        assert problem.source == "bytes.txt"
    for entry in result.entries:
        assert entry.source == "bytes.txt"


def test_a_utf16_digest_is_read_and_its_encoding_reported(tmp_path, seed_files):
    text = seed_files[0].read_text(encoding="utf-8")
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))  # with its byte order mark, as Windows editors save it
    library = load_library([path])
    assert len(library.entries) == 5
    assert [str(p) for p in library.problems] == [f"{path}:1: encoded as UTF-16, not UTF-8; read anyway (save it as UTF-8)"]


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_a_utf32_digest_is_read_and_its_encoding_reported(tmp_path, seed_files, codec):
    text = seed_files[0].read_text(encoding="utf-8")
    path = tmp_path / "utf32.txt"
    # A byte order mark in either order; UTF-32 LE's begins with UTF-16 LE's.
    path.write_bytes(("\ufeff" + text).encode(codec))
    library = load_library([path])
    assert [e.title for e in library.entries] == [e.title for e in load_library([seed_files[0]]).entries]
    assert [str(p) for p in library.problems] == [f"{path}:1: encoded as UTF-32, not UTF-8; read anyway (save it as UTF-8)"]


def globbed(directory: Path) -> tuple[list[Path], list[str]]:
    """What a recursive glob finds in `directory`: the files discover() must find, in its
    order, and the paths it must report."""
    files, problems = [], []
    for path in sorted(directory.rglob("*.txt")):
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode):
            files.append(path)
        elif not stat.S_ISDIR(mode):
            problems.append(str(path))
    return files, problems


def test_discovery_finds_what_a_recursive_glob_finds(tmp_path, seed_files, monkeypatch):
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "far.txt").write_text("x")
    for name in ("a.txt", "a-b.txt", ".hidden.txt", ".txt", "b/x.txt", "a/y.txt", "a/deep/er/z.txt", "d.txt/inner.txt", "UP.TXT", "c/readme.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    (root / "link-to-file.txt").symlink_to(outside / "far.txt")
    (root / "link-to-dir").symlink_to(outside)  # not searched, as rglob does not
    (root / "link-to-dir.txt").symlink_to(outside)
    (root / "broken.txt").symlink_to(tmp_path / "nothing")
    (root / "loop.txt").symlink_to(root / "loop.txt")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "b" / "pipe.txt")
    files, problems = discover([root])
    expected_files, expected_problems = globbed(root)
    assert files == expected_files and len(files) == 9
    assert [p.source for p in problems] == expected_problems
    monkeypatch.chdir(root)  # names relative to the working directory, as Path(".") / name gives them
    assert discover([Path(".")])[0] == globbed(Path("."))[0] == [Path(p.relative_to(root)) for p in expected_files]


def test_scan_gives_each_file_its_size_and_time(tmp_path, seed_files):
    shutil.copy(seed_files[0], tmp_path / "a.txt")
    os.utime(tmp_path / "a.txt", ns=(5, 1_700_000_000_123_456_789))
    files, problems = scan([tmp_path, seed_files[1]])
    assert problems == []
    assert files == {
        str(tmp_path / "a.txt"): Stamp(seed_files[0].stat().st_size, 1_700_000_000_123_456_789),
        str(seed_files[1]): Stamp(seed_files[1].stat().st_size, seed_files[1].stat().st_mtime_ns),
    }


def test_entries_are_newest_first_then_in_file_and_line_order(tmp_path, seed_files):
    """Several days a file, the same days in several files, files given in any order."""
    for index, path in enumerate(seed_files):
        lines = path.read_text(encoding="utf-8").split("\n")
        half = len(lines) // 2
        while not lines[half].startswith("#"):
            half += 1
        numbered = [line + f" {index}" if n + 1 < len(lines) and lines[n + 1].startswith("(") else line for n, line in enumerate(lines)]
        body = ["2024-01-02", *numbered[1 : half + 1], "2024-01-01", *numbered[half + 1 :]]
        (tmp_path / f"{'zyxwv'[index]}.txt").write_text("\n".join(body), encoding="utf-8")
    files = sorted(tmp_path.glob("*.txt"))
    for sources in (files, list(reversed(files))):
        library = load_library(sources)
        assert library.notes == [] and len(library) == 27
        places = [(e.date, e.source, e.line) for e in library.entries]
        assert places == sorted(places, key=lambda place: (-place[0].toordinal(), place[1], place[2]))
