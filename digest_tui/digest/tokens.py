"""Search through a token vocabulary: which entries contain a word, without looking at their text.

A query word never holds whitespace, so the entries whose text contains it as a substring are
exactly those holding a token (a whitespace-separated run of the text) that contains it. The
index keeps every distinct token once, joined into one vocabulary buffer, and for each token the
set of entries holding it: a word is looked for in the vocabulary (megabytes, not the archive's
hundreds), and the sets of the tokens it is found in are merged.

A set is kept as a sorted list of entry numbers or, for a token in many entries, as a bitset
over all entries, whichever is smaller; the bitsets also make merging the sets of common words
a matter of OR-ing rows. A single character (a letter, a Hangul syllable) is found in so many
tokens that its entries are kept ready in a second table of the same kind.

The index is saved as one file of arrays that `TokenIndex.open` maps into memory without
reading: see `save` for its layout and what opening checks.
"""

from __future__ import annotations

import mmap
import re
import struct
import threading
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import count as counter
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import numpy as np
from numpy.typing import NDArray

from digest_tui.disk.atomic import atomic_file

Ints = NDArray[np.int32]
Longs = NDArray[np.int64]
Bits = NDArray[np.uint64]
Bytes = NDArray[np.uint8]

MAGIC = b"DTTOKIX\n"
VERSION = 1
# The bytes bytes.split() splits at; a query word holds none of them (str.split() splits at
# each of them too).
WHITESPACE = b" \t\n\r\x0b\x0c"
# Joins the tokens in the vocabulary: whitespace, so never inside a token or a query word, and
# so no match runs from one token into the next.
JOINER = b"\n"
# Occurrences of this many recent words in the vocabulary are kept: the word typed next
# usually contains one of them, and is then looked for only where it occurs.
REMEMBERED_WORDS = 16
# A word that occurs at most this often is looked for with the regular expression engine
# (see TokenIndex._find).
FOUND_ONE_BY_ONE = 20_000
# Bytes of vocabulary in a block of the pair map: a word is looked for only in the blocks
# that hold all its pairs of bytes. The map takes 8 KB a block, an eighth of the vocabulary.
PAIR_BLOCK = 1 << 16
# Texts tokenised at a time (a multiple of 8, a byte of bitset): bounds the temporary arrays
# of the build.
TEXTS_AT_ONCE = 4096
ALIGN = 64

_HEAD = struct.Struct("<8sIIQI")  # magic, version, header size, entry count, key length
_SECTION = struct.Struct("<QQ")  # offset, size in bytes
_CHECKSUMS = struct.Struct("<I")


class Unusable(Exception):
    """An index file that cannot be used (foreign, truncated, of another library)."""


@dataclass(frozen=True)
class _Sets:
    """Sets of entries, one per key: key k's set is postings[offsets[k]:offsets[k + 1]] when
    dense_row[k] < 0, otherwise the bitset bits[dense_row[k]] (entry e is bit e % 8 of its
    byte e // 8; the rows are OR-ed 64 bits at a time)."""

    offsets: Longs
    dense_row: Ints
    postings: Ints
    bits: Bits  # shape (dense rows, words per row)

    def union(self, keys: Ints, count: int) -> Ints:
        """Sorted entry numbers in any of the sets of `keys`."""
        listed, rows = self._parts(keys, count)
        if not rows.size:
            return np.unique(listed)
        mask = self._or_rows(rows, count)
        mask[listed] = True
        return np.flatnonzero(mask).astype(np.int32)

    def mask(self, keys: Ints, count: int) -> NDArray[np.bool_]:
        """Which of the `count` entries are in any of the sets of `keys`."""
        listed, rows = self._parts(keys, count)
        mask = self._or_rows(rows, count)
        mask[listed] = True
        return mask

    def _parts(self, keys: Ints, count: int) -> tuple[Ints, Ints]:
        """The entries the listed sets of `keys` hold (repeats and all), and the bitset rows of
        the others. Out-of-range numbers (a damaged file) are dropped rather than trusted, so a
        damaged index gives wrong answers but never an exception."""
        rows = self.dense_row[keys]
        dense = (rows >= 0) & (rows < self.bits.shape[0])
        listed = self._gather(keys[~dense])
        return listed[(listed >= 0) & (listed < count)], rows[dense]

    def entries(self, key: int, count: int) -> Ints:
        return self.union(np.array([key], dtype=np.int32), count)

    def _gather(self, keys: Ints) -> Ints:
        """The postings of `keys` (distinct sparse keys), concatenated."""
        size = self.postings.size
        starts = np.clip(self.offsets[keys], 0, size)
        ends = np.maximum(np.clip(self.offsets[keys + 1], 0, size), starts)
        lengths = ends - starts
        total = int(lengths.sum())
        # Distinct keys have disjoint ranges, so more than all postings means damaged offsets:
        # wrong answers, but no run-away allocation.
        if total == 0 or total > size:
            return np.empty(0, dtype=np.int32)
        # Every position from starts[i] to ends[i] - 1 for each i, without a loop: output place
        # j of range i holds starts[i] + (j - where range i begins in the output).
        firsts = np.cumsum(lengths) - lengths
        found: Ints = self.postings[np.arange(total) + np.repeat(starts - firsts, lengths)]
        return found

    def _or_rows(self, rows: Ints, count: int) -> NDArray[np.bool_]:
        acc = np.zeros(self.bits.shape[1], dtype=np.uint64)
        # A row at a time, in place: OR-ing a fancy-indexed copy of the rows would first write
        # them all again.
        for row in rows.tolist():
            np.bitwise_or(acc, self.bits[row], out=acc)
        return np.unpackbits(acc.view(np.uint8), count=count, bitorder="little").view(np.bool_)

    def arrays(self) -> list[NDArray[np.generic]]:
        return [self.offsets, self.dense_row, self.postings, self.bits]


@dataclass(frozen=True)
class _Pairs:
    """Which two bytes follow one another in the vocabulary: how often each pair occurs
    (at 256 * first + second), and for each block of PAIR_BLOCK bytes of it a bitmap of the
    pairs that start there, so that a word is looked for only in the blocks that can hold it."""

    counts: Longs
    blocks: Bytes  # shape (blocks, 256 * 256 // 8)

    @classmethod
    def of(cls, vocabulary: Bytes) -> _Pairs:
        counts = np.zeros(256 * 256, dtype=np.int64)
        blocks = np.zeros((_pair_blocks(vocabulary.size), 256 * 256 // 8), dtype=np.uint8)
        for number in range(blocks.shape[0]):
            piece = vocabulary[number * PAIR_BLOCK : (number + 1) * PAIR_BLOCK + 1]
            here = np.bincount(piece[:-1].astype(np.intp) * 256 + piece[1:], minlength=256 * 256)
            counts += here
            blocks[number] = np.packbits(here > 0, bitorder="little")
        return cls(counts, blocks)

    def rarest(self, word: bytes) -> int:
        """How often the rarest pair of bytes of `word` (two bytes at least) occurs."""
        return int(min(self.counts[256 * word[i] + word[i + 1]] for i in range(len(word) - 1)))

    def runs(self, word: bytes, size: int) -> list[tuple[int, int]]:
        """Runs of the vocabulary (of `size` bytes) where `word` may start, as (start, stop)."""
        blocks = self.blocks.shape[0]
        if len(word) < 2 or not blocks:
            return [(0, size)]
        # A pair belongs to the block of its first byte. The last pair of a word starts
        # len(word) - 2 bytes after the word: at most this many blocks after the word's.
        reach = (PAIR_BLOCK - 1 + len(word) - 2) // PAIR_BLOCK
        possible = np.ones(blocks, dtype=np.bool_)
        for pair in {256 * word[i] + word[i + 1] for i in range(len(word) - 1)}:
            present = (self.blocks[:, pair >> 3] >> (pair & 7)) & 1 == 1
            near = present.copy()
            for further in range(1, min(reach, blocks - 1) + 1):
                near[:-further] |= present[further:]
            possible &= near
        chosen = np.flatnonzero(possible)
        if not chosen.size:
            return []
        breaks = np.flatnonzero(np.diff(chosen) != 1)
        firsts = np.concatenate(([chosen[0]], chosen[breaks + 1]))
        lasts = np.concatenate((chosen[breaks], [chosen[-1]]))
        return [(first * PAIR_BLOCK, min((last + 1) * PAIR_BLOCK, size)) for first, last in zip(firsts.tolist(), lasts.tolist())]

    def arrays(self) -> list[NDArray[np.generic]]:
        return [self.counts, self.blocks]


class TokenIndex:
    """Which entries contain a word (no whitespace) as a substring: see the module docstring."""

    def __init__(self, count: int, vocabulary: Bytes, starts: Longs, pairs: _Pairs, tokens: _Sets, codes: Ints, chars: _Sets) -> None:
        self.count = count
        self._vocabulary = vocabulary  # the tokens, each followed by JOINER
        self._starts = starts  # where each token starts in it, and its length at the end
        self._pairs = pairs
        self._byte_counts = pairs.counts.reshape(256, 256).sum(axis=1)  # how often each byte occurs in it
        self._tokens = tokens
        self._codes = codes  # the characters of the char table, sorted code points
        self._chars = chars
        self._positions: OrderedDict[bytes, Longs] = OrderedDict()
        self._lock = threading.Lock()
        self._checksum = 0
        self._body: memoryview | None = None

    @property
    def vocabulary_size(self) -> int:
        """How many distinct tokens the entries hold."""
        return int(self._starts.size - 1)

    # -- searching --------------------------------------------------------------------------

    def entries_with(self, word: bytes) -> Ints:
        """Sorted entry numbers whose text contains `word` (UTF-8, no whitespace)."""
        if any(space in word for space in WHITESPACE):
            raise ValueError(f"a word without whitespace is looked for, not {word!r}")
        if not word:
            return np.arange(self.count, dtype=np.int32)
        char = _single_char(word)
        if char is not None:
            return self._char_entries(char)
        positions = self._occurrences(word)
        if not positions.size:
            return np.empty(0, dtype=np.int32)
        holders = np.clip(np.searchsorted(self._starts, positions, side="right") - 1, 0, max(self.vocabulary_size - 1, 0))
        # positions ascend, so the tokens they fall in do too: drop the repeats.
        tokens = holders[np.concatenate(([True], holders[1:] != holders[:-1]))].astype(np.int32)
        return self._tokens.union(tokens, self.count)

    def _char_entries(self, code: int) -> Ints:
        codes = self._codes
        place = int(np.searchsorted(codes, code))
        if place >= codes.size or codes[place] != code:
            return np.empty(0, dtype=np.int32)
        return self._chars.entries(place, self.count)

    def _occurrences(self, word: bytes) -> Longs:
        """Every place `word` starts in the vocabulary, ascending (overlapping ones too)."""
        with self._lock:
            known = self._positions.get(word)
            if known is not None:
                self._positions.move_to_end(word)
                return known
            base: tuple[bytes, Longs] | None = None
            for other, places in self._positions.items():
                if other in word and (base is None or places.size < base[1].size):
                    base = (other, places)
        if base is None:
            places = self._find(word)
        else:
            # Where `word` occurs, base[0] occurs `shift` bytes further on: check only there.
            shift = word.find(base[0])
            places = self._check(word, base[1] - shift, range(shift, shift + len(base[0])))
        with self._lock:
            self._positions[word] = places
            if len(self._positions) > REMEMBERED_WORDS:
                self._positions.popitem(last=False)
        return places

    def _find(self, word: bytes) -> Longs:
        """Every place `word` starts in the vocabulary, found from scratch."""
        runs = self._pairs.runs(word, self._vocabulary.size)
        # The regular expression engine looks for a word in C at gigabytes a second, but makes
        # an object for each match and skips matches that overlap one found: it is asked only
        # for words that cannot overlap themselves and that occur seldom (no more often than
        # the rarest two bytes of the word do).
        if len(word) > 1 and not _overlaps_itself(word) and self._pairs.rarest(word) <= FOUND_ONE_BY_ONE:
            pattern = re.compile(re.escape(word))
            text = self._vocabulary.data
            ends = [min(stop + len(word) - 1, len(text)) for _, stop in runs]
            return np.fromiter((match.start() for (start, _), end in zip(runs, ends) for match in pattern.finditer(text, start, end)), dtype=np.int64)
        # Otherwise numpy: the places of the word's rarest byte, then the others checked there.
        anchor = min(range(len(word)), key=lambda i: int(self._byte_counts[word[i]]))
        found = [self._check(word, self._starting(word[anchor], start + anchor, stop + anchor) - anchor, range(anchor, anchor + 1)) for start, stop in runs]
        return np.concatenate(found) if found else np.empty(0, dtype=np.int64)

    def _starting(self, byte: int, start: int, stop: int) -> Longs:
        """The places from `start` to `stop` where the vocabulary holds `byte`."""
        return np.flatnonzero(self._vocabulary[start:stop] == byte) + start

    def _check(self, word: bytes, places: Longs, known: range) -> Longs:
        """Those of `places` where `word` starts, its bytes at offsets `known` being known to
        match there."""
        vocabulary = self._vocabulary
        places = places[(places >= 0) & (places <= vocabulary.size - len(word))]
        for i in sorted(range(len(word)), key=lambda i: int(self._byte_counts[word[i]])):
            if i in known or not places.size:
                continue
            places = places[vocabulary[places + i] == word[i]]
        return places

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, texts: Sequence[bytes]) -> TokenIndex:
        """The index of `texts` (entry i's folded text is texts[i], as search.search_bytes makes it)."""
        count = len(texts)
        vocab, blocks, occurrences = _tokenise(texts)
        tokens = _token_sets(blocks, occurrences, count)
        del blocks
        vocabulary = np.frombuffer(JOINER.join(vocab) + JOINER, dtype=np.uint8) if vocab else np.empty(0, dtype=np.uint8)
        lengths = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab)) + len(JOINER)
        starts = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        codes, chars = _char_table(vocabulary, tokens, count)
        return cls(count, vocabulary, starts, _Pairs.of(vocabulary), tokens, codes, chars)

    # -- the file ---------------------------------------------------------------------------

    def _arrays(self) -> list[NDArray[np.generic]]:
        return [self._vocabulary, self._starts, *self._pairs.arrays(), *self._tokens.arrays(), self._codes, *self._chars.arrays()]

    def save(self, path: Path, key: bytes) -> None:
        """Write the index to `path` atomically, for `open` with the same `key` and entry count.

        Layout (little-endian): the header — magic, version, header size, entry count, key
        length, key, then each section's offset and size, a CRC-32 of the body and one of the
        header before it — and the sections, each at a multiple of 64 bytes: the vocabulary,
        token starts, the pairs of bytes (counts, map of blocks), the token sets (offsets,
        dense rows, postings, bitsets), the characters' code points and their sets.
        Raises OSError.
        """
        arrays = [np.ascontiguousarray(a, dtype=dtype) for a, dtype in zip(self._arrays(), DTYPES)]
        head_size = _HEAD.size + len(key) + _SECTION.size * len(arrays) + 2 * _CHECKSUMS.size
        sections: list[tuple[int, int]] = []
        place = _aligned(head_size)
        for a in arrays:
            sections.append((place, a.nbytes))
            place = _aligned(place + a.nbytes)
        checksum = 0
        for piece in _body_pieces(arrays, sections, head_size):
            checksum = zlib.crc32(piece, checksum)
        head = _HEAD.pack(MAGIC, VERSION, head_size, self.count, len(key)) + key
        head += b"".join(_SECTION.pack(*section) for section in sections) + _CHECKSUMS.pack(checksum)
        head += _CHECKSUMS.pack(zlib.crc32(head))
        with atomic_file(Path(path), durable=False) as handle:
            handle.write(head)
            _write_body(handle, arrays, sections, head_size)

    @classmethod
    def open(cls, path: Path, key: bytes, count: int) -> TokenIndex | None:
        """The index saved at `path` for `key` and `count` entries, mapped into memory; None when
        the file is missing, unreadable, foreign, truncated, or made for another key or count.

        Checked here: the header (magic, version, key, count, its CRC-32), that every section
        lies inside the file, and that the arrays' sizes and end offsets agree with each other.
        Not checked (that would read the whole file): the body's contents; `verify` does. A
        damaged body gives wrong search results, never an exception. The mapping stays valid
        when `save` replaces the file (the old one lives on until unmapped); a file cut short
        in place while mapped would end the process (SIGBUS), which is why it is only ever
        replaced.
        """
        try:
            with open(path, "rb") as handle:
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # missing, a directory, empty, unreadable
            return None
        try:
            return cls._from_buffer(memoryview(mapped), key, count)
        except (Unusable, struct.error, ValueError, IndexError, OverflowError):
            return None

    @classmethod
    def _from_buffer(cls, buffer: memoryview, key: bytes, count: int) -> TokenIndex:
        magic, version, head_size, stored_count, key_size = _HEAD.unpack_from(buffer, 0)
        if magic != MAGIC or version != VERSION:
            raise Unusable("not a token index of this version")
        sizes = _HEAD.size + key_size + _SECTION.size * SECTIONS + 2 * _CHECKSUMS.size
        if head_size != sizes or head_size > len(buffer):
            raise Unusable("header size")
        (head_checksum,) = _CHECKSUMS.unpack_from(buffer, head_size - _CHECKSUMS.size)
        if zlib.crc32(buffer[: head_size - _CHECKSUMS.size]) != head_checksum:
            raise Unusable("header checksum")
        if stored_count != count or bytes(buffer[_HEAD.size : _HEAD.size + key_size]) != key:
            raise Unusable("another library")
        table = _HEAD.size + key_size
        sections = [_SECTION.unpack_from(buffer, table + i * _SECTION.size) for i in range(SECTIONS)]
        arrays = [_section(buffer, offset, size, dtype) for (offset, size), dtype in zip(sections, DTYPES)]
        index = cls._assemble(count, arrays)
        (index._checksum,) = _CHECKSUMS.unpack_from(buffer, head_size - 2 * _CHECKSUMS.size)
        index._body = buffer[head_size:]
        return index

    @classmethod
    def _assemble(cls, count: int, arrays: list[NDArray[np.generic]]) -> TokenIndex:
        vocabulary, starts, pair_counts, pair_blocks, t_offsets, t_rows, t_postings, t_bits, codes, c_offsets, c_rows, c_postings, c_bits = arrays
        if starts.size < 1 or starts[0] != 0 or starts[-1] != vocabulary.size:
            raise Unusable("vocabulary")
        width = _words(count)
        tokens = _sets_of(t_offsets, t_rows, t_postings, t_bits, width, starts.size - 1)
        chars = _sets_of(c_offsets, c_rows, c_postings, c_bits, width, codes.size)
        if pair_counts.size != 256 * 256 or pair_blocks.size != _pair_blocks(vocabulary.size) * 256 * 256 // 8:
            raise Unusable("pairs")
        pairs = _Pairs(pair_counts, pair_blocks.reshape(-1, 256 * 256 // 8))  # type: ignore[arg-type]
        return cls(count, vocabulary, starts, pairs, tokens, codes, chars)  # type: ignore[arg-type]

    def verify(self) -> bool:
        """Whether the body of the file this index was opened from is as it was written (reads
        it all: for a worker thread). An index built in memory is always whole."""
        if self._body is None:
            return True
        return zlib.crc32(self._body) == self._checksum


SECTIONS = 13
DTYPES: list[np.dtype[np.generic]] = [
    np.dtype(np.uint8), np.dtype("<i8"), np.dtype("<i8"), np.dtype(np.uint8),
    np.dtype("<i8"), np.dtype("<i4"), np.dtype("<i4"), np.dtype("<u8"),
    np.dtype("<i4"),
    np.dtype("<i8"), np.dtype("<i4"), np.dtype("<i4"), np.dtype("<u8"),
]  # fmt: skip


def build_and_save(texts: list[bytes], path: str, key: bytes) -> None:
    """Build the index of `texts` and save it at `path` for `key`: for a worker process (the
    arguments pickle, and only this module and numpy are needed)."""
    TokenIndex.build(texts).save(Path(path), key)


# -- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """The token numbers of a block of texts, text by text (a token repeated in a text is
    repeated here), and how many each text has."""

    first: int  # the block's first text
    tokens: Ints
    per_text: Longs


def _tokenise(texts: Sequence[bytes]) -> tuple[list[bytes], list[_Block], Longs]:
    """The distinct tokens (in order of first appearance), the texts' tokens block by block,
    and how often each token occurs."""
    numbers: dict[bytes, int] = {}
    blocks: list[_Block] = []
    occurrences = np.zeros(0, dtype=np.int64)
    for first in range(0, len(texts), TEXTS_AT_ONCE):
        block = _number_tokens(first, texts[first : first + TEXTS_AT_ONCE], numbers)
        blocks.append(block)
        # Counted a block at a time: bincount makes a 64-bit copy of what it counts.
        counted = np.bincount(block.tokens, minlength=len(numbers))
        counted[: occurrences.size] += occurrences
        occurrences = counted
    return list(numbers), blocks, occurrences


def _number_tokens(first: int, texts: Sequence[bytes], numbers: dict[bytes, int]) -> _Block:
    """The tokens of a block of texts; a token first seen here is added to `numbers`."""
    # A new token is first given the next value of a counter running down from -1 that every
    # token of the block advances, so the C loop of map() does all the work; the block's new
    # tokens are then numbered on from the known ones. Repeats within a text are dropped
    # later, with numpy: a set per text would cost more.
    known = len(numbers)
    first_seen = numbers.setdefault
    ticks = counter(-1, -1)
    seen = array("q")
    per_text = array("q")
    for tokens in map(bytes.split, texts):
        seen.extend(map(first_seen, tokens, ticks))
        per_text.append(len(tokens))
    values = np.frombuffer(seen, dtype=np.int64) if seen else np.empty(0, dtype=np.int64)
    fresh = list(islice(reversed(numbers.items()), len(numbers) - known))[::-1]
    renumber = np.zeros(values.size, dtype=np.int32)
    renumber[-1 - np.fromiter((tick for _, tick in fresh), dtype=np.int64, count=len(fresh))] = np.arange(known, len(numbers), dtype=np.int32)
    numbers.update(zip((token for token, _ in fresh), range(known, len(numbers))))
    ids = values.astype(np.int32)
    new = values < 0
    ids[new] = renumber[-1 - values[new]]
    return _Block(first, ids, np.array(per_text, dtype=np.int64))


def _words(count: int) -> int:
    """64-bit words in a bitset over `count` entries."""
    return (count + 63) // 64


def _listed_up_to(count: int) -> int:
    """The largest set of entries (out of `count`) kept as a list of 4-byte entry numbers; a
    larger one is a bitset, which then takes fewer bytes."""
    return _words(count) * 2


def _token_sets(blocks: list[_Block], occurrences: Longs, count: int) -> _Sets:
    """Each token's set of entries, from the texts' tokens and how often each occurs."""
    # Repeats make a token look more common than it is: that only chooses its kind of set.
    dense = occurrences > _listed_up_to(count)
    rows = np.full(occurrences.size, -1, dtype=np.int32)
    rows[dense] = np.arange(int(dense.sum()), dtype=np.int32)
    bits = np.zeros((int(dense.sum()), _words(count) * 8), dtype=np.uint8)
    listed: list[tuple[Ints, Ints]] = []
    for block in blocks:
        entries = np.repeat(np.arange(block.first, block.first + block.per_text.size, dtype=np.int32), block.per_text)
        block_rows = rows[block.tokens]
        sparse = block_rows < 0
        listed.append((block.tokens[sparse], entries[sparse]))
        _set_bits(bits, block, block_rows[~sparse], entries[~sparse])
    keys = np.concatenate([keys for keys, _ in listed]) if listed else np.empty(0, dtype=np.int32)
    # A stable sort keeps each token's entries in entry order, and a repeated pair side by side.
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    postings = (np.concatenate([entries for _, entries in listed]) if listed else np.empty(0, dtype=np.int32))[order]
    once = np.ones(postings.size, dtype=np.bool_)
    once[1:] = (keys[1:] != keys[:-1]) | (postings[1:] != postings[:-1])
    offsets = np.zeros(occurrences.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys[once], minlength=occurrences.size), out=offsets[1:])
    return _Sets(offsets, rows, postings[once], bits.view(np.uint64))


def _set_bits(bits: Bytes, block: _Block, rows: Ints, entries: Ints) -> None:
    """Set the bits of (row, entry) pairs of a block of entries, through an unpacked matrix of
    the block: at most 32 times the distinct tokens an entry has on average, by the choice of
    dense rows, times the block's entries."""
    if not bits.shape[0]:
        return
    size = block.per_text.size
    matrix = np.zeros((bits.shape[0], size), dtype=np.bool_)
    matrix[rows, entries - block.first] = True
    start = block.first // 8  # blocks start at a multiple of 8 entries
    bits[:, start : start + (size + 7) // 8] = np.packbits(matrix, axis=1, bitorder="little")


def _char_table(vocabulary: Bytes, tokens: _Sets, count: int) -> tuple[Ints, _Sets]:
    """Each character's set of entries: the union of the sets of the tokens holding it."""
    codes, holders, firsts = _holders(vocabulary)
    width = _words(count)
    offsets = np.zeros(codes.size + 1, dtype=np.int64)
    rows = np.full(codes.size, -1, dtype=np.int32)
    postings: list[Ints] = []
    bitsets: list[Bits] = []
    for place in range(codes.size):
        mask = tokens.mask(holders[firsts[place] : firsts[place + 1]], count)
        if np.count_nonzero(mask) > _listed_up_to(count):
            rows[place] = len(bitsets)
            packed = np.zeros(width * 8, dtype=np.uint8)
            packed[: (count + 7) // 8] = np.packbits(mask, bitorder="little")
            bitsets.append(packed.view(np.uint64))
            found = np.empty(0, dtype=np.int32)
        else:
            found = np.flatnonzero(mask).astype(np.int32)
        postings.append(found)
        offsets[place + 1] = offsets[place] + found.size
    bits = np.stack(bitsets) if bitsets else np.zeros((0, width), dtype=np.uint64)
    flat = np.concatenate(postings) if postings else np.empty(0, dtype=np.int32)
    return codes, _Sets(offsets, rows, flat.astype(np.int32), bits)


def _holders(vocabulary: Bytes) -> tuple[Ints, Ints, Longs]:
    """The characters of the vocabulary (sorted code points), the tokens holding each (ascending,
    character by character) and where each character's tokens begin among them."""
    # Bytes that are not UTF-8 decode to surrogates, each on its own, and never swallow the
    # whole character after them: so a character is in the decoded token exactly when its
    # UTF-8 is in the token's bytes.
    text = vocabulary.tobytes().decode("utf-8", "surrogateescape")
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    joiner = points == ord(JOINER)
    token = np.cumsum(joiner) - joiner  # each token ends at its joiner
    # Surrogates stand for such bytes (or for a lone surrogate): those "characters" are looked
    # for in the vocabulary like any word.
    kept = ~joiner & ((points < 0xD800) | (points > 0xDFFF))
    points, token = points[kept], token[kept]
    # A stable sort keeps each character's tokens ascending, and a repeat within a token next
    # to the first.
    order = np.argsort(points, kind="stable")
    points, token = points[order], token[order]
    once = np.ones(points.size, dtype=np.bool_)
    once[1:] = (points[1:] != points[:-1]) | (token[1:] != token[:-1])
    points, token = points[once], token[once]
    codes, firsts = np.unique(points, return_index=True)
    return codes.astype(np.int32), token.astype(np.int32), np.append(firsts, points.size).astype(np.int64)


def _pair_blocks(size: int) -> int:
    """Blocks of the pair map of a vocabulary of `size` bytes (a pair starts at each byte but
    the last)."""
    return -(-max(size - 1, 0) // PAIR_BLOCK)


def _overlaps_itself(word: bytes) -> bool:
    """Whether two occurrences of `word` can overlap: some start of it is also its end."""
    return any(word[:size] == word[-size:] for size in range(1, len(word)))


def _single_char(word: bytes) -> int | None:
    """The code point of `word` when it is the UTF-8 of one character (not a surrogate)."""
    if len(word) > 4:
        return None
    try:
        text = word.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return ord(text) if len(text) == 1 else None


# -- the file -------------------------------------------------------------------------------


def _aligned(place: int) -> int:
    return -(-place // ALIGN) * ALIGN


def _body_pieces(arrays: list[NDArray[np.generic]], sections: list[tuple[int, int]], head_size: int) -> Iterator[bytes | memoryview]:
    """The bytes after the header: each array's, after the padding that aligns it."""
    place = head_size
    for a, (offset, size) in zip(arrays, sections):
        yield bytes(offset - place)
        yield a.reshape(-1).view(np.uint8).data
        place = offset + size


def _write_body(handle: BinaryIO, arrays: list[NDArray[np.generic]], sections: list[tuple[int, int]], head_size: int) -> None:
    for piece in _body_pieces(arrays, sections, head_size):
        handle.write(piece)


def _section(buffer: memoryview, offset: int, size: int, dtype: np.dtype[np.generic]) -> NDArray[np.generic]:
    if offset % ALIGN or offset + size > len(buffer) or size % dtype.itemsize:
        raise Unusable("section")
    if size == 0:
        return np.empty(0, dtype=dtype)
    return np.frombuffer(buffer, dtype=dtype, count=size // dtype.itemsize, offset=offset)


def _sets_of(offsets: NDArray[np.generic], rows: NDArray[np.generic], postings: NDArray[np.generic], bits: NDArray[np.generic], width: int, keys: int) -> _Sets:
    """Sets from mapped arrays, when their sizes agree."""
    if offsets.size != keys + 1 or rows.size != keys or offsets[0] != 0 or offsets[-1] != postings.size:
        raise Unusable("sets")
    if width == 0:
        if bits.size:
            raise Unusable("bitsets")
        matrix = bits.reshape(0, 0)
    else:
        if bits.size % width:
            raise Unusable("bitsets")
        matrix = bits.reshape(-1, width)
    return _Sets(offsets, rows, postings, matrix)  # type: ignore[arg-type]
