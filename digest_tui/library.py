"""Sources -> a library of unique entries, newest first, with its problems and notes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from digest_tui.model import Entry, Problem
from digest_tui.parse import ParseResult, parse, split_lines

MAX_FILE_BYTES = 50 * 1024 * 1024
DIGEST_SUFFIX = ".txt"


def bundled_seeds() -> Path:
    """The sample digests: package data when installed, ../seeds in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return here / "seeds"


def resolve_sources(paths: Iterable[str], configured: Iterable[str]) -> list[Path]:
    """Paths from the command line, else the config's `sources`, else the bundled seeds."""
    chosen = [p for p in paths] or [p for p in configured]
    if not chosen:
        return [bundled_seeds()]
    return [Path(p).expanduser() for p in chosen]


def discover(sources: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Every digest file under the sources (directories searched recursively for *.txt)."""
    files: list[Path] = []
    problems: list[Problem] = []
    for source in sources:
        if source.is_dir():
            try:
                found = sorted(p for p in source.rglob(f"*{DIGEST_SUFFIX}") if p.is_file())
            except OSError as error:
                problems.append(Problem(str(source), 0, f"cannot list directory: {error.strerror or error}"))
                continue
            if not found:
                problems.append(Problem(str(source), 0, f"no digests (*{DIGEST_SUFFIX}) in this directory"))
            files.extend(found)
        elif source.is_file():
            files.append(source)
        else:
            problems.append(Problem(str(source), 0, "no such file or directory"))
    unique = list(dict.fromkeys(files))
    return unique, problems


def read_digest(path: Path) -> ParseResult:
    """Read and parse one file; unreadable, binary, huge or mis-encoded files become problems."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(name, f"file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit; skipped")
        data = path.read_bytes()
    except OSError as error:
        return _failed(name, f"cannot read: {error.strerror or error}")
    return parse_bytes(data, name)


def parse_bytes(data: bytes, name: str) -> ParseResult:
    if _is_binary(data):
        return _failed(name, "binary file, not a text digest; skipped")
    try:
        text = data.decode("utf-8")
        encoding_problem = None
    except UnicodeDecodeError as error:
        text = data.decode("utf-8", errors="replace")
        # Count lines as the parser does (LF, CRLF or CR), so the number matches the editor's.
        line = len(split_lines(data[: error.start].decode("utf-8", errors="replace")))
        encoding_problem = Problem(name, line, "not valid UTF-8; undecodable bytes shown as \ufffd")
    result = parse(text, name)
    if not text.removeprefix("\ufeff").strip():
        result.problems.append(Problem(name, 0, "empty file, no entries"))
    if encoding_problem:
        result.problems.insert(0, encoding_problem)
    return result


# Every byte but the control bytes a binary file is dense with (tab, LF, FF, CR and ESC are text).
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 32 and b not in (9, 10, 12, 13, 27)))


def _is_binary(data: bytes) -> bool:
    # A stray NUL or escape in a text digest is shown as a placeholder; binary files are
    # dense with control bytes (and UTF-16 text with NULs).
    head = data[:8192]
    controls = len(head.translate(None, _NOT_CONTROL))
    return bool(head) and controls / len(head) > 0.05


def _failed(name: str, message: str) -> ParseResult:
    return ParseResult(problems=[Problem(name, 0, message)])


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (-e.date.toordinal(), e.source, e.line))


@dataclass
class Library:
    """All unique entries, newest first. An entry's position here is its index everywhere."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {entry.id: index for index, entry in enumerate(self.entries)}
        # Entries that name their own arXiv id, so a quoted arXiv link can lead to them.
        self.by_arxiv = {entry.arxiv_id: entry for entry in self.entries if entry.arxiv_id}

    @classmethod
    def build(cls, results: Iterable[ParseResult], sources: Iterable[Path] = (), problems: Iterable[Problem] = ()) -> Library:
        """Merge parsed files. A paper found twice is one entry: the earliest date's text is kept
        and each later appearance becomes a note."""
        all_problems = list(problems)
        candidates: list[Entry] = []
        for result in results:
            candidates.extend(result.entries)
            all_problems.extend(result.problems)
        kept: dict[str, Entry] = {}
        notes: list[Problem] = []
        for entry in sorted(candidates, key=lambda e: (e.date, e.source, e.line)):
            first = kept.get(entry.id)
            if first is None:
                kept[entry.id] = entry
            else:
                notes.append(
                    Problem(entry.source, entry.line, f"{entry.title!r} already appears at {first.source}:{first.line}")
                )
        return cls(newest_first(kept.values()), all_problems, notes, list(sources))

    @cached_property
    def by_tag(self) -> dict[str, list[int]]:
        """Indices of the entries carrying each tag, newest first."""
        index: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            for tag in entry.tags:
                index.setdefault(tag, []).append(position)
        return index

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        index = self.by_id.get(entry_id)
        return None if index is None else self.entries[index]

    def tag_counts(self) -> list[tuple[str, int]]:
        """Tags with their entry counts, most used first (ties by name)."""
        return sorted(((tag, len(ix)) for tag, ix in self.by_tag.items()), key=lambda item: (-item[1], item[0]))


def iter_digests(files: Iterable[Path]) -> Iterator[tuple[Path, ParseResult]]:
    for path in files:
        yield path, read_digest(path)


def load_library(sources: Iterable[Path]) -> Library:
    """Discover, read and merge every digest under `sources` (synchronously)."""
    sources = list(sources)
    files, problems = discover(sources)
    return Library.build((result for _, result in iter_digests(files)), sources, problems)

