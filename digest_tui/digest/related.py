"""Entries related to an entry: the papers its commentary cites, then those sharing rare tags."""

from __future__ import annotations

import heapq
import math

from digest_tui.digest.library import Library
from digest_tui.digest.links import arxiv_ids_in
from digest_tui.digest.model import Entry

# Scoring looks at this many candidates at most, rarest tags first, so a tag carried by
# half of a 100,000-entry archive cannot make moving the cursor slow.
MAX_CANDIDATES = 5_000


def related_entries(library: Library, entry: Entry, limit: int = 5) -> list[Entry]:
    """Up to `limit` entries: those the commentary mentions by arXiv id (`arXiv:2401.00001` or an
    arXiv link) when they are in the library, then those sharing the most tags, a rare tag
    weighing more than a common one."""
    found: list[Entry] = []
    for identifier in arxiv_ids_in(entry.commentary):
        other = library.by_arxiv.get(identifier)
        if other is not None and other is not entry and other not in found:
            found.append(other)
    if len(found) >= limit:
        return found[:limit]
    by_tag = library.by_tag
    total = max(len(library), 1)
    scores: dict[int, float] = {}
    seen = 0
    for tag in sorted(entry.tags, key=lambda t: len(by_tag.get(t, ()))):
        indices = by_tag.get(tag, ())
        weight = math.log(1 + total / len(indices)) if indices else 0.0
        for index in indices[: MAX_CANDIDATES - seen]:
            scores[index] = scores.get(index, 0.0) + weight
        seen += len(indices)
        if seen >= MAX_CANDIDATES:
            break
    own = library.by_id.get(entry.id)
    if own is not None:
        scores.pop(own, None)
    # Highest score first, then newest (lowest index); only the few needed are ranked.
    ranked = heapq.nsmallest(limit + len(found), scores, key=lambda i: (-scores[i], i))
    for index in ranked:
        other = library.entries[index]
        if other not in found:
            found.append(other)
        if len(found) >= limit:
            break
    return found
