"""An entry's details (authors, abstract, commentary, links) read back from its file.

A library of 100,000 entries keeps only what its rows, the sidebar and the filters need; the
detail pane asks for one entry's details at a time. They are read from the entry's bytes in
its file (start..end) and parsed alone (parse.parse_entry gives what the whole file's parse
gave), and the last few dozen are kept, so moving back and forth reads nothing again.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from digest_tui.digest.library import MAX_FILE_BYTES, parse_bytes
from digest_tui.digest.model import Details, Entry
from digest_tui.digest.parse import parse_entry
from digest_tui.disk.files import open_regular_file

KEPT = 64
"""How many entries' details are kept once read."""

_Key = tuple[str, int, str, object]
_kept: OrderedDict[_Key, Details] = OrderedDict()
# The detail pane reads on the UI thread, a search or an export may read in another.
_lock = threading.Lock()


def details_of(entry: Entry) -> Details:
    """The entry's details: from its file, or from the few read last. When the file cannot
    be read, or no longer holds the entry as it was, Details say why (see read_details)."""
    key: _Key = (entry.source, entry.line, entry.id, entry.stamp)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    details = read_details(entry)
    if not details.problem:  # the file may be readable again on the next look
        with _lock:
            _kept[key] = details
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return details


def read_details(entry: Entry) -> Details:
    """Read the entry's details from its file. A file that changed since the entry was read
    from it (its size or time moved, or the entry's place holds another) gives Details that
    say so: the loader reads changed files again, and the entry's new self comes with them."""
    try:
        with open_regular_file(entry.source) as handle:
            info = os.fstat(handle.fileno())
            stamp = entry.stamp
            if stamp is not None and (info.st_size, info.st_mtime_ns) != (stamp.size, stamp.mtime_ns):
                return _changed(entry)
            if entry.start < entry.end:
                handle.seek(entry.start)
                data = handle.read(entry.end - entry.start)
                # A line end is never inside a character, nor inside bytes that do not decode:
                # the entry's bytes decode alone as they did within the file.
                found = parse_entry(data.decode("utf-8", errors="replace"), entry.date, entry.source)
            elif info.st_size <= MAX_FILE_BYTES:
                # No place known (a file in UTF-16 or UTF-32): the whole file is parsed again.
                found = _at_line(parse_bytes(handle.read(), entry.source).entries, entry.line)
            else:
                found = None
    except OSError as error:
        message = f"{entry.source} cannot be read: {error.strerror or error}"
        return Details(abstract=message, problem=message)
    if found is None or found.id != entry.id or found.attached is None:
        return _changed(entry)
    return found.attached


def forget() -> None:
    """Drop the details kept (for a library read anew)."""
    with _lock:
        _kept.clear()


def _at_line(entries: list[Entry], line: int) -> Entry | None:
    return next((entry for entry in entries if entry.line == line), None)


def _changed(entry: Entry) -> Details:
    message = f"{entry.source} changed since it was read; it is being read again."
    return Details(abstract=message, problem=message)
