"""A reading session without Textual: what the reader holds while you read, and its rules.

The library and its search index, the marks (through the store), the filter, the watch list,
unread counts by date, the related entries of the entry in view, the history of jumps and the
rule for when an entry becomes read. The app feeds it events (a library arrived, a move, a
key) and draws what it answers; everything here can be tested without a screen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Literal, get_args

from digest_tui.config import CommentaryLanguage, Settings
from digest_tui.digest.filters import SORTS, Filter, select
from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.digest.query import HighlightField, QueryError, cached_query
from digest_tui.digest.related import related_entries
from digest_tui.digest.search import SearchIndex
from digest_tui.digest.watch import WatchList
from digest_tui.disk.store import StateStore

if TYPE_CHECKING:  # numpy is imported with the index, never for the first paint
    from digest_tui.digest.tokens import TokenIndex

DateKey = tuple[int, ...]
"""(year,), (year, month) or (year, month, day): a node of the date tree."""

LANGUAGE_NAMES: dict[str, str] = {"both": "Korean and English", "korean": "Korean only", "english": "English only"}

ReadAction = Literal["read", "dwell", "none"]
"""What a highlight asks for: mark the entry read now, start the dwell timer, or nothing."""


def date_keys(d: date) -> tuple[DateKey, DateKey, DateKey]:
    """The year, month and day nodes a date is counted under."""
    return (d.year,), (d.year, d.month), (d.year, d.month, d.day)


@dataclass(frozen=True)
class _StoreMarks:
    """The store's marks and the session's watched entries, as a query asks for them."""

    store: StateStore
    watched: frozenset[int]

    def is_read(self, entry_id: str) -> bool:
        return self.store.is_read(entry_id)

    def is_bookmarked(self, entry_id: str) -> bool:
        return self.store.is_bookmarked(entry_id)

    def note(self, entry_id: str) -> str:
        return self.store.note(entry_id)


def cycle(choices: Sequence[str], current: str) -> str:
    """The choice after `current`, wrapping around."""
    return choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]


@dataclass
class ReadingSession:
    """One reader's session over a library; see the module's docstring."""

    settings: Settings
    store: StateStore
    library: Library = field(default_factory=Library)
    index: SearchIndex = field(default_factory=lambda: SearchIndex([]))
    watched: frozenset[int] = frozenset()
    """Positions in library.entries of the entries the watch list matches."""
    filter: Filter = field(default_factory=Filter)
    language: str = "both"
    unread_by_date: Counter[DateKey] = field(default_factory=Counter)
    related: list[Entry] = field(default_factory=list)
    related_cursor: int = -1
    """The related entry highlighted by ] and [ (-1: none)."""
    history: list[str] = field(default_factory=list)
    """Ids of the entries jumped away from, for backspace."""
    loading: bool = True

    def __post_init__(self) -> None:
        self.watch = WatchList.from_settings(self.settings.watch_authors, self.settings.watch_keywords)
        self.filter = Filter(sort=self.settings.sort)
        self.language = self.settings.commentary_language

    # -- the library ----------------------------------------------------------------------

    def indexed(self, library: Library, tokens: TokenIndex | None = None) -> tuple[Library, SearchIndex, frozenset[int]]:
        """What install() takes for `library`: slow for a big one, so call it off the UI thread.
        With its token index, no search text is read; without, every one is."""
        if tokens is not None:
            index = SearchIndex(library.entries, tokens=tokens)
        else:
            index = SearchIndex(library.entries, library.search_texts)
        return library, index, self.watch.matching(library, index)

    def use_tokens(self, library: Library, tokens: TokenIndex) -> bool:
        """Search `library` through its token index from now on, if it is still the one read;
        its search texts are let go. Safe while a search runs in another thread."""
        if library is not self.library:
            return False
        self.index.use_tokens(tokens)
        library.search_texts = None
        return True

    def install(self, library: Library, index: SearchIndex, watched: frozenset[int], final: bool = True) -> int:
        """Read from `library` from now on; returns how many of its entries are new to the session."""
        known = self.library.by_id
        arrived = 0 if self.loading else sum(1 for entry in library.entries if entry.id not in known)
        self.library, self.index, self.watched, self.loading = library, index, watched, not final
        self.recount()
        return arrived

    def recount(self) -> None:
        # Counted by day, then the few thousand days summed into their months and years.
        is_read = self.store.is_read
        by_day = Counter(entry.date for entry in self.library.entries if not is_read(entry.id))
        counts: Counter[DateKey] = Counter()
        for day, unread in by_day.items():
            for key in date_keys(day):
                counts[key] += unread
        self.unread_by_date = counts

    def select(self, flt: Filter) -> list[int]:
        """Positions in library.entries that `flt` lets through, in its order (may be slow:
        a big library's search runs it in a thread)."""
        store = self.store
        return select(self.library, self.index, flt, store.read_ids, store.bookmarked_ids, self.watched, _StoreMarks(store, self.watched))

    def reads_details(self, text: str) -> bool:
        """Whether the search `text` may read entries' details from their files."""
        return cached_query(text).reads_details

    def query_errors(self, text: str) -> list[QueryError]:
        """What could not be understood in a search text, each with its place in the text."""
        return list(cached_query(text).errors)

    def highlights(self, where: HighlightField, text: str | None = None) -> tuple[str, ...]:
        """The folded words and phrases of a search (the filter's, unless `text` is given) to
        highlight in a field: highlight.match_spans finds them in the field's text."""
        return cached_query(self.filter.query if text is None else text).highlights(where)

    # -- counts ---------------------------------------------------------------------------

    @property
    def unread_count(self) -> int:
        return sum(count for key, count in self.unread_by_date.items() if len(key) == 1)

    @property
    def bookmarked_count(self) -> int:
        return sum(1 for entry_id in self.store.bookmarked_ids if entry_id in self.library.by_id)

    @property
    def watched_unread_count(self) -> int:
        entries = self.library.entries
        return sum(1 for position in self.watched if not self.store.is_read(entries[position].id))

    def is_watched(self, entry: Entry) -> bool:
        return self.library.by_id.get(entry.id) in self.watched

    # -- marks ----------------------------------------------------------------------------

    def set_read(self, entry: Entry, read: bool) -> tuple[DateKey, ...]:
        """Mark `entry` read or unread; the date keys whose unread count changed (none if
        the entry already was so)."""
        if self.store.is_read(entry.id) == read:
            return ()
        self.store.set_read(entry.id, read)
        keys = date_keys(entry.date)
        self.unread_by_date.subtract({key: 1 if read else -1 for key in keys})
        return keys

    def mark_all_read(self, entries: Sequence[Entry]) -> None:
        self.store.set_read_many([entry.id for entry in entries], True)
        self.recount()

    def toggle_bookmark(self, entry: Entry) -> bool:
        """Bookmark `entry`, or remove its bookmark; True when it is now bookmarked."""
        on = not self.store.is_bookmarked(entry.id)
        self.store.set_bookmark(entry.id, on)
        return on

    def set_note(self, entry: Entry, note: str) -> None:
        """Keep a note on `entry`, bookmarking it if it is not already."""
        if not self.store.is_bookmarked(entry.id):
            self.store.set_bookmark(entry.id, True)
        self.store.set_note(entry.id, note)

    # -- when an entry becomes read -------------------------------------------------------

    def on_highlight(self, entry: Entry | None, by_user: bool, reading: bool) -> ReadAction:
        """The cursor reached `entry`. `by_user`: a key or a click moved it (not a search,
        filter, sort, reload or jump); `reading`: the detail pane has focus."""
        if entry is None or not by_user:
            return "none"  # nobody read it yet
        if self.settings.mark_read == "open" and reading:
            return "read"  # moving on (n, N) while reading opens the next one
        if self.settings.mark_read == "dwell" and not self.store.is_read(entry.id):
            return "dwell"
        return "none"

    def read_rule(self) -> str:
        """The read rule in force, in words (for the help screen)."""
        rule = {
            "open": "an entry becomes read when you open it (enter, a double-click, or n/N while reading)",
            "dwell": f"an entry becomes read when you open it, or {self.settings.dwell_seconds:g} s after you moved to it",
            "never": "only r and R change read marks",
        }[self.settings.mark_read]
        return f'Read marks (mark_read = "{self.settings.mark_read}"): {rule}; an entry you marked unread stays unread.'

    def reads_on_open(self) -> bool:
        """Whether opening an entry (enter, a double-click) marks it read."""
        return self.settings.mark_read != "never"

    # -- moving ---------------------------------------------------------------------------

    def next_unread(self, rows: Sequence[int], position: int, step: int) -> int | None:
        """The position in `rows` of the nearest unread entry after (step 1) or before
        (step -1) `position`; None when there is none."""
        entries, is_read = self.library.entries, self.store.is_read
        position += step
        while 0 <= position < len(rows):
            if not is_read(entries[rows[position]].id):
                return position
            position += step
        return None

    def show(self, entry: Entry, previous: Entry | None) -> None:
        """`entry` is now in view: a new entry gets its related entries, with none highlighted."""
        if previous is None or previous.id != entry.id:
            self.related, self.related_cursor = related_entries(self.library, entry), -1

    def clear_related(self) -> None:
        self.related, self.related_cursor = [], -1

    def step_related(self, step: int) -> bool:
        """Highlight the next (1) or previous (-1) related entry; False when there are none."""
        if not self.related:
            return False
        if self.related_cursor < 0:
            self.related_cursor = 0 if step > 0 else len(self.related) - 1
        else:
            self.related_cursor = (self.related_cursor + step) % len(self.related)
        return True

    def leave_for_related(self, current: Entry, position: int) -> Entry | None:
        """The related entry at `position`, remembering `current` to come back to."""
        if not 0 <= position < len(self.related):
            return None
        self.history.append(current.id)
        return self.related[position]

    def back(self) -> Entry | None:
        """The entry jumped away from last that is still in the library, if any."""
        while self.history:
            entry = self.library.get(self.history.pop())
            if entry is not None:
                return entry
        return None

    # -- choices --------------------------------------------------------------------------

    def toggle_tag(self, tag: str) -> Filter:
        return replace(self.filter, tag=None if self.filter.tag == tag else tag)

    def toggle_date(self, key: DateKey) -> Filter:
        return self.filter.with_date(None) if self.filter.date_key == key else self.filter.with_date(*key)

    def cleared(self) -> Filter:
        """No filter, the sort kept."""
        return Filter(sort=self.filter.sort)

    def next_sort(self) -> str:
        return cycle(SORTS, self.filter.sort)

    def cycle_language(self) -> str:
        self.language = cycle(get_args(CommentaryLanguage), self.language)
        return self.language
