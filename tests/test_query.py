"""The search language: parsing every construct, errors with their places, highlighting spans."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.config import Settings
from digest_tui.digest.filters import Filter
from digest_tui.digest.highlight import match_spans
from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.digest.query import AllOf, AnyOf, Dated, Marked, Marks, Match, Not, ParsedQuery, QueryError, parse_query, run_query
from digest_tui.digest.search import SearchIndex, fold, search_bytes
from digest_tui.digest.tokens import TokenIndex
from digest_tui.disk.store import StateStore
from digest_tui.session import ReadingSession


def root(text: str):
    parsed = parse_query(text)
    assert parsed.errors == [], parsed.errors
    return parsed.root


def only_error(text: str) -> QueryError:
    parsed = parse_query(text)
    assert len(parsed.errors) == 1, parsed.errors
    return parsed.errors[0]


# -- parsing -----------------------------------------------------------------------------


def test_an_empty_query_has_no_terms():
    assert parse_query("").root is None
    assert parse_query("   ").root is None
    assert parse_query("").errors == []


def test_words_are_folded_and_all_must_match():
    assert root("RL Reasoning") == AllOf((Match("text", "rl"), Match("text", "reasoning")))
    assert root("강화학습 ＡＢＣ") == AllOf((Match("text", "강화학습"), Match("text", "abc")))


def test_a_phrase_keeps_its_words_together():
    assert root('"Mixture  of Experts"') == Match("text", "mixture of experts", phrase=True)
    # One quoted word is a word: quotes let it hold what would be syntax.
    assert root('"auth:x"') == Match("text", "auth:x")
    assert root('"-rl"') == Match("text", "-rl")


def test_a_leading_minus_negates_a_word_a_phrase_a_field_or_a_group():
    assert root("rl -reasoning") == AllOf((Match("text", "rl"), Not(Match("text", "reasoning"))))
    assert root('-"chain of thought"') == Not(Match("text", "chain of thought", phrase=True))
    assert root("-title:survey") == Not(Match("title", "survey"))
    assert root("-(a | b)") == Not(AnyOf((Match("text", "a"), Match("text", "b"))))
    # A minus inside a word is part of it.
    assert root("chain-of-thought") == Match("text", "chain-of-thought")


def test_or_with_a_bar_or_the_word_or_binds_tighter_than_and():
    expected = AllOf((AnyOf((Match("text", "a"), Match("text", "b"), Match("text", "c"))), Match("text", "d")))
    assert root("a | b OR c d") == expected
    assert root("a|b OR c d") == expected
    # Lower-case "or" and a word starting with OR are words.
    assert root("a or b") == AllOf((Match("text", "a"), Match("text", "or"), Match("text", "b")))
    assert root("ORacle") == Match("text", "oracle")


def test_groups_nest():
    assert root("(a | b) (c | -d)") == AllOf((AnyOf((Match("text", "a"), Match("text", "b"))), AnyOf((Match("text", "c"), Not(Match("text", "d"))))))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title:Momentum", Match("title", "momentum")),
        ('title:"Mixture of Experts"', Match("title", "mixture of experts", phrase=True)),
        ("author:hinton", Match("author", "hinton")),
        ("by:Hinton", Match("author", "hinton")),
        ("abstract:MCTS", Match("abstract", "mcts")),
        ("comment:드래프터", Match("comment", "드래프터")),
        ("note:later", Match("note", "later")),
        ("tag:RL", Match("tag", "rl")),
        ("tag:#rl", Match("tag", "rl")),
        ("#Reasoning", Match("tag", "reasoning")),
        ("id:2409.01234v2", Match("id", "2409.01234")),
        ("arxiv:2409.01234", Match("id", "2409.01234")),
        ("TITLE:x", Match("title", "x")),
    ],
)
def test_fields(text, expected):
    assert root(text) == expected


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("date:2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("date:2024-09", date(2024, 9, 1), date(2024, 9, 30)),
        ("date:2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("date:2024-12", date(2024, 12, 1), date(2024, 12, 31)),
        ("date:2024-09-18", date(2024, 9, 18), date(2024, 9, 18)),
        ("after:2024-06-01", date(2024, 6, 1), date.max),
        ("after:2024", date(2024, 1, 1), date.max),
        ("before:2025", date.min, date(2025, 12, 31)),
        ("before:2025-02", date.min, date(2025, 2, 28)),
    ],
)
def test_dates_are_inclusive_spans(text, first, last):
    assert root(text) == Dated(first, last)


def test_states():
    assert [root(f"is:{state}") for state in ("read", "unread", "bookmarked", "watched")] == [
        Marked("read"),
        Marked("unread"),
        Marked("bookmarked"),
        Marked("watched"),
    ]


# -- errors --------------------------------------------------------------------------------


def test_an_unknown_field_is_an_error_at_its_name_and_the_rest_still_applies():
    parsed = parse_query("rl auth:hinton reasoning")
    assert parsed.root == AllOf((Match("text", "rl"), Match("text", "reasoning")))
    [error] = parsed.errors
    assert (error.start, error.end) == (3, 8)
    assert error.message.startswith('unknown field "auth:" (fields: title:, author:')


def test_a_date_that_is_not_one_is_an_error_at_its_value():
    parsed = parse_query("rl date:2024-13")
    assert parsed.root == Match("text", "rl")
    [error] = parsed.errors
    assert (error.start, error.end) == (8, 15)
    assert error.message.startswith('"2024-13" is not a date')
    assert only_error("after:2023-02-29").message.startswith('"2023-02-29" is not a date')
    assert only_error("before:yesterday").message.startswith('"yesterday" is not a date')


@pytest.mark.parametrize(
    ("text", "span", "message"),
    [
        ("is:new", (0, 6), 'unknown state "is:new" (states: read, unread, bookmarked, watched)'),
        ("title:", (0, 6), '"title:" needs a value'),
        ('title:""', (0, 8), '"title:" needs a value'),
        ("a -", (2, 3), 'a lone "-" excludes nothing'),
        ("a )", (2, 3), 'unmatched ")"'),
        ("| a", (0, 1), '"|" needs a term before it'),
        ("a OR", (2, 4), '"OR" needs a term after it'),
        ("(a", (0, 1), 'unclosed "(": the group runs to the end'),
        ('"a b', (0, 4), "unclosed quote: the phrase runs to the end"),
        ('""', (0, 2), "nothing to search for in the quotes"),
        ("tag:#", (0, 5), "a tag needs a name"),
    ],
)
def test_errors_name_their_place(text, span, message):
    error = only_error(text)
    assert ((error.start, error.end), error.message) == (span, message)


def test_an_unclosed_group_or_phrase_still_narrows():
    assert parse_query("(a b").root == AllOf((Match("text", "a"), Match("text", "b")))
    assert parse_query('"a b').root == Match("text", "a b", phrase=True)


def test_an_erroneous_option_of_an_or_is_left_out():
    parsed = parse_query("a | is:new")
    assert parsed.root == Match("text", "a")
    assert len(parsed.errors) == 1


QUERY_ALPHABET = st.sampled_from(
    list('abc -|()":#') + ["OR", "title:", "by:", "date:", "after:", "is:", "tag:", "id:", "2024", "-09", "한", "Ａ", "\x00", "\n", "ß"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(QUERY_ALPHABET, max_size=20).map("".join)))
def test_any_text_parses_to_a_query_and_errors_within_it(text):
    parsed = parse_query(text)
    assert isinstance(parsed, ParsedQuery)
    for error in parsed.errors:
        assert 0 <= error.start < error.end <= len(text)
        assert error.message


# -- highlights ----------------------------------------------------------------------------


def test_highlights_are_the_positive_terms_of_each_field():
    parsed = parse_query('momentum -adam title:"mixture of experts" by:hinton #rl (sgd | -lion) date:2024')
    assert parsed.highlights("title") == ("momentum", "mixture of experts", "sgd")
    assert parsed.highlights("author") == ("momentum", "hinton", "sgd")
    assert parsed.highlights("abstract") == ("momentum", "sgd")
    assert parsed.highlights("tag") == ("momentum", "rl", "sgd")
    assert parse_query("").highlights("title") == ()


def test_match_spans_in_ascii_text():
    text = "Mixture of  Experts meets MIXTURE"
    assert match_spans(text, ["mixture of experts"]) == [(0, 19)]
    assert match_spans(text, ["mixture"]) == [(0, 7), (26, 33)]
    assert match_spans(text, []) == []
    assert match_spans(text, ["", " "]) == []
    assert match_spans("", ["a"]) == []


def test_match_spans_merge_overlapping_matches():
    assert match_spans("aaa", ["aa"]) == [(0, 3)]
    assert match_spans("reasoning", ["reason", "soning"]) == [(0, 9)]
    assert match_spans("reasoning", ["rea", "ning"]) == [(0, 3), (5, 9)]


def test_match_spans_in_korean_text():
    text = "강화학습 기반 추론, 학습"
    assert match_spans(text, ["학습"]) == [(2, 4), (12, 14)]
    # Conjoining jamo fold to one syllable: the match covers all three.
    assert match_spans("\u1112\u1161\u11ab 글", ["한"]) == [(0, 3)]


def test_match_spans_in_full_width_and_expanding_text():
    assert match_spans("ＡＢＣ test", ["bc"]) == [(1, 3)]
    assert match_spans("Ｒｅａｓｏｎｉｎｇ", ["reason"]) == [(0, 6)]
    # "ß" folds to "ss": a match of either half is the whole letter.
    assert match_spans("Straße", ["strass"]) == [(0, 5)]
    assert match_spans("Straße", ["s"]) == [(0, 1), (4, 5)]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.lists(st.text(min_size=1, max_size=4), max_size=3))
def test_match_spans_are_ordered_disjoint_spans_of_the_text(text, needles):
    spans = match_spans(text, needles)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end < start


# -- evaluation ----------------------------------------------------------------------------


def fields_of(entry: Entry, marks: Marks) -> dict[str, str]:
    """Each field's folded text, as a reader would look at it."""
    return {
        "text": search_bytes(entry).decode("utf-8"),
        "title": fold(entry.title),
        "author": fold(", ".join(entry.authors)),
        "abstract": fold(entry.abstract),
        "comment": fold(entry.commentary),
        "note": fold(marks.note(entry.id)),
    }


def holds(value: str, phrase: bool, text: str) -> bool:
    if not phrase:
        return all(word in text for word in value.split())
    # A phrase: its words in order on one line, whatever the spaces between them.
    return any(value in " ".join(line.split()) for line in text.split("\n"))


def id_key(value: str) -> str:
    return re.sub(r"v\d+$", "", fold(value).removeprefix("arxiv:"))


def reference(node, position: int, entry: Entry, marks: Marks) -> bool:
    """Whether `node` lets the entry through, looking at nothing but the entry and the marks."""
    if node is None:
        return True
    if isinstance(node, AllOf):
        return all(reference(term, position, entry, marks) for term in node.terms)
    if isinstance(node, AnyOf):
        return any(reference(term, position, entry, marks) for term in node.terms)
    if isinstance(node, Not):
        return not reference(node.term, position, entry, marks)
    if isinstance(node, Dated):
        return node.first <= entry.date <= node.last
    if isinstance(node, Marked):
        return {
            "read": marks.is_read(entry.id),
            "unread": not marks.is_read(entry.id),
            "bookmarked": marks.is_bookmarked(entry.id),
            "watched": position in marks.watched,
        }[node.state]
    if node.field == "tag":
        return any(fold(tag) == node.value for tag in entry.tags)
    if node.field == "id":
        return node.value in {id_key(entry.id), id_key(entry.arxiv_id)} - {""}
    return holds(node.value, node.phrase, fields_of(entry, marks)[node.field])


@pytest.fixture(scope="module")
def marked(library: Library) -> Marks:
    ids = [entry.id for entry in library.entries]
    return Marks(
        read=frozenset(ids[::3]),
        bookmarked=frozenset(ids[1::4]),
        notes={ids[1]: "Read this for the MCTS part", ids[5]: "later"},
        watched=frozenset(range(0, len(ids), 5)),
    )


@pytest.fixture(scope="module")
def indexes(library: Library) -> list[SearchIndex]:
    """A scanning index and one through tokens: both must give the same answers."""
    texts = [search_bytes(entry) for entry in library.entries]
    return [SearchIndex(library.entries, texts), SearchIndex(library.entries, tokens=TokenIndex.build(texts))]


def found(text: str, library: Library, indexes: list[SearchIndex], marks: Marks) -> list[int]:
    parsed = parse_query(text)
    expected = [p for p, entry in enumerate(library.entries) if reference(parsed.root, p, entry, marks)]
    for index in indexes:
        assert run_query(parsed, library, index, marks) == expected, (text, index.tokens)
    return expected


def titles(library: Library, positions: list[int]) -> list[str]:
    return [library.entries[p].title for p in positions]


def test_an_empty_query_finds_every_entry(library, indexes, marked):
    assert found("", library, indexes, marked) == list(range(len(library)))


def test_a_phrase_finds_its_words_together_and_in_order(library, indexes, marked):
    assert titles(library, found('"mixture of experts"', library, indexes, marked))
    together = set(found('"language models"', library, indexes, marked))
    apart = set(found("language models", library, indexes, marked))
    assert together < apart


def test_negation_excludes(library, indexes, marked):
    with_reasoning = set(found("reasoning", library, indexes, marked))
    without = set(found("-reasoning", library, indexes, marked))
    assert with_reasoning and without
    assert with_reasoning | without == set(range(len(library)))
    assert not with_reasoning & without


def test_fields_look_only_in_their_field(library, indexes, marked):
    anywhere = set(found("reasoning", library, indexes, marked))
    in_titles = found("title:reasoning", library, indexes, marked)
    assert in_titles and set(in_titles) < anywhere
    assert all("reasoning" in title.lower() for title in titles(library, in_titles))
    assert found("by:qi", library, indexes, marked)
    assert found("#search", library, indexes, marked) == found("tag:SEARCH", library, indexes, marked) != []
    assert found("note:mcts", library, indexes, marked) == [1]


def test_ids_dates_and_states(library, indexes, marked):
    entry = library.entries[3]
    assert found(f"id:{entry.id}", library, indexes, marked) == [3]
    assert found(f"arxiv:{entry.id.upper()}v3", library, indexes, marked) == [3]
    day = entry.date.isoformat()
    on_day = found(f"date:{day}", library, indexes, marked)
    assert 3 in on_day
    assert found(f"after:{day} before:{day}", library, indexes, marked) == on_day
    assert found("is:read", library, indexes, marked) == list(range(0, len(library), 3))
    assert found("is:watched", library, indexes, marked) == list(range(0, len(library), 5))


def test_errors_leave_the_rest_of_the_query(library, indexes, marked):
    assert found("reasoning auth:qi date:2024-13", library, indexes, marked) == found("reasoning", library, indexes, marked)


def vocabulary(library: Library) -> dict[str, list[str]]:
    """Words, phrases, names, tags, days and ids of the sample library, to build queries of."""
    words: set[str] = set()
    phrases: set[str] = set()
    for entry in library.entries:
        for line in (entry.title, entry.abstract, *entry.commentary_paragraphs):
            split = line.split()
            words.update(split[:6])
            phrases.update(" ".join(split[i : i + 2]) for i in range(0, min(len(split) - 1, 4)))
    names = {author.split()[-1] for entry in library.entries for author in entry.authors[:2] if author.split()}
    return {
        "word": sorted(
            w
            for w in words
            if '"' not in w and ":" not in w and not w.startswith(("-", "#", "(")) and "|" not in w and ")" not in w and "(" not in w and w != "OR"
        ),
        "phrase": sorted(p for p in phrases if '"' not in p),
        "name": sorted(names),
        "tag": sorted(library.by_tag),
        "day": sorted({entry.date.isoformat() for entry in library.entries}),
        "id": [entry.id for entry in library.entries[:5]],
    }


def query_terms(words: dict[str, list[str]]) -> st.SearchStrategy[str]:
    pick = st.sampled_from
    simple = st.one_of(
        pick(words["word"]),
        pick(words["phrase"]).map(lambda p: f'"{p}"'),
        st.tuples(pick(["title", "abstract", "comment", "author"]), pick(words["word"] + words["name"])).map(lambda t: f"{t[0]}:{t[1]}"),
        pick(words["phrase"]).map(lambda p: f'title:"{p}"'),
        pick(words["phrase"]).map(lambda p: f'abstract:"{p}"'),
        pick(words["name"]).map(lambda n: f"by:{n}"),
        pick(words["tag"]).map(lambda t: pick(["#", "tag:"]).map(lambda prefix: prefix + t)).flatmap(lambda s: s),
        pick(words["day"]).flatmap(lambda d: pick([f"date:{d}", f"date:{d[:7]}", f"after:{d[:7]}", f"before:{d}", f"date:{d[:4]}"])),
        pick(["is:read", "is:unread", "is:bookmarked", "is:watched", "note:later", "note:mcts"]),
        pick(words["id"]).map(lambda i: f"id:{i}"),
    )
    return st.recursive(
        simple,
        lambda inner: st.one_of(
            inner.map(lambda t: f"-{t}"),
            st.lists(inner, min_size=2, max_size=3).map(" | ".join),
            st.lists(inner, min_size=2, max_size=3).map(lambda ts: "(" + " ".join(ts) + ")"),
            st.lists(inner, min_size=2, max_size=3).map(" OR ".join).map(lambda t: f"-({t})"),
        ),
        max_leaves=6,
    )


def test_query_results_equal_the_reference_evaluation(library, indexes, marked):
    terms = query_terms(vocabulary(library))

    @settings(max_examples=300, deadline=None)
    @given(st.lists(terms, min_size=1, max_size=4).map(" ".join))
    def check(text: str) -> None:
        parsed = parse_query(text)
        assert parsed.errors == [], (text, parsed.errors)
        found(text, library, indexes, marked)

    check()


# -- in the reading session and its filter ---------------------------------------------------


@pytest.fixture
def session(tmp_path: Path, library: Library) -> ReadingSession:
    reading = ReadingSession(Settings(watch_authors=["Kingma"]), StateStore(tmp_path))
    reading.install(*reading.indexed(library))
    return reading


def test_a_session_searches_with_the_language_and_its_marks(session):
    entries = session.library.entries
    session.set_note(entries[2], "Compare with MCTS papers")
    session.set_read(entries[4], True)
    assert session.select(Filter(query="is:bookmarked")) == [2]
    assert session.select(Filter(query="note:mcts -is:read")) == [2]
    assert 4 not in session.select(Filter(query="is:unread"))
    assert len(session.select(Filter(query="is:watched"))) == 1
    rl = session.select(Filter(query="reasoning"))
    assert session.select(Filter(query="-reasoning")) == [p for p in range(len(entries)) if p not in rl]


def test_the_filters_date_and_tag_narrow_the_query(session):
    newest = session.library.entries[0]
    tag = newest.tags[0]
    on_day = session.select(Filter(year=newest.date.year, month=newest.date.month, day=newest.date.day))
    assert session.select(Filter(year=newest.date.year, month=newest.date.month, day=newest.date.day, tag=tag, query=f"#{tag}")) == [
        p for p in on_day if tag in session.library.entries[p].tags
    ]
    assert session.select(Filter(query=f"date:{newest.date.isoformat()}")) == on_day


def test_a_session_tells_the_errors_and_highlights_of_a_query(session):
    assert session.query_errors("rl auth:x") == [QueryError(3, 8, session.query_errors("auth:x")[0].message)]
    assert session.query_errors("rl") == []
    session.filter = Filter(query='reasoning -rl title:"mixture of experts"')
    assert session.highlights("title") == ("reasoning", "mixture of experts")
    assert session.highlights("abstract") == ("reasoning",)
    assert session.highlights("tag", "#llm") == ("llm",)
    assert Filter(query="a -b").describe() == '"a -b"'


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("reasoning model", False),
        ("title:adam #rl is:unread after:2024", False),
        ("-note:later id:2402.10200", False),
        ('"mixture of experts"', True),
        ("author:park", True),
        ("rl | -abstract:diffusion", True),
        ("(comment:좋은)", True),
    ],
)
def test_a_query_says_whether_it_reads_details_from_files(text, reads):
    assert parse_query(text).reads_details is reads
