"""Sources -> a library of unique entries, newest first, with its problems and notes."""

from __future__ import annotations

import codecs
import os
import stat
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import compress
from operator import attrgetter
from pathlib import Path

from digest_tui.digest.model import Entry, Problem, Stamp
from digest_tui.digest.parse import ParseResult, line_starts, parse, split_lines
from digest_tui.disk.files import NOT_REGULAR, NotRegularFile, open_regular_file

MAX_FILE_BYTES = 50 * 1024 * 1024
DIGEST_SUFFIX = ".txt"


def bundled_seeds() -> Path:
    """The sample digests: package data when installed (digest_tui/seeds), seeds/ beside the
    package in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "seeds", package.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return package / "seeds"


def resolve_sources(paths: Iterable[str], configured: Iterable[str]) -> list[Path]:
    """Paths from the command line, else the config's `sources`, else the bundled seeds."""
    chosen = [p for p in paths] or [p for p in configured]
    if not chosen:
        return [bundled_seeds()]
    return [Path(p).expanduser() for p in chosen]


def discover(sources: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Every digest file under the sources (directories searched recursively for *.txt).

    Only regular files are read: a FIFO or a device, named as a source or found in a
    directory, is a problem (reading one could wait forever or never end)."""
    files, problems = scan(sources)
    return [Path(name) for name in files], problems


def scan(sources: Iterable[Path]) -> tuple[dict[str, Stamp], list[Problem]]:
    """What discover() finds, as path names in its order, each with the stamp it had when
    found, so that nothing needs to look at the files again to know whether they changed."""
    files: dict[str, Stamp] = {}
    problems: list[Problem] = []
    for source in sources:
        try:
            info = source.stat()
        except (OSError, ValueError) as error:  # ValueError: a NUL in a path from config.toml
            problems.append(Problem(str(source), 0, _missing(error)))
            continue
        if stat.S_ISDIR(info.st_mode):
            found, found_problems = _scan(source)
            for name, stamp in found:
                files.setdefault(name, stamp)
            problems.extend(found_problems)
        elif stat.S_ISREG(info.st_mode):
            files.setdefault(str(source), Stamp(info.st_size, info.st_mtime_ns))
        else:
            problems.append(Problem(str(source), 0, NOT_REGULAR))
    return files, problems


_NAME = attrgetter("name")


def _scan(directory: Path) -> tuple[list[tuple[str, Stamp]], list[Problem]]:
    """The digest files in `directory` and its subdirectories, in the order of sorted paths,
    and the problems found there.

    As a recursive glob does: symbolic links to files are followed, those to directories are
    not searched, and a directory that may not be read is passed over."""
    files: list[tuple[str, Stamp]] = []
    problems: list[Problem] = []
    # A stack of directory listings, each sorted by name: a directory's files then come where
    # its name sorts, which is the order of sorted paths.
    pending: list[Iterator[os.DirEntry[str]]] = []
    # Paths name the files as Path(directory) / ... does: "." adds no "./" before them.
    cut = len("./") if str(directory) == "." else 0
    try:
        pending.append(_listing(str(directory)))
    except PermissionError:
        pass
    except OSError as error:
        return [], [Problem(str(directory), 0, f"cannot list directory: {error.strerror or error}")]
    while pending:
        entry = next(pending[-1], None)
        if entry is None:
            pending.pop()
            continue
        if entry.name.endswith(DIGEST_SUFFIX):
            _found(entry, entry.path[cut:], files, problems)
        if _is_directory(entry):
            try:
                pending.append(_listing(entry.path))
            except (PermissionError, FileNotFoundError, NotADirectoryError):
                pass  # not ours to read, or gone since it was listed
            except OSError as error:
                return [], [Problem(str(directory), 0, f"cannot list directory: {error.strerror or error}")]
    if not files:
        problems.append(Problem(str(directory), 0, f"no digests (*{DIGEST_SUFFIX}) in this directory"))
    return files, problems


def _listing(path: str) -> Iterator[os.DirEntry[str]]:
    with os.scandir(path) as listing:
        return iter(sorted(listing, key=_NAME))


def _is_directory(entry: os.DirEntry[str]) -> bool:
    """A directory to search: not a symbolic link to one."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _found(entry: os.DirEntry[str], path: str, files: list[tuple[str, Stamp]], problems: list[Problem]) -> None:
    """Add a *.txt entry of a directory: a file (or a link to one) to read, or a problem."""
    try:
        info = entry.stat()
    except OSError:
        return  # gone since it was listed, or a symbolic link to nothing
    if stat.S_ISREG(info.st_mode):
        files.append((path, Stamp(info.st_size, info.st_mtime_ns)))
    elif not stat.S_ISDIR(info.st_mode):  # a directory named *.txt is searched, not read
        problems.append(Problem(path, 0, f"{NOT_REGULAR}; skipped"))


def _missing(error: Exception) -> str:
    if isinstance(error, OSError) and not isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return f"cannot read: {error.strerror or error}"
    return "no such file or directory"


def read_digest(path: Path) -> ParseResult:
    """Read and parse one file; unreadable, binary, huge or mis-encoded files become problems."""
    name = str(path)
    try:
        with open_regular_file(path) as handle:
            info = os.fstat(handle.fileno())
            size = info.st_size
            if size > MAX_FILE_BYTES:
                return _failed(name, f"file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB limit; skipped")
            data = handle.read()
    except NotRegularFile:  # a FIFO or a device put where discover() saw a file
        return _failed(name, f"{NOT_REGULAR}; skipped")
    except OSError as error:
        return _failed(name, f"cannot read: {error.strerror or error}")
    return parse_bytes(data, name, Stamp(size, info.st_mtime_ns))


# UTF-32's marks come first: UTF-32 LE's begins with UTF-16 LE's.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def parse_bytes(data: bytes, name: str, stamp: Stamp | None = None) -> ParseResult:
    """Parse a file's bytes; `stamp`, the file's when it was read, goes with each entry, and
    each knows where its lines are in `data` (but in UTF-16 or UTF-32)."""
    encoding = next((encoding for bom, encoding in _WIDE_BOMS if data.startswith(bom)), None)
    if encoding is not None:
        # Editors on Windows save "Unicode" as UTF-16 (some tools as UTF-32), with a byte
        # order mark: readable, but worth telling.
        result = parse(data.decode(encoding, errors="replace"), name, stamp=stamp)
        result.problems.insert(0, Problem(name, 1, f"encoded as {encoding}, not UTF-8; read anyway (save it as UTF-8)"))
        return result
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
    result = parse(text, name, line_starts(data), stamp)
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


_ID = attrgetter("id")
_ARXIV_ID = attrgetter("arxiv_id")
_BY_DATE = attrgetter("date")
_BY_DATE_AND_PLACE = attrgetter("date", "source", "line")


@dataclass
class Library:
    """All unique entries, newest first. An entry's position here is its index everywhere."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    search_texts: Sequence[bytes] | None = field(default=None, repr=False, compare=False)
    """What search looks in for each entry, in the order of `entries`, when the parsed files
    came with it (search.SearchIndex computes it otherwise)."""

    def __post_init__(self) -> None:
        entries = self.entries
        # Built in C (zip, compress): 100,000 entries take milliseconds, not tens of them.
        self.by_id = dict(zip(map(_ID, entries), range(len(entries))))
        # Entries that name their own arXiv id, so a quoted arXiv link can lead to them.
        arxiv_ids = list(map(_ARXIV_ID, entries))
        self.by_arxiv = dict(compress(zip(arxiv_ids, entries), arxiv_ids))

    @classmethod
    def build(cls, results: Iterable[ParseResult], problems: Iterable[Problem] = ()) -> Library:
        """Merge parsed files. A paper found twice is one entry: the earliest date's text is kept
        and each later appearance becomes a note."""
        all_problems = list(problems)
        candidates: list[Entry] = []
        results = list(results)
        # File by file in the order of their names, each file's entries in its order: the
        # entries in (source, line) order, without a sort of them all by two keys.
        for result in sorted(results, key=_first_source):
            candidates.extend(result.entries)
        for result in results:
            all_problems.extend(result.problems)
        if len(set(map(_ID, candidates))) == len(candidates):
            # No paper twice (the common case): a stable sort by date alone puts them newest
            # first, each day's in file order.
            candidates.sort(key=_BY_DATE, reverse=True)
            return cls(candidates, all_problems, [], _texts_for(candidates, results))
        candidates.sort(key=_BY_DATE_AND_PLACE)
        entries, notes = _first_appearances(candidates)
        entries.sort(key=_BY_DATE, reverse=True)
        return cls(entries, all_problems, notes, _texts_for(entries, results))

    @cached_property
    def by_tag(self) -> dict[str, list[int]]:
        """Indices of the entries carrying each tag, newest first."""
        index: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            for tag in entry.tags:
                index.setdefault(tag, []).append(position)
        return index

    @cached_property
    def _days(self) -> list[int]:
        """Minus each entry's date ordinal: ascending, since entries are newest first."""
        return [-entry.date.toordinal() for entry in self.entries]

    def date_range(self, first: date, last: date) -> range:
        """Positions of the entries dated from `first` to `last` (inclusive): the entries are
        newest first, so they are one run."""
        days = self._days
        return range(bisect_left(days, -last.toordinal()), bisect_right(days, -first.toordinal()))

    @cached_property
    def title_rank(self) -> list[int]:
        """Each entry's place in the order of case-folded titles (ties by position)."""
        order = sorted(range(len(self.entries)), key=[entry.title.casefold() for entry in self.entries].__getitem__)
        rank = [0] * len(order)
        for place, position in enumerate(order):
            rank[position] = place
        return rank

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> Entry | None:
        index = self.by_id.get(entry_id)
        return None if index is None else self.entries[index]

    def tag_counts(self) -> list[tuple[str, int]]:
        """Tags with their entry counts, most used first (ties by name)."""
        return sorted(((tag, len(ix)) for tag, ix in self.by_tag.items()), key=lambda item: (-item[1], item[0]))


def _first_source(result: ParseResult) -> str:
    return result.entries[0].source if result.entries else ""


def _first_appearances(candidates: list[Entry]) -> tuple[list[Entry], list[Problem]]:
    """The first entry of each id among `candidates`, in their order, and a note for each other."""
    kept: dict[str, Entry] = {}
    notes: list[Problem] = []
    for entry in candidates:
        first = kept.get(entry.id)
        if first is None:
            kept[entry.id] = entry
        else:
            notes.append(Problem(entry.source, entry.line, f"{entry.title!r} already appears at {first.source}:{first.line}"))
    return list(kept.values()), notes


def _texts_for(entries: list[Entry], results: list[ParseResult]) -> list[bytes] | None:
    """The search texts of `entries`, when every result that gave an entry came with them."""
    texts: dict[int, bytes] = {}
    for result in results:
        if len(result.search_texts) != len(result.entries):
            if result.entries:
                return None
            continue
        texts.update(zip(map(id, result.entries), result.search_texts))
    try:
        return [texts[id(entry)] for entry in entries]
    except KeyError:
        return None


def load_library(sources: Iterable[Path]) -> Library:
    """Discover, read and merge every digest under `sources` (synchronously)."""
    files, problems = discover(sources)
    return Library.build(map(read_digest, files), problems)

