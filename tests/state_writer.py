"""A digest-tui state writer for tests/test_state_processes.py, run as its own process.

    state_writer.py count DIR [STALL]     add read marks e000000, e000001 … one per save, until killed;
                                          prints "saved N" after each save; with STALL, the save that
                                          would make STALL marks stops after writing its temporary
                                          file, before the rename, prints "stalled" and waits to be killed
    state_writer.py bookmark DIR PREFIX N  wait for a line on stdin, then bookmark PREFIX0000 … one per save

Prints "ready" once it has loaded the state.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from digest_tui.state import StateStore


def stall_before_rename() -> None:
    """Every later os.replace stops for good: the temporary file is written, the rename never comes."""
    def stalled(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        print("stalled", flush=True)
        threading.Event().wait()

    os.replace = stalled  # type: ignore[assignment]


def main() -> int:
    mode, directory = sys.argv[1], Path(sys.argv[2])
    store = StateStore(directory)
    for message in store.load():
        print(message, file=sys.stderr)
    if mode == "count":
        stall = int(sys.argv[3]) if len(sys.argv) > 3 else -1
        n = sum(1 for entry_id in store.read_ids if entry_id.startswith("e"))
        print("ready", flush=True)
        while True:
            if n + 1 == stall:
                stall_before_rename()
            store.set_read(f"e{n:06d}")
            message = store.save()
            if message:
                print(message, file=sys.stderr)
                return 1
            n += 1
            if n == stall:
                print("the save did not go through os.replace", file=sys.stderr)
                return 1
            print(f"saved {n}", flush=True)
    prefix, count = sys.argv[3], int(sys.argv[4])
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        store.set_bookmark(f"{prefix}{i:04d}")
        message = store.save()
        if message:
            print(message, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
