"""Read marks laid out as the store writes them are taken out before tomllib reads the rest:
the same state, the same problems and the same errors as tomllib reading it all."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from digest_tui.disk import marks as S
from digest_tui.disk import stateformat
from digest_tui.disk.stateformat import _take_read_marks

BASE = datetime(2020, 1, 1, tzinfo=UTC)


def read(text: str, quick: bool):
    try:
        return stateformat.read_state_text(text, quick=quick)
    except ValueError as error:
        return f"error: {error}"  # the message too: a line number must point into the file


def read_with_tomllib(text: str):
    return read(text, quick=False)


def read_fast(text: str):
    return read(text, quick=True)


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


def earlier_layout(state: S.State) -> str:
    """`state` as digest-tui wrote it before tomli-w did: times with T and Z, inline bookmarks."""

    def time(mark: S.Mark) -> str:
        return mark.at.isoformat().replace("+00:00", "Z")

    out = ["version = 1\n"]
    for table, kind, on in (("read", "read", True), ("unread", "read", False), ("bookmarks", "bookmarks", True), ("unbookmarked", "bookmarks", False)):
        out.append(f"\n[{table}]\n")
        for key, mark in sorted(getattr(state, kind).items()):
            if mark.on is not on:
                continue
            if kind == "read":
                out.append(f"{key} = {time(mark)}\n")
            else:
                note = f", note = {json.dumps(mark.note, ensure_ascii=False)}" if mark.note else ""
                out.append(f"{key} = {{ at = {time(mark)}{note} }}\n")
    return "".join(out)


def variants(text: str, state: S.State) -> list[str]:
    out = [
        text,
        text.replace("version = 1\n", ""),
        text + "\n# a comment at the end\n",
        text.replace("\n", "\r\n"),
        "\ufeff" + text,
        text.replace("version = 1", "version = 2"),
        text.replace("[read]\n", "[read]\nbad = 2020-02-30T00:00:00Z\n"),
        text.replace("[read]\n", "[read]\nbad = 2020-02-30 00:00:00+00:00\n"),
        text.replace("[read]\n", "[read]\ndup = 2020-01-01T00:00:00Z\ndup = 2020-01-01T00:00:01Z\n"),
        text.replace("[read]\n", "[read]\n\"quoted key\" = 2020-01-01T00:00:00Z\n"),
        text.replace("[read]\n", "[read]\nlocal = 2020-01-01T00:00:00\n"),
        text.replace("[read]\n", "[read]\noffset = 2020-01-01T09:00:00+09:00\n"),
        text.replace("[read]\n", "[read]\nfraction = 2020-01-01T00:00:00.5Z\n"),
        text.replace("[read]\n", "[read]\n# a comment\n"),
        text.replace("[read]\n", "[read] # a comment\n"),
        text.replace("[read]\n", "[read]\nfar = 9999-12-31T23:59:59Z\n"),
        text.replace("[unread]\n", "[unread]\n[read]\n"),
        text.replace("[unread]\n", "[read.inner]\nx = 1\n[unread]\n"),
        text.replace("[unread]\n", "[unread]\nbroken = [\n"),
        text + 'text = """\n[read]\nhidden = 2020-01-01T00:00:00Z\n"""\n',
        text + "\n[bookmarks]\nempty = { at = 2020-01-01T00:00:00Z, note = \"\" }\n",
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
    for text in (stateformat.dump_state(state), earlier_layout(state)):
        assert read_fast(text) == read_with_tomllib(text) == (state, [])
        for variant in variants(text, state):
            assert read_fast(variant) == read_with_tomllib(variant), variant


@pytest.mark.parametrize("seed", range(10))
def test_the_read_marks_a_save_writes_are_all_taken_the_quick_way(seed):
    state = random_state(random.Random(seed))
    for text in (stateformat.dump_state(state), earlier_layout(state)):
        _, taken = _take_read_marks(text)
        assert taken["read"] == {key: mark for key, mark in state.read.items() if mark.on}
        assert taken["unread"] == {key: mark for key, mark in state.read.items() if not mark.on}


def test_a_broken_line_after_the_read_marks_is_reported_where_it_is():
    text = stateformat.dump_state(S.State({f"r{n}": S.Mark(True, BASE) for n in range(50)})) + "broken = 1 2\n"
    error = read_fast(text)
    assert error == read_with_tomllib(text) and f"line {text.count(chr(10))}," in error


def test_marks_made_fast_are_real_marks():
    text = stateformat.dump_state(S.State({"a": S.Mark(True, BASE)}, {"b": S.Mark(False, BASE, "n")}))
    state, _ = stateformat.read_state_text(text)
    mark = state.read["a"]
    assert mark == S.Mark(True, BASE) and hash(mark) == hash(S.Mark(True, BASE)) and mark.at.tzinfo is UTC
    with pytest.raises(AttributeError):
        mark.on = False  # type: ignore[misc]
    assert state.bookmarks["b"] == S.Mark(False, BASE, "n")
