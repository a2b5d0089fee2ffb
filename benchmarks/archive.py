"""Synthetic archives for the benchmark: years of digests made from the sample digests.

Two shapes of the same entries: `daily`, one digest file a day, and `many`, the same entries
spread over many small files (about 36 files for 100 entries, each a digest with its date
header) in year/month folders. Deterministic for a given size, shape and seed: the same
files, byte for byte. `cached` keeps what it made under a work directory, so a million
entries (2.3 GB) are written once.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal, get_args

from digest_tui.digest.library import bundled_seeds, load_library
from digest_tui.digest.model import has_hangul

ENTRIES_PER_DAY = 27
"""As many as the sample digests have; bigger archives get more a day (see entries_per_day)."""
MOST_DAYS = 5_000
"""About 14 years: 27 entries a day would put a million entries back to 1925."""
FILES_PER_ENTRY = 0.36
"""The many-files shape: 36,000 files for 100,000 entries, two or three entries in each."""
LAST_DAY = date(2025, 12, 31)
GENERATOR = 2
"""Part of a cached archive's name: raise it whenever the same arguments would write other bytes."""
Shape = Literal["daily", "many"]
SHAPES: tuple[Shape, ...] = get_args(Shape)
SENTENCE = re.compile(r"(?<=[.!?다요죠네군])\s+")

# Words that make titles differ from one another (and give searches something to find).
NAME_SYLLABLES = "al be co da el fa ge hi io ju ka lu mi no ox pa qu ri so tu vi wo xe yu ze".split()
EXTRA_TAGS = [
    "agents", "alignment", "benchmark", "code", "compression", "dataset", "evaluation", "graph",
    "inference", "long-context", "memory", "pretraining", "quantization", "retrieval", "robotics",
    "safety", "scaling", "speech", "tokenizer", "world-model",
]


class Pools:
    """The material of the sample digests, cut into pieces to recombine."""

    def __init__(self, seeds: Path | None = None) -> None:
        library = load_library([seeds or bundled_seeds()])
        self.templates = [(len(e.abstract), len(e.commentary), len(e.authors), len(e.tags)) for e in library.entries]
        self.title_words = sorted({w for e in library.entries for w in e.title.replace(":", " ").split() if len(w) > 2})
        self.authors = sorted({a for e in library.entries for a in e.authors})
        self.tags = sorted({t for e in library.entries for t in e.tags} | set(EXTRA_TAGS))
        self.english = [s for e in library.entries for s in SENTENCE.split(e.abstract) if s.strip()]
        self.korean = [s for e in library.entries for s in SENTENCE.split(e.commentary) if s.strip() and has_hangul(s)]


def _fill(rng: random.Random, pool: list[str], length: int) -> str:
    out: list[str] = []
    size = 0
    while size < length:
        sentence = rng.choice(pool)
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(NAME_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _title(rng: random.Random, pools: Pools, number: int) -> str:
    name = _name(rng)
    words = " ".join(rng.choice(pools.title_words) for _ in range(rng.randint(4, 10)))
    # The number keeps every title (and so every id) unique.
    return f"{name}-{number}: {words}"


def entry_text(rng: random.Random, pools: Pools, number: int) -> str:
    abstract_len, commentary_len, authors, tags = rng.choice(pools.templates)
    lines = [_title(rng, pools, number)]
    if rng.random() < 0.3:
        lines.append(f"arXiv:{2000 + number // 100000:04d}.{number % 100000:05d}")
    lines.append("(" + ", ".join(rng.sample(pools.authors, min(authors or 1, len(pools.authors)))) + ")")
    # Names and numbers of its own, as real abstracts have: an archive's vocabulary keeps growing.
    model = f"{_name(rng)}-{rng.randint(1, 400)}B"
    bench = f"{_name(rng)}{rng.choice(['Bench', 'QA', '-Eval', '8K', ''])}"
    if abstract_len:
        own = f"{model} reaches {rng.uniform(10, 99):.2f}% on {bench} and {rng.uniform(10, 99):.1f} on {_name(rng)}."
        lines.append(_fill(rng, pools.english, abstract_len - len(own)) + " " + own)
    paragraphs = max(1, commentary_len // 250)
    for n in range(paragraphs):
        text = _fill(rng, pools.korean, commentary_len // paragraphs)
        if n == 0:
            text = f"{model}{rng.choice(['의', '는', '가', '를', '에서'])} {bench} 결과. " + text
        lines.append(text)
    if rng.random() < 0.2:
        lines.append(_fill(rng, pools.english, 150))  # an English translation
    chosen = rng.sample(pools.tags, min(max(tags, 1) + rng.randint(0, 1), len(pools.tags)))
    lines.append(" ".join("#" + t for t in chosen))
    return "\n".join(lines)


def entries_per_day(entries: int) -> int:
    return max(ENTRIES_PER_DAY, -(-entries // MOST_DAYS))


def days(entries: int, seed: int, pools: Pools) -> Iterator[tuple[date, str, list[str]]]:
    """Each day's date, date header and entries, oldest first, the newest day LAST_DAY. The
    shapes share this one stream of random numbers, so they hold the same entries."""
    rng = random.Random(seed)
    per_day = entries_per_day(entries)
    count = max(1, -(-entries // per_day))
    number = 0
    for back in range(count):
        day = LAST_DAY - timedelta(days=count - 1 - back)
        today = min(per_day, entries - number)
        header = f"{day.year}년 {day.month}월 {day.day}일" if rng.random() < 0.8 else day.isoformat()
        texts = [entry_text(rng, pools, number + n) for n in range(today)]
        number += today
        yield day, header, texts


def files(shape: Shape, entries: int, seed: int, pools: Pools) -> Iterator[tuple[str, str, list[str]]]:
    """(path inside the archive, date header, entries) of each digest file."""
    total = max(1, round(entries * FILES_PER_ENTRY))
    before = 0
    for day, header, texts in days(entries, seed, pools):
        folder = f"{day.year}/{day.month:02d}"
        if shape == "daily":
            yield f"{folder}/{day.isoformat()}.txt", header, texts
        else:
            # The files of the archive's first n entries: n * total // entries, so the count
            # comes out at `total` whatever the split of days.
            count = len(texts)
            parts = min(count, max(1, (before + count) * total // entries - before * total // entries))
            for part in range(parts):
                yield f"{folder}/{day.isoformat()}-{part + 1:02d}.txt", header, texts[part * count // parts : (part + 1) * count // parts]
        before += len(texts)


def generate(directory: Path, entries: int, seed: int = 20240814, shape: Shape = "daily", pools: Pools | None = None) -> tuple[int, int]:
    """Write an archive of `entries` entries in `shape` under `directory`; returns (files, bytes)."""
    pools = pools or Pools()
    written = count = 0
    for name, header, texts in files(shape, entries, seed, pools):
        data = ("\n".join([header, *texts]) + "\n").encode("utf-8")
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        count += 1
        written += len(data)
    return count, written


@dataclass(frozen=True)
class Archive:
    path: Path
    entries: int
    shape: Shape
    files: int
    bytes: int


def cached(workdir: Path, entries: int, shape: Shape, seed: int, fresh: bool = False) -> Archive:
    """The archive for these arguments under `workdir`, made unless an earlier run finished
    making it (or `fresh`). It is made under another name and renamed when whole; its
    manifest, written last, says it is."""
    path = workdir / f"{shape}-{entries}-seed{seed}-v{GENERATOR}"
    manifest = path.with_name(path.name + ".json")
    if not fresh and manifest.is_file() and path.is_dir():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        return Archive(path, entries, shape, saved["files"], saved["bytes"])
    manifest.unlink(missing_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (path, partial):
        shutil.rmtree(leftover, ignore_errors=True)
    count, written = generate(partial, entries, seed, shape)
    partial.rename(path)
    archive = Archive(path, entries, shape, count, written)
    temporary = manifest.with_name(manifest.name + ".tmp")
    temporary.write_text(json.dumps({"entries": entries, "shape": shape, "files": count, "bytes": written}) + "\n", encoding="utf-8")
    os.replace(temporary, manifest)
    return archive
