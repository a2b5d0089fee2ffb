"""Synthetic archives for the benchmark: years of digests made from the sample digests.

Deterministic for a given seed: the same sizes give the same files, byte for byte.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

from digest_tui.digest.library import bundled_seeds, load_library
from digest_tui.digest.model import has_hangul

ENTRIES_PER_DAY = 27
LAST_DAY = date(2025, 12, 31)
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


def generate(directory: Path, entries: int, seed: int = 20240814, pools: Pools | None = None) -> tuple[int, int]:
    """Write `entries` entries as one digest file per day (newest day LAST_DAY) under `directory`,
    in year/month folders; returns (files, bytes)."""
    pools = pools or Pools()
    rng = random.Random(seed)
    days = max(1, -(-entries // ENTRIES_PER_DAY))
    written = files = 0
    number = 0
    for back in range(days):
        day = LAST_DAY - timedelta(days=days - 1 - back)
        count = min(ENTRIES_PER_DAY, entries - number)
        if count <= 0:
            break
        header = f"{day.year}년 {day.month}월 {day.day}일" if rng.random() < 0.8 else day.isoformat()
        body = [header]
        for _ in range(count):
            body.append(entry_text(rng, pools, number))
            number += 1
        data = ("\n".join(body) + "\n").encode("utf-8")
        folder = directory / f"{day.year}" / f"{day.month:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{day.isoformat()}.txt").write_bytes(data)
        files += 1
        written += len(data)
    return files, written
