"""The token index answers every search word exactly as scanning the texts does, from memory or
from its file; a file that is missing, foreign, truncated or damaged is refused or harmless."""

from __future__ import annotations

import random
import struct
import threading
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.digest import tokens as tokens_module
from digest_tui.digest.library import bundled_seeds, load_library
from digest_tui.digest.model import Details, Entry
from digest_tui.digest.search import SearchIndex, fold, search_bytes
from digest_tui.digest.tokens import SECTIONS, TokenIndex, build_and_save

KEY = b"library-key"
TYPED = ["transformer", "reasoning model", "모델", "추론을", "#efficiency", "zqxjv"]
"""Queries typed a letter at a time (the benchmark's)."""


def scan(texts: Sequence[bytes], word: bytes) -> list[int]:
    return [i for i, text in enumerate(texts) if word in text]


def prefixes(query: str) -> Iterator[str]:
    return (query[:n] for n in range(1, len(query) + 1))


def substrings(token: str, longest: int = 8) -> Iterator[str]:
    for start in range(len(token)):
        for end in range(start + 1, min(len(token), start + longest) + 1):
            yield token[start:end]


def make_entry(number: int, title: str, authors: tuple[str, ...] = (), abstract: str = "", commentary: str = "", tags: tuple[str, ...] = ()) -> Entry:
    details = Details(authors=authors, abstract=abstract, commentary=commentary)
    return Entry(str(number), date(2024, 8, 14), title, tags, "generated.txt", number + 1, number + 1, attached=details)


# -- the seed library ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds():
    library = load_library([bundled_seeds()])
    texts = [search_bytes(entry) for entry in library.entries]
    return library.entries, texts, TokenIndex.build(texts)


def test_seed_library_typed_queries_find_what_the_scan_finds(seeds):
    entries, texts, tokens = seeds
    scanned = SearchIndex(entries, texts)
    indexed = SearchIndex(entries, tokens=tokens)
    found_any = False
    for query in TYPED + ["Transformer 모델", "ＬＬＭ", "llm + mcts", "  ", "#search", "8.7x", "a", "가"]:
        for typed in prefixes(query):
            assert indexed.search(typed) == scanned.search(typed), typed
            found_any = found_any or bool(indexed.search(typed))
    assert found_any


def test_every_substring_of_seed_tokens_finds_what_the_scan_finds(seeds):
    _, texts, tokens = seeds
    vocabulary = sorted({token for text in texts for token in text.decode("utf-8", "surrogatepass").split()})
    for token in vocabulary[:: max(1, len(vocabulary) // 60)]:
        for word in substrings(token):
            encoded = word.encode("utf-8", "surrogatepass")
            assert tokens.entries_with(encoded).tolist() == scan(texts, encoded), word


# -- generated texts -------------------------------------------------------------------------

WORDS = [
    # Korean, with the particles that make a word a token of its own
    "모델", "모델은", "모델을", "언어모델의", "추론을", "추론", "가", "의", "강화학습으로", "했군요.",
    # full-width letters and digits, folded by NFKC to ASCII
    "ＧＰＴ－４", "ＬＬＭ", "１２３",
    # punctuation glued to words
    "(LLM)", "e.g.,", "state-of-the-art", "x^2", "“quoted”", "[1]", "GSM8K,", "63.91%", "https://github.com/a/b.",
    # one and two letters
    "a", "I", "of", "AI", "x", "가나",
    # repeats, for overlapping matches
    "aaaa", "abab", "모모모",
    # case and composition: folded to the same text
    "Transformer", "TRANSFORMERS", "Straße", "café", "cafe\u0301", "Ǆ",
    # beyond the Basic Multilingual Plane, and whitespace that bytes.split() does not split at
    "🤖", "robot🤖", "left\u2028right", "one\x1ctwo", "nbsp\xa0joined", "ideo\u3000graphic",
    # a lone surrogate, as a damaged file may give
    "odd\ud800one",
]  # fmt: skip
ABSENT = ["zqxjv", "없는말", "ＺＱＸ", "🦜", "aaaaaaaaaa", "모델을을", "\ud801"]


def generated_entries(count: int, seed: int = 7) -> list[Entry]:
    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n))

    return [
        make_entry(
            number,
            title=words(rng.randint(1, 6)),
            authors=tuple(words(2) for _ in range(rng.randint(0, 3))),
            abstract=words(rng.randint(0, 30)),
            commentary=words(rng.randint(0, 12)),
            tags=tuple(rng.choice(["llm", "모델", "rl", "efficiency", "a"]) for _ in range(rng.randint(0, 2))),
        )
        for number in range(count)
    ]


@pytest.fixture(scope="module")
def generated():
    entries = generated_entries(300)
    texts = [search_bytes(entry) for entry in entries]
    return entries, texts, TokenIndex.build(texts)


def test_generated_words_whole_and_in_part_find_what_the_scan_finds(generated):
    entries, texts, tokens = generated
    scanned = SearchIndex(entries, texts)
    indexed = SearchIndex(entries, tokens=tokens)
    for word in WORDS + ABSENT:
        for query in [word, *substrings(fold(word), longest=12), word.upper(), f"{word} a", f"모델 {word}"]:
            assert indexed.search(query) == scanned.search(query), query
    for query in ABSENT:
        assert indexed.search(query) == []


def test_words_at_the_edges_of_fields_are_found(generated):
    entries, texts, tokens = generated
    indexed = SearchIndex(entries, tokens=tokens)
    first_title_word = fold(entries[0].title.split()[0])
    last_tag = next(f"#{entry.tags[-1]}" for entry in entries if entry.tags)
    for word in (first_title_word, last_tag, fold(entries[0].title.split()[-1])):
        assert indexed.search(word) == scan(texts, word.encode("utf-8", "surrogatepass")) != []


@pytest.mark.parametrize("one_by_one", [0, 10**9], ids=["numpy finds every word", "the regular expression engine finds every word it can"])
@pytest.mark.parametrize("block", [1 << 16, 16, 1], ids=["one block of pairs", "words across two blocks of pairs", "words across many blocks"])
def test_every_byte_string_inside_a_token_finds_what_the_scan_finds(generated, monkeypatch, one_by_one, block):
    """Parts of a character's UTF-8 too: the index works on bytes, as the scan does."""
    monkeypatch.setattr(tokens_module, "FOUND_ONE_BY_ONE", one_by_one)
    monkeypatch.setattr(tokens_module, "PAIR_BLOCK", block)
    _, texts, _ = generated
    vocabulary = {token for text in texts for token in text.split()}
    words = sorted({token[start:end] for token in vocabulary for start in range(len(token)) for end in range(start + 1, min(len(token), start + 8) + 1)})
    # Longest first, each word is looked for from scratch (none remembered is inside it);
    # shortest first, most are looked for where a shorter one was found.
    for order in (sorted(words, key=len, reverse=True), sorted(words, key=len)):
        tokens = TokenIndex.build(texts)
        for word in order:
            assert tokens.entries_with(word).tolist() == scan(texts, word), word


BYTE_PIECES = [
    b"a", b"b", b"ab", b"ba", b"#", b"-", b".", b" ", b"\n", b"\t", b"\x1c",
    "가".encode(), "나".encode(), "é".encode(), "🤖".encode(), "\u2028".encode(),
    b"\xe0", b"\xc3", "가".encode()[:2], "\ud800".encode("utf-8", "surrogatepass"),
]  # fmt: skip
"""Whole characters, broken ones and a lone surrogate's bytes: a text need not be valid UTF-8."""
SPACES = b" \t\n\r\x0b\x0c"


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(BYTE_PIECES), max_size=12).map(b"".join), max_size=12),
    st.lists(st.lists(st.sampled_from([p for p in BYTE_PIECES if p not in SPACES]), min_size=1, max_size=4).map(b"".join), min_size=1, max_size=6),
)
def test_any_bytes_and_any_word_find_what_the_scan_finds(texts, words):
    tokens = TokenIndex.build(texts)
    for word in words:
        assert tokens.entries_with(word).tolist() == scan(texts, word), word
        for piece in BYTE_PIECES:  # every single character, the char table's answers
            if piece not in SPACES:
                assert tokens.entries_with(piece).tolist() == scan(texts, piece), piece


def test_a_word_with_whitespace_is_refused_and_the_empty_word_is_everywhere(generated):
    _, texts, tokens = generated
    with pytest.raises(ValueError):
        tokens.entries_with(b"two words")
    assert tokens.entries_with(b"").tolist() == list(range(len(texts)))


# -- SearchIndex with tokens -----------------------------------------------------------------


class CountedOnly(Sequence[Entry]):
    """Entries that may be counted but not read: reading one would load it from its file."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        raise AssertionError("an entry was read")


def test_an_index_from_tokens_alone_never_reads_an_entry(generated):
    entries, texts, tokens = generated
    indexed = SearchIndex(CountedOnly(len(entries)), tokens=tokens)
    assert indexed.texts is None and indexed.tokens is tokens
    assert indexed.search("모델 a") == SearchIndex(entries, texts).search("모델 a") != []
    assert indexed.search("   ") == list(range(len(entries)))


def test_tokens_given_later_take_over_and_the_texts_are_let_go(generated):
    entries, texts, tokens = generated
    index = SearchIndex(entries, texts)
    before = {query: index.search(query) for query in ["모", "모델", "ＧＰＴ", "café a"]}
    index.use_tokens(tokens)
    assert index.texts is None and index.tokens is tokens
    assert {query: index.search(query) for query in before} == before
    with pytest.raises(ValueError):
        index.use_tokens(TokenIndex.build(texts[:-1]))
    with pytest.raises(ValueError):
        SearchIndex(entries, tokens=TokenIndex.build(texts[:-1]))


def test_searches_in_threads_while_the_tokens_arrive(generated):
    entries, texts, tokens = generated
    queries = [typed for query in ["transformer", "모델을", "state-of", "robot🤖 a"] for typed in prefixes(query)]
    expected = SearchIndex(entries, texts)
    want = {query: expected.search(query) for query in queries}
    index = SearchIndex(entries, texts)
    started = threading.Barrier(3)

    def search_all() -> dict[str, list[int]]:
        started.wait()
        return {query: index.search(query) for query in queries * 5}

    with ThreadPoolExecutor(2) as pool:
        results = [pool.submit(search_all) for _ in range(2)]
        started.wait()
        index.use_tokens(tokens)
        assert all(result.result() == want for result in results)


# -- the file --------------------------------------------------------------------------------


@pytest.fixture
def saved(generated, tmp_path: Path):
    entries, texts, tokens = generated
    path = tmp_path / "tokens.bin"
    tokens.save(path, KEY)
    return path, entries, texts


QUERIES = [b"a", b"ab", b"\xeb\xaa\xa8\xeb\x8d\xb8", b"gpt-4", b"state-of-the-art", b"zqxjv", b"#llm", b"caf", b"\xe2\x80\xa8", b"\xed\xa0\x80"]


def test_a_saved_index_opens_and_answers_the_same(saved, generated):
    path, entries, texts = saved
    opened = TokenIndex.open(path, KEY, len(texts))
    assert opened is not None and opened.verify()
    assert opened.vocabulary_size == generated[2].vocabulary_size
    for word in QUERIES:
        assert opened.entries_with(word).tolist() == scan(texts, word), word
    index = SearchIndex(CountedOnly(len(entries)), tokens=opened)
    assert index.search("모델 café") == SearchIndex(entries, texts).search("모델 café")


def test_saving_again_replaces_the_file_an_open_index_still_reads(saved, generated):
    path, _, texts = saved
    opened = TokenIndex.open(path, KEY, len(texts))
    assert opened is not None
    TokenIndex.build(texts[:10]).save(path, KEY)
    assert opened.entries_with(b"ab").tolist() == scan(texts, b"ab")
    assert TokenIndex.open(path, KEY, len(texts)) is None
    assert TokenIndex.open(path, KEY, 10) is not None


def test_open_refuses_another_library_or_entry_count(saved):
    path, _, texts = saved
    assert TokenIndex.open(path, b"another key", len(texts)) is None
    assert TokenIndex.open(path, KEY[:-1], len(texts)) is None
    assert TokenIndex.open(path, KEY, len(texts) + 1) is None


def test_open_refuses_what_is_not_an_index(tmp_path: Path, saved):
    path, _, texts = saved
    assert TokenIndex.open(tmp_path / "missing.bin", KEY, len(texts)) is None
    assert TokenIndex.open(tmp_path, KEY, len(texts)) is None  # a directory
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert TokenIndex.open(empty, KEY, len(texts)) is None
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(random.Random(1).randbytes(path.stat().st_size))
    assert TokenIndex.open(garbage, KEY, len(texts)) is None
    text = tmp_path / "text.bin"
    text.write_text("DTTOKIX\nnot really\n")
    assert TokenIndex.open(text, KEY, len(texts)) is None


def test_open_refuses_a_truncated_file(saved, tmp_path: Path):
    path, _, texts = saved
    data = path.read_bytes()
    cut = tmp_path / "cut.bin"
    for size in sorted({0, 1, 8, 30, 100, len(data) // 2, len(data) - 1}):
        cut.write_bytes(data[:size])
        assert TokenIndex.open(cut, KEY, len(texts)) is None, size


def test_a_changed_header_byte_is_refused(saved, tmp_path: Path):
    path, _, texts = saved
    data = path.read_bytes()
    changed = tmp_path / "changed.bin"
    for place in range(200):  # the header: magic, sizes, key, the section table
        changed.write_bytes(data[:place] + bytes([data[place] ^ 0x41]) + data[place + 1 :])
        assert TokenIndex.open(changed, KEY, len(texts)) is None, place


def with_section(data: bytes, number: int, offset: int, size: int) -> bytes:
    """`data` with section `number` moved to `offset` and resized to `size`, and the header's
    checksum made to match: a file a careless writer might make."""
    start = struct.calcsize("<8sIIQI")
    (key_size,) = struct.unpack_from("<I", data, start - 4)
    table = start + key_size
    head_size = table + 16 * SECTIONS + 8
    head = bytearray(data[: head_size - 4])
    struct.pack_into("<QQ", head, table + 16 * number, offset, size)
    return bytes(head) + struct.pack("<I", zlib.crc32(head)) + data[head_size:]


def test_sections_that_do_not_fit_are_refused_or_harmless(saved, tmp_path: Path):
    path, _, texts = saved
    data = path.read_bytes()
    start = struct.calcsize("<8sIIQI") + len(KEY)
    sections = [struct.unpack_from("<QQ", data, start + 16 * n) for n in range(SECTIONS)]
    crafted = tmp_path / "crafted.bin"
    for number, (offset, size) in enumerate(sections):
        for new_offset, new_size in [
            (offset, size + 8), (offset, max(0, size - 8)), (offset + 1, size), (offset + 64, size),
            (len(data), size), (len(data) - 64, 64), (0, size), (offset, 0), (offset, 2**63), (2**63, size),
        ]:  # fmt: skip
            crafted.write_bytes(with_section(data, number, new_offset, new_size))
            opened = TokenIndex.open(crafted, KEY, len(texts))
            if opened is not None:
                for word in QUERIES:
                    assert all(0 <= n < len(texts) for n in opened.entries_with(word).tolist())


def test_a_damaged_body_is_seen_by_verify_and_never_breaks_a_search(saved, tmp_path: Path):
    path, _, texts = saved
    data = path.read_bytes()
    damaged = tmp_path / "damaged.bin"
    rng = random.Random(3)
    opened_any = False
    for place in range(256, len(data), max(1, len(data) // 300)):
        damage = rng.choice([b"\xff" * 8, b"\x00" * 8, b"\x7f\xff\xff\xff" * 2, rng.randbytes(8)])
        changed = data[:place] + damage + data[place + len(damage) :]
        if changed == data:
            continue
        damaged.write_bytes(changed)
        opened = TokenIndex.open(damaged, KEY, len(texts))
        if opened is None:
            continue
        opened_any = True
        assert not opened.verify()
        for word in QUERIES:
            found = opened.entries_with(word)
            assert found.dtype == np.int32 and all(0 <= n < len(texts) for n in found.tolist())
    assert opened_any


def test_an_index_of_no_entries(tmp_path: Path):
    tokens = TokenIndex.build([])
    assert tokens.entries_with(b"a").tolist() == [] and tokens.vocabulary_size == 0
    tokens.save(tmp_path / "none.bin", KEY)
    opened = TokenIndex.open(tmp_path / "none.bin", KEY, 0)
    assert opened is not None and opened.verify()
    index = SearchIndex([], tokens=opened)
    assert index.search("모델") == [] and index.search("") == []


def test_entries_with_empty_texts(tmp_path: Path):
    texts = [b"", b"   ", b"", b"word"]
    tokens = TokenIndex.build(texts)
    tokens.save(tmp_path / "few.bin", KEY)
    opened = TokenIndex.open(tmp_path / "few.bin", KEY, 4)
    assert opened is not None
    for index in (tokens, opened):
        assert index.entries_with(b"or").tolist() == [3]
        assert index.entries_with(b"w").tolist() == [3]
        assert index.entries_with(b"x").tolist() == []


def test_a_worker_process_builds_and_saves_the_index(seeds, tmp_path: Path):
    entries, texts, _ = seeds
    path = tmp_path / "built.bin"
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        pool.submit(build_and_save, texts, str(path), KEY).result()
    opened = TokenIndex.open(path, KEY, len(texts))
    assert opened is not None and opened.verify()
    index = SearchIndex(CountedOnly(len(entries)), tokens=opened)
    assert index.search("reasoning 모델") == SearchIndex(entries, texts).search("reasoning 모델") != []
