"""Parsing many digests in other processes: a cold start of a big archive uses every core.

A batch of files is parsed in a worker process into a cache chunk (rows and search texts,
encoded), which the loader decodes at little cost and writes to the parse cache as it is.
Workers are started by a fork server, never forked from the reader itself (it has threads),
and import only the digest modules.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from digest_tui.digest.cache import Chunk, encode_chunk
from digest_tui.digest.library import read_digest
from digest_tui.digest.model import Problem, Stamp
from digest_tui.digest.parse import ParseResult
from digest_tui.digest.search import search_bytes

PARALLEL_BYTES = 4 * 1024 * 1024
PARALLEL_FILES = 200
"""Other processes parse when more than this many files, or bytes, are to be parsed: below
that, starting them costs more than they save."""
BATCH_BYTES = 1024 * 1024
"""A batch holds about this many bytes of digests (some 450 entries): small enough that the
first arrives early, big enough that sending it costs little."""
MAX_WORKERS = 4

BatchFile = tuple[str, int, int]
"""A file to parse: (path, size, mtime_ns) as discovered."""


def workers() -> int:
    """How many processes parse: one a core the reader may use, at most MAX_WORKERS."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def ready_for_processes() -> None:
    """Start multiprocessing's resource tracker with the real standard error.

    The tracker hands its process the descriptor of sys.stderr, and under a full-screen app
    sys.stderr is a capture whose descriptor is -1: the first process started there would fail
    ("bad value(s) in fds_to_keep"). So for the moment the tracker starts, sys.stderr is the
    process's own; nothing is printed in that moment (the reader's output is its screen)."""
    from multiprocessing import resource_tracker

    captured, real = sys.stderr, sys.__stderr__
    if real is None:
        return
    sys.stderr = real
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def process_pool(count: int) -> Executor:
    """Worker processes from a fork server, with the cycle collector off (see Loader.load)."""
    ready_for_processes()
    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("forkserver"), initializer=gc.disable)


def batches(paths: Iterable[str], stamps: dict[str, Stamp]) -> list[list[BatchFile]]:
    """`paths` in their order, cut into runs of about BATCH_BYTES."""
    cut: list[list[BatchFile]] = []
    batch: list[BatchFile] = []
    size = 0
    for path in paths:
        stamp = stamps[path]
        batch.append((path, stamp.size, stamp.mtime_ns))
        size += stamp.size
        if size >= BATCH_BYTES:
            cut.append(batch)
            batch, size = [], 0
    if batch:
        cut.append(batch)
    return cut


def parse_batch(files: list[BatchFile]) -> Chunk:
    """Parse each file (in a worker process) into one chunk, search texts included."""
    parsed = []
    for path, size, mtime in files:
        result = read_for_search(path)
        parsed.append((path, Stamp(size, mtime), result, result.search_texts))
    return encode_chunk(parsed)


def read_for_search(path: str) -> ParseResult:
    """read_digest, with the text search looks in computed too (so it is cached with it), and
    running out of memory a problem of the file rather than the end of the load."""
    try:
        result = read_digest(Path(path))
        result.search_texts = [search_bytes(entry) for entry in result.entries]
    except MemoryError:
        return ParseResult(problems=[Problem(path, 0, "not enough memory to read this file; skipped")])
    return result
