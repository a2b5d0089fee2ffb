"""`digest-tui export`: entries as JSON lines, BibTeX or Markdown, filtered the same way for each."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from digest_tui.digest import filters
from digest_tui.digest.filters import Filter
from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.digest.query import Marks, ParsedQuery, run_query
from digest_tui.digest.search import SearchIndex, fold, within
from digest_tui.digest.watch import WatchList
from digest_tui.out.cite import bibtex_all, markdown
from digest_tui.text.sanitize import UNSAFE

FORMATS = ("jsonl", "bibtex", "markdown")


def note_of(state: Any, entry_id: str) -> str:
    """The user's bookmark note for an entry, '' when there is none (or the state keeps none)."""
    note = getattr(state, "note", None)
    if not callable(note):
        return ""
    value = note(entry_id)
    return value.strip() if isinstance(value, str) else ""


def select(
    entries: Iterable[Entry],
    state: Any,
    *,
    bookmarked: bool = False,
    unread: bool = False,
    tags: Iterable[str] = (),
    query: ParsedQuery | None = None,
    watch: WatchList | None = None,
) -> list[Entry]:
    """Entries kept by the export filters, in the order given: bookmarked only, unread only, any
    of `tags` (matched as `tag_key` folds them: `#Reasoning` finds the entries tagged
    `#reasoning`), and `query` (the search language, its is:watched from `watch`). The reader's
    filter does the work (filters.select, on the library's tag index; digest.query)."""
    library = Library(list(entries))
    ids = [entry.id for entry in library.entries]
    read_ids = {entry_id for entry_id in ids if state.is_read(entry_id)} if unread else set()
    bookmarked_ids = {entry_id for entry_id in ids if state.is_bookmarked(entry_id)} if bookmarked else set()
    chosen = filters.select(library, None, Filter(unread_only=unread, bookmarked_only=bookmarked), read_ids, bookmarked_ids)
    wanted = {tag_key(tag) for tag in tags}
    if wanted:
        tagged = {index for tag, indices in library.by_tag.items() if tag_key(tag) in wanted for index in indices}
        chosen = within(sorted(tagged), chosen)
    if query is not None and query.root is not None:
        chosen = _queried(library, state, query, watch or WatchList(), chosen)
    return [library.entries[index] for index in chosen]


def _queried(library: Library, state: Any, query: ParsedQuery, watch: WatchList, among: list[int]) -> list[int]:
    """The positions of `among` that `query` finds."""
    index = SearchIndex(library.entries)
    ids = [entry.id for entry in library.entries]
    marks = Marks(
        read=frozenset(filter(state.is_read, ids)),
        bookmarked=frozenset(filter(state.is_bookmarked, ids)),
        notes={entry_id: note for entry_id in ids if (note := note_of(state, entry_id))},
        watched=watch.matching(library, index),
    )
    return run_query(query, library, index, marks, among=among)


def tag_key(tag: str) -> str:
    """A tag as the export compares it: without the `#` the reader shows in front of it, and
    case and width folded, so `#REASONING`, `reasoning` and `#Reasoning` are the same tag."""
    return fold(tag.strip().lstrip("#"))


def unknown_tags(tags: Iterable[str], known: Iterable[str]) -> list[str]:
    """The tags of `tags` that match none of `known` (the library's tags), as given."""
    have = {tag_key(tag) for tag in known}
    return [tag for tag in tags if tag_key(tag) not in have]


def json_safe(line: str) -> str:
    """A JSON text with every unsafe character still in it (DEL, C1 controls, bidi marks; json
    escapes only C0) written as a \\u escape: the same data, nothing a terminal acts on."""
    return UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", line)


def export_jsonl(entries: Iterable[Entry], state: Any) -> Iterator[str]:
    """One JSON object per entry, each line ending in a newline."""
    for entry in entries:
        record = {
            "id": entry.id,
            "date": entry.date.isoformat(),
            "title": entry.title,
            "authors": list(entry.authors),
            "abstract": entry.abstract,
            "commentary": entry.commentary,
            "tags": list(entry.tags),
            "links": list(entry.links),
            "source": entry.source,
            "line": entry.line,
            "read": state.is_read(entry.id),
            "bookmarked": state.is_bookmarked(entry.id),
        }
        yield json_safe(json.dumps(record, ensure_ascii=False)) + "\n"


def export_bibtex(entries: Iterable[Entry]) -> str:
    return bibtex_all(entries)


def export_markdown(entries: Iterable[Entry], state: Any) -> str:
    """A Markdown list: the Markdown citation (the title linked to its arXiv page when the id is
    known, else the title alone; never a search), then authors, date, tags and the note."""
    items: list[str] = []
    for entry in entries:
        lines = [f"- {markdown(entry)}"]
        if entry.authors:
            lines.append(f"  - Authors: {', '.join(entry.authors)}")
        lines.append(f"  - Date: {entry.date.isoformat()}")
        if entry.tags:
            lines.append(f"  - Tags: {' '.join('#' + tag for tag in entry.tags)}")
        note = note_of(state, entry.id)
        if note:
            first, *rest = note.splitlines()
            lines.append(f"  - Note: {first}")
            lines.extend(f"    {line}" if line.strip() else "" for line in rest)
        items.append("\n".join(lines))
    return "".join(item + "\n" for item in items)


def render(fmt: str, entries: Iterable[Entry], state: Any) -> Iterator[str]:
    """The export in `fmt` (one of FORMATS) as chunks of text to write in order."""
    if fmt == "jsonl":
        yield from export_jsonl(entries, state)
    elif fmt == "bibtex":
        yield export_bibtex(entries)
    elif fmt == "markdown":
        yield export_markdown(entries, state)
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
