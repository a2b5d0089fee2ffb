"""Keeping what the reader changed: marks saved in the background, choices written to
config.toml, and a save before the app goes on quit, SIGTERM and SIGHUP."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import Any, Protocol

from digest_tui import config
from digest_tui.disk.store import StateStore

SAVE_EVERY = 0.5
# After SIGTERM or SIGHUP the process is gone within this many seconds, whatever Textual does.
EXIT_DEADLINE = 1.5


class Host(Protocol):
    """What the saver needs of the app."""

    def notify(self, message: str, *, title: str = ..., severity: Any = ..., timeout: float | None = ..., markup: bool = ...) -> None: ...
    def call_from_thread(self, callback: Any, *args: Any, **kwargs: Any) -> Any: ...
    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any: ...
    def set_interval(self, interval: float, callback: Any) -> Any: ...
    def exit(self) -> None: ...


class Saver:
    """Saves the store off the UI thread within SAVE_EVERY seconds of a change, and at once
    when the app goes; writes remembered choices one at a time."""

    def __init__(self, host: Host, store: StateStore, config_dir: Path) -> None:
        self.host, self.store, self.config_dir = host, store, config_dir
        self.saving = False

    def start(self) -> None:
        """Save on a timer from now on, and before the process goes on SIGTERM or SIGHUP."""
        self.host.set_interval(SAVE_EVERY, self.save_soon)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.exit_saving)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def save_soon(self) -> None:
        if self.store.dirty and not self.saving:
            self.saving = True
            self.host.run_worker(self._save, thread=True, group="save")

    def _save(self) -> None:
        try:
            message = self.store.save()
        finally:
            self.saving = False
        if message:
            self.host.call_from_thread(self.host.notify, message, severity="error", timeout=10)
        for notice in self.store.take_notices():
            self.host.call_from_thread(self.host.notify, notice, severity="warning", timeout=10)

    def flush(self) -> str | None:
        """Save now, on this thread (quitting); the error message, if the save failed."""
        return self.store.save() if self.store.dirty else None

    def exit_saving(self) -> None:
        """SIGTERM or SIGHUP: save the marks, then go, within EXIT_DEADLINE seconds.

        After a closed terminal, Textual's writer thread can block on the way out and keep the
        process alive (deaf to a second SIGTERM, as its loop no longer runs). Once the marks are
        on disk nothing is left to lose, so a watchdog ends the process if the exit stalls.
        """
        self.flush()
        watchdog = threading.Timer(EXIT_DEADLINE, os._exit, args=(0,))
        watchdog.daemon = True
        watchdog.start()
        self.host.exit()

    def remember(self, key: str, value: str) -> None:
        """Save a choice in config.toml in the background."""
        # Queued here, in the order the choices are made: the workers may run in any order,
        # and whichever writes first writes the latest choice of every key.
        config.remember_later(self.config_dir, key, value)
        host, directory = self.host, self.config_dir

        def write() -> None:
            try:
                notice = config.write_remembered(directory)
            except OSError as error:
                host.call_from_thread(host.notify, f"could not save {key} in {directory}: {error.strerror or error}", severity="warning")
                return
            if notice:
                host.call_from_thread(host.notify, notice, severity="warning")

        host.run_worker(write, thread=True, group="config")
