"""Read marks and bookmarks: the names the rest of digest-tui imports, from where they live.

    marks.py        Mark, State and the merge (the latest change wins)
    stateformat.py  state.toml's format (tomli_w writes it, tomllib reads it); load_state
    store.py        StateStore: the file on disk, its lock, conflict copies, corrupt files
"""

from datetime import UTC

from digest_tui.disk.marks import LATEST, Mark, State, merge_marks
from digest_tui.disk.stateformat import VERSION, NewerVersionError, conflict_copies, dump_state, load_state, parse_state, read_state_file, read_state_text
from digest_tui.disk.store import LOCK_FILE, LOCK_TIMEOUT, MERGED_DIR, StateStore

__all__ = [
    "LATEST",
    "LOCK_FILE",
    "LOCK_TIMEOUT",
    "MERGED_DIR",
    "UTC",
    "VERSION",
    "Mark",
    "NewerVersionError",
    "State",
    "StateStore",
    "conflict_copies",
    "dump_state",
    "load_state",
    "merge_marks",
    "parse_state",
    "read_state_file",
    "read_state_text",
]
