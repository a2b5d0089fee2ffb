"""The palette's fuzzy title search: Textual's matcher over the whole library, with a cheap
first pass (digest_tui/tui/title_finder.py)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content

from digest_tui.tui.title_finder import TitleFinder, highlighted, score
from tests.apphelpers import loaded, make_app, palette_hits, until


@dataclass
class Titled:
    title: str


TITLES = [
    "Jet streams in the Formosa strait: a record",  # the letters in order, far apart
    "JetFormer: An Autoregressive Generative Model of Raw Images and Text",
    "Just Enough Training For Robust Models",
    "Diffusion Forcing",
]


def ranked(titles: list[str], query: str) -> list[str]:
    entries = [Titled(title) for title in titles]
    finder = TitleFinder(entries)
    hits = [(score(query, entries[i].title)[0], entries[i].title) for i in finder.candidates(query)]
    return [title for points, title in sorted(hits, key=lambda hit: -hit[0]) if points > 0]


def test_letters_in_order_find_the_title_and_the_best_fit_comes_first():
    found = ranked(TITLES, "jetfrmr")
    assert found[0].startswith("JetFormer")
    assert "Diffusion Forcing" not in found


def test_letters_out_of_order_or_missing_find_nothing():
    assert ranked(TITLES, "rmfrtej") == []
    assert ranked(TITLES, "zzqx") == []
    assert ranked(TITLES, "") == []


def test_titles_holding_the_query_whole_come_before_looser_fits():
    finder = TitleFinder([Titled("Forcing the diffusion"), Titled("Diffusion Forcing")])
    assert finder.candidates("diffusion forcing") == [1]
    assert finder.candidates("forcing") == [1, 0]  # both hold it: newest (last) first


def test_only_a_few_hundred_are_scored_among_many_titles():
    entries = [Titled(f"Attention paper number {number}") for number in range(5000)]
    entries[10] = Titled("JetFormer: raw images")
    finder = TitleFinder(entries)
    assert len(finder.candidates("attention")) == 300
    assert finder.candidates("jetfrmr") == [10]


def test_pattern_characters_in_a_query_are_letters():
    titles = ["a[b]-c^d\\e (f) *g+ ?h. $i|", "plain"]
    for query in ("[b]", "-c^", "\\e", "(f)", "*g+", "?h.", "$i|", "a]^\\"):
        assert ranked(titles, query) == [titles[0]], query


def test_a_query_of_repeated_letters_is_scored_without_listing_every_fit():
    title = "e" * 150 + " the end"
    points, offsets = score("eeeeeeeeeeee", title)  # C(151, 12) ways: never listed
    assert points > 0 and len(offsets) == 12 and list(offsets) == sorted(set(offsets))


def test_a_highlighted_title_is_never_markup():
    title = "[@click=app.quit]Click[/] [link='file:///etc/passwd']me[/link]"
    _, offsets = score("click", title)
    content = highlighted(title, offsets)
    assert isinstance(content, Content) and content.plain == title
    assert not [span for span in content.spans if "click" in repr(span.style) or "link" in repr(span.style)]


async def test_the_palette_finds_jetformer_for_jetfrmr(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir])
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"jetfrmr")
        await until(pilot, lambda: palette_hits(app) and "JetFormer" in str(palette_hits(app)[0].prompt), "JetFormer first")
        await pilot.press("enter")
        await until(pilot, lambda: app.entry_list.current is not None and app.entry_list.current.title.startswith("JetFormer"), "the jump")
