"""The search language: parsing every construct, errors with their places, highlighting spans."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.digest.highlight import match_spans
from digest_tui.digest.query import AllOf, AnyOf, Dated, Marked, Match, Not, ParsedQuery, QueryError, parse_query


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
