"""state.toml as the store writes it is read without tomllib: the same state either way."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from digest_tui import state as S

BASE = datetime(2020, 1, 1, tzinfo=timezone.utc)


def read_with_tomllib(text: str):
    try:
        original, S._parse_canonical = S._parse_canonical, lambda text, lines: None
        return S._parse(text)
    except ValueError:
        return "error"
    finally:
        S._parse_canonical = original


def read_fast(text: str, lines=None):
    try:
        return S._parse(text, lines)
    except ValueError:
        return "error"


def random_state(rng: random.Random) -> S.State:
    state = S.State()
    for n in range(rng.randint(0, 30)):
        key = rng.choice([f"k{n}", f"0123abcd{n:04x}", f"key_{n}-x"])
        at = BASE + timedelta(seconds=rng.randrange(100), microseconds=rng.choice([0, 0, 5, 500000]))
        kind = rng.random()
        if kind < 0.4:
            state.read[key] = S.Mark(rng.random() < 0.7, at)
        elif kind < 0.8:
            state.bookmarks[key] = S.Mark(rng.random() < 0.7, at, rng.choice(["", "n", "a b", " x", 'say "hi"', "tab\there", "한글 메모"]))
        else:
            state.read[key] = S.Mark(True, at)
            state.bookmarks[key] = S.Mark(False, at, "z")
    return state


def variants(text: str, state: S.State) -> list[str]:
    out = [
        text,
        text.replace("version = 1\n", ""),
        text + "\n# a comment at the end\n",
        text.replace("\n", "\r\n"),
        "\ufeff" + text,
        text.replace("version = 1", "version = 2"),
        text.replace("[read]\n", "[read]\nbad = 2020-02-30T00:00:00Z\n"),
        text.replace("[read]\n", "[read]\ndup = 2020-01-01T00:00:00Z\ndup = 2020-01-01T00:00:01Z\n"),
        text.replace("[read]\n", "[read]\n\"quoted key\" = 2020-01-01T00:00:00Z\n"),
        text.replace("[read]\n", "[read]\nlocal = 2020-01-01T00:00:00\n"),
        text.replace("[read]\n", "[read]\noffset = 2020-01-01T09:00:00+09:00\n"),
        text.replace("[read]\n", "[read]\nfraction = 2020-01-01T00:00:00.5Z\n"),
        text.replace("[bookmarks]\n", "[bookmarks]\nempty = { at = 2020-01-01T00:00:00Z, note = \"\" }\n"),
        text.replace("[bookmarks]\n", "[bookmarks]\n[bookmarks]\n"),
        text.replace("[unbookmarked]\n", "[unbookmarked]\n[other]\n"),
        text.replace(" = ", "  =  ", 1),
        text.rstrip("\n"),
        text + "stray",
    ]
    if state.read:
        first = next(iter(state.read))
        out.append(text.replace("[unread]\n", f"[unread]\n{first} = 2020-01-01T00:00:50Z\n"))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_the_fast_reading_gives_what_tomllib_gives(seed):
    rng = random.Random(seed)
    state = random_state(rng)
    text = S.dump_state(state)
    assert read_fast(text) == read_with_tomllib(text) == (state, [])
    for variant in variants(text, state):
        assert read_fast(variant) == read_with_tomllib(variant), variant


@pytest.mark.parametrize("seed", range(20))
def test_the_lines_it_keeps_are_the_lines_a_save_writes(seed):
    rng = random.Random(seed)
    text = S.dump_state(random_state(rng))
    for variant in variants(text, S.State())[:3]:
        lines: dict = {}
        result = read_fast(variant, lines)
        if result == "error":
            continue
        state = result[0]
        fresh: dict = {}
        assert S._dump(state, lines) == S._dump(state, fresh) == S.dump_state(state)
        for kind, kept in lines.items():
            for key, (mark, line) in kept.items():
                if mark is getattr(state, kind).get(key):
                    assert fresh[kind][key][1] == line


def test_marks_made_fast_are_real_marks():
    text = S.dump_state(S.State({"a": S.Mark(True, BASE)}, {"b": S.Mark(False, BASE, "n")}))
    state, _ = S._parse(text)
    mark = state.read["a"]
    assert mark == S.Mark(True, BASE) and hash(mark) == hash(S.Mark(True, BASE)) and mark.at.tzinfo is S.UTC
    with pytest.raises(AttributeError):
        mark.on = False  # type: ignore[misc]
    assert state.bookmarks["b"] == S.Mark(False, BASE, "n")
