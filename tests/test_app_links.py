"""Opening links and copying citations from the reader: o, L, y, c, C and clicks."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest_tui.digest import links
from digest_tui.out import cite
from digest_tui.tui.screens.dialogs import ChoiceScreen, ConfirmScreen
from digest_tui.tui.screens.links import LinksScreen
from tests.apphelpers import loaded, make_app, settled, until

TERMINAL_CLIPBOARD = 'mark_read = "never"\nclipboard = "terminal"\n'


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


class Browser:
    """Stands in for webbrowser.open: records what would have been opened."""

    def __init__(self, works: bool = True) -> None:
        self.opened: list[str] = []
        self.works = works

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return self.works


@pytest.fixture
def linked_digest(tmp_path: Path) -> Path:
    """Two papers: one names its own arXiv id, the other quotes it in its commentary."""
    path = tmp_path / "linked.txt"
    path.write_text(
        "2024-09-01\n"
        "Transfusion: Predict the Next Token and Diffuse Images with One Multi-Modal Model\n"
        "(Chunting Zhou, Lili Yu)\n"
        "arXiv:2408.11039\n"
        "We introduce Transfusion.\n"
        "멀티모달 모델.\n"
        "#multimodal\n"
        "2024-09-02\n"
        "A Follow-up Paper\n"
        "(Ada Lovelace)\n"
        "Builds on earlier work, see https://github.com/example/repo.\n"
        "Transfusion과 비슷합니다 (https://www.arxiv.org/abs/2408.11039). 프로젝트: https://example.github.io/page/.\n"
        "#multimodal\n",
        encoding="utf-8",
    )
    return path


async def test_o_opens_the_arxiv_title_search_when_no_id_is_known(tmp_path, seeds_dir):
    browser = Browser()
    app = make_app(tmp_path / "config", [seeds_dir], url_opener=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        entry = app.entry_list.current
        await pilot.press("o")
        await until(pilot, lambda: browser.opened)
        assert browser.opened == [links.arxiv_title_search_url(entry.title)]
        assert browser.opened[0].startswith("https://arxiv.org/search/?query=Reverse+Thinking")


async def test_o_opens_the_entrys_own_arxiv_page(tmp_path, linked_digest):
    browser = Browser()
    app = make_app(tmp_path / "config", [linked_digest], url_opener=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("G", "o")
        await until(pilot, lambda: browser.opened)
        assert browser.opened == ["https://arxiv.org/abs/2408.11039"]


async def test_when_no_browser_starts_the_url_is_shown_and_offered_for_copying(tmp_path, seeds_dir):
    browser = Browser(works=False)
    app = make_app(tmp_path / "config", [seeds_dir], settings=TERMINAL_CLIPBOARD, url_opener=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert browser.opened[0] in app.screen.question
        await pilot.press("y")
        assert app.clipboard == browser.opened[0]


async def test_link_list_labels_and_opens_links(tmp_path, linked_digest):
    browser = Browser()
    app = make_app(tmp_path / "config", [linked_digest], settings=TERMINAL_CLIPBOARD, url_opener=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        follow_up = app.entry_list.current
        assert follow_up.title == "A Follow-up Paper"
        assert "[1] https://github.com/example/repo" in app.detail.text
        await pilot.press("L")
        assert isinstance(app.screen, LinksScreen)
        labels = [item.label for item in app.screen.items]
        assert labels == [links.describe_link(url) for url in follow_up.links]
        assert app.screen.items[1].in_library.startswith("Transfusion")
        await pilot.press("1")
        await until(pilot, lambda: browser.opened)
        assert browser.opened == ["https://github.com/example/repo"]
        await pilot.press("L", "down", "down", "y")
        assert app.clipboard == "https://example.github.io/page/"
        assert notifications(app)[-1] == "Copied the link https://example.github.io/page/ (terminal, OSC 52)."
        # an arXiv link to a paper in the library jumps there instead of the browser
        await pilot.press("L", "down", "enter")
        assert app.entry_list.current.title.startswith("Transfusion")
        assert browser.opened == ["https://github.com/example/repo"]
        await pilot.press("g", "L", "down", "O")  # … unless asked for the browser
        await until(pilot, lambda: len(browser.opened) == 2)
        assert browser.opened[1] == "https://www.arxiv.org/abs/2408.11039"


async def test_clicking_a_link_in_the_detail_pane_opens_it(tmp_path, linked_digest):
    browser = Browser()
    app = make_app(tmp_path / "config", [linked_digest], url_opener=browser)
    async with app.run_test(size=(200, 60)) as pilot:  # wide enough that no line wraps
        await loaded(pilot)
        lines = app.detail.text.split("\n")
        y = next(number for number, line in enumerate(lines) if line.startswith("[1] "))
        await pilot.click("#detail", offset=(7, y))  # past the pane's padding, on the link
        await until(pilot, lambda: browser.opened)
        assert browser.opened == ["https://github.com/example/repo"]


async def test_unsafe_links_are_refused(tmp_path, seeds_dir):
    browser = Browser()
    app = make_app(tmp_path / "config", [seeds_dir], url_opener=browser)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        for url in ("file:///etc/passwd", "javascript:alert(1)", "https://exa\x1bmple.com/"):
            app.open_in_browser(url)
        await settled(pilot)
        assert browser.opened == []
        assert sum("Not opened" in message for message in notifications(app)) == 3


async def test_y_copies_the_link_and_c_the_citation(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        entry = app.entry_list.current
        await pilot.press("y")
        assert app.clipboard == links.entry_arxiv_url(entry)
        assert notifications(app)[-1].endswith("(no arXiv id known; terminal, OSC 52).")
        await pilot.press("c")
        assert app.clipboard == cite.bibtex(entry)
        assert app.clipboard.startswith("@misc{chen2024reverse,")
        await pilot.press("C")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "down", "enter")
        assert app.clipboard == cite.markdown(entry)


async def test_configured_citation_format_is_used(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=TERMINAL_CLIPBOARD + 'citation_format = "plain"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        assert app.clipboard == cite.plain(app.entry_list.current)
        assert "2024" in app.clipboard and "Reverse Thinking" in app.clipboard


# --- what copying says ----------------------------------------------------------------------


async def test_y_c_and_C_say_what_they_copied_for_an_entry_with_its_arxiv_id(tmp_path, linked_digest):
    app = make_app(tmp_path / "config", [linked_digest], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("G")
        entry = app.entry_list.current
        assert entry.arxiv_id == "2408.11039"
        await pilot.press("y")
        assert app.clipboard == "https://arxiv.org/abs/2408.11039"
        assert notifications(app)[-1] == "Copied the arXiv link https://arxiv.org/abs/2408.11039 (terminal, OSC 52)."
        await pilot.press("c")
        assert app.clipboard == cite.bibtex(entry)
        assert "  url = {https://arxiv.org/abs/2408.11039}\n" in app.clipboard
        assert notifications(app)[-1] == 'Copied BibTeX for "Transfusion: Predict the Next Token and…" (terminal, OSC 52).'
        await pilot.press("C")
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("down", "enter")
        assert app.clipboard == cite.plain(entry) and app.clipboard.endswith(" https://arxiv.org/abs/2408.11039")
        assert notifications(app)[-1] == (
            'Copied the plain citation of "Transfusion: Predict the Next Token and…" (terminal, OSC 52).'
        )


async def test_y_c_and_C_on_an_entry_without_an_arxiv_id_never_pass_a_search_for_a_citation(tmp_path, seeds_dir):
    app = make_app(tmp_path / "config", [seeds_dir], settings=TERMINAL_CLIPBOARD)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        entry = app.entry_list.current
        assert entry.title == "Reverse Thinking Makes LLMs Stronger Reasoners" and not entry.arxiv_id
        # y still copies something to find the paper with, and says that it is only a search.
        await pilot.press("y")
        assert app.clipboard == links.arxiv_title_search_url(entry.title)
        assert notifications(app)[-1] == (
            'Copied an arXiv title search for "Reverse Thinking Makes LLMs Stronger…" (no arXiv id known; terminal, OSC 52).'
        )
        # A citation has no link at all rather than a search.
        await pilot.press("c")
        assert app.clipboard == cite.bibtex(entry)
        assert app.clipboard.startswith("@misc{chen2024reverse,") and "url" not in app.clipboard
        assert notifications(app)[-1] == (
            'Copied BibTeX for "Reverse Thinking Makes LLMs Stronger…" (no arXiv id known, so no link; terminal, OSC 52).'
        )
        for downs, said in ((1, "the plain citation of"), (2, "the Markdown citation of"), (3, "the title")):
            await pilot.press("C", *["down"] * downs, "enter")
            assert "http" not in app.clipboard and entry.title in app.clipboard
            assert notifications(app)[-1].startswith(f'Copied {said} "Reverse Thinking Makes LLMs Stronger…" (')
        assert app.clipboard == entry.title
        assert notifications(app)[-1].endswith(" (terminal, OSC 52).")


async def test_copying_names_the_system_clipboard_or_why_it_was_not_used(tmp_path, linked_digest, monkeypatch):
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = make_app(tmp_path / "config", [linked_digest], settings='mark_read = "never"\nclipboard = "system"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("G", "y")
        assert copied == ["https://arxiv.org/abs/2408.11039"]
        assert notifications(app)[-1] == "Copied the arXiv link https://arxiv.org/abs/2408.11039 (system clipboard)."

    def no_tool(text: str) -> None:
        raise pyperclip.PyperclipException("no backend")

    monkeypatch.setattr(pyperclip, "copy", no_tool)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    app = make_app(tmp_path / "config", [linked_digest], settings='mark_read = "never"\nclipboard = "auto"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("G", "y")
        assert app.clipboard == "https://arxiv.org/abs/2408.11039"
        assert notifications(app)[-1] == (
            "Copied the arXiv link https://arxiv.org/abs/2408.11039 (terminal, OSC 52)."
            " No system clipboard tool found (install xclip, xsel or wl-clipboard)."
        )
