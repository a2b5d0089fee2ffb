"""The reader's link and citation keys: o, L, y, c, C, and clicks on links."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from typing import Any, Protocol

from digest_tui.config import Settings
from digest_tui.digest import links
from digest_tui.digest.library import Library
from digest_tui.digest.model import Entry
from digest_tui.out import cite, clipboard
from digest_tui.text.wording import shorten
from digest_tui.tui.screens.dialogs import ChoiceScreen, ConfirmScreen
from digest_tui.tui.screens.links import LinkAction, LinkItem, LinksScreen


class Reader(Protocol):
    """What the link and citation actions need of the reader (DigestApp gives all of it)."""

    settings: Settings
    url_opener: Callable[[str], bool] | None

    @property
    def current(self) -> Entry | None: ...
    @property
    def library(self) -> Library: ...
    @property
    def shown(self) -> Entry | None:
        """The entry the detail pane shows."""
        ...

    def jump_to(self, entry: Entry) -> None: ...
    def notify(self, message: str, *, title: str = ..., severity: Any = ..., timeout: float | None = ..., markup: bool = ...) -> None: ...
    def push_screen(self, screen: Any, callback: Any = ...) -> Any: ...
    def copy_to_clipboard(self, text: str) -> None: ...
    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any: ...
    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Any: ...


class LinkActions:
    """Opening links (only http and https, never through a shell) and copying links and
    citations, for the reader that holds it."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    @property
    def current(self) -> Entry | None:
        return self.reader.current

    def notify(self, message: str, **options: Any) -> None:
        self.reader.notify(message, **options)

    def open_in_browser(self, url: str) -> None:
        refused = links.check_url(url)
        if refused:
            self.notify(f"Not opened: {refused}", severity="error")
        else:
            self.launch_browser(url)

    def launch_browser(self, url: str) -> None:
        """Off the UI thread: a browser named in $BROWSER may take a while to hand back."""
        reader = self.reader

        def launch() -> None:
            ok, message = links.open_url(url, opener=reader.url_opener or webbrowser.open)
            if ok:
                reader.call_from_thread(self.notify, message, timeout=3)
            else:
                reader.call_from_thread(self.offer_copy, url, message)

        reader.run_worker(launch, thread=True, group="browser")

    def offer_copy(self, url: str, message: str) -> None:
        def copy(yes: bool | None) -> None:
            if yes:
                self.copy_text(url, f"the link {shown_link(url)}")

        self.reader.push_screen(ConfirmScreen(f"{message}\n\nCopy the link to the clipboard?"), copy)

    def open_arxiv(self) -> None:
        entry = self.current
        if entry is not None:
            self.open_in_browser(links.entry_arxiv_url(entry))

    def open_link(self, number: int) -> None:
        entry = self.reader.shown
        if entry is not None and 1 <= number <= len(entry.links):
            self.follow_link(entry.links[number - 1])

    def follow_link(self, url: str, browser: bool = False) -> None:
        """Jump to the library's entry for an arXiv link; otherwise open the browser."""
        target = self.library_entry_for(url)
        if target is not None and not browser:
            self.reader.jump_to(target)
        else:
            self.open_in_browser(url)

    def library_entry_for(self, url: str) -> Entry | None:
        paper = links.arxiv_id(url)
        return self.reader.library.by_arxiv.get(paper) if paper else None

    def links(self) -> None:
        entry = self.current
        if entry is None:
            return
        if not entry.links:
            self.notify("This entry has no links; o opens its arXiv search.")
            return
        items = []
        for url in entry.links:
            target = self.library_entry_for(url)
            items.append(LinkItem(url, links.describe_link(url), target.title if target else ""))

        def act(action: LinkAction | None) -> None:
            if action is None:
                return
            url = entry.links[action.index]
            if action.verb == "copy":
                self.copy_text(url, f"the link {shown_link(url)}")
            else:
                self.follow_link(url, browser=action.verb == "browser")

        self.reader.push_screen(LinksScreen(entry.title, items), act)

    def copy_text(self, text: str, what: str, note: str = "") -> None:
        """Copy `text`; the notification says `what` was copied first, then which way it went."""
        message = clipboard.copy(text, what, note=note, mode=self.reader.settings.clipboard, terminal_copy=self.reader.copy_to_clipboard)
        self.notify(message, timeout=3)

    def copy_link(self) -> None:
        entry = self.current
        if entry is None:
            return
        if entry.arxiv_id:
            url = links.arxiv_abs_url(entry.arxiv_id)
            self.copy_text(url, f"the arXiv link {url}")
        else:
            title = quoted_title(entry)
            self.copy_text(links.entry_arxiv_url(entry), f"an arXiv title search for {title}", note="no arXiv id known")

    def copy_citation(self, fmt: str = "") -> None:
        entry = self.current
        if entry is None:
            return
        fmt = fmt or self.reader.settings.citation_format
        title = quoted_title(entry)
        what = {
            "bibtex": f"BibTeX for {title}",
            "plain": f"the plain citation of {title}",
            "markdown": f"the Markdown citation of {title}",
            "title": f"the title {title}",
        }.get(fmt, f"the citation of {title}")
        # Without an arXiv id a citation has no link at all (never a search): say so.
        note = "" if entry.arxiv_id or fmt == "title" else "no arXiv id known, so no link"
        self.copy_text(cite.citation(entry, fmt), what, note)

    def choose_citation(self) -> None:
        if self.current is None:
            return

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.copy_citation(fmt)

        self.reader.push_screen(ChoiceScreen("Copy the citation as:", list(cite.LABELS.items())), chosen)


def quoted_title(entry: Entry, limit: int = 40) -> str:
    """The entry's title in quotes for a notification, cut at a word to `limit` characters."""
    return f'"{shorten(" ".join(entry.title.split()), limit, at_word=True)}"'


def shown_link(url: str) -> str:
    """A link as a notification shows it: invisible characters escaped, cut short."""
    return clipboard.short(links.printable(url), 80)
