"""The reader's link and citation keys: o, L, y, c, C, and clicks on links."""

from __future__ import annotations

import webbrowser

from textual import work

from digest_tui import cite, clipboard, links
from digest_tui.model import Entry
from digest_tui.screens.dialogs import ChoiceScreen, ConfirmScreen
from digest_tui.screens.links import LinkAction, LinkItem, LinksScreen


class LinkActions:
    """Mixed into DigestApp: opening links (only http and https, never through a shell) and
    copying links and citations."""

    def open_in_browser(self, url: str) -> None:
        refused = links.check_url(url)
        if refused:
            self.notify(f"Not opened: {refused}", severity="error")
        else:
            self.launch_browser(url)

    @work(thread=True, group="browser")
    def launch_browser(self, url: str) -> None:
        """Off the UI thread: a browser named in $BROWSER may take a while to hand back."""
        ok, message = links.open_url(url, opener=self.url_opener or webbrowser.open)
        if ok:
            self.call_from_thread(self.notify, message, timeout=3)
        else:
            self.call_from_thread(self.offer_copy, url, message)

    def offer_copy(self, url: str, message: str) -> None:
        def copy(yes: bool | None) -> None:
            if yes:
                self.copy_text(url, f"the link {shown_link(url)}")

        self.push_screen(ConfirmScreen(f"{message}\n\nCopy the link to the clipboard?"), copy)

    def action_open_arxiv(self) -> None:
        entry = self.current
        if entry is not None:
            self.open_in_browser(links.entry_arxiv_url(entry))

    def action_open_link(self, number: int) -> None:
        entry = self.detail.entry
        if entry is not None and 1 <= number <= len(entry.links):
            self.follow_link(entry.links[number - 1])

    def follow_link(self, url: str, browser: bool = False) -> None:
        """Jump to the library's entry for an arXiv link; otherwise open the browser."""
        target = self.library_entry_for(url)
        if target is not None and not browser:
            self.jump_to(target)
        else:
            self.open_in_browser(url)

    def library_entry_for(self, url: str) -> Entry | None:
        paper = links.arxiv_id(url)
        return self.library.by_arxiv.get(paper) if paper else None

    def action_links(self) -> None:
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

        self.push_screen(LinksScreen(entry.title, items), act)

    def copy_text(self, text: str, what: str, note: str = "") -> None:
        """Copy `text`; the notification says `what` was copied first, then which way it went."""
        message = clipboard.copy(text, what, note=note, mode=self.settings.clipboard, terminal_copy=self.copy_to_clipboard)
        self.notify(message, timeout=3)

    def action_copy_link(self) -> None:
        entry = self.current
        if entry is None:
            return
        if entry.arxiv_id:
            url = links.arxiv_abs_url(entry.arxiv_id)
            self.copy_text(url, f"the arXiv link {url}")
        else:
            title = quoted_title(entry)
            self.copy_text(links.entry_arxiv_url(entry), f"an arXiv title search for {title}", note="no arXiv id known")

    def action_copy_citation(self, fmt: str = "") -> None:
        entry = self.current
        if entry is None:
            return
        fmt = fmt or self.settings.citation_format
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

    def action_choose_citation(self) -> None:
        if self.current is None:
            return

        def chosen(fmt: str | None) -> None:
            if fmt:
                self.action_copy_citation(fmt)

        self.push_screen(ChoiceScreen("Copy the citation as:", list(cite.LABELS.items())), chosen)


def quoted_title(entry: Entry, limit: int = 40) -> str:
    """The entry's title in quotes for a notification, cut at a word to `limit` characters."""
    title = " ".join(entry.title.split())
    if len(title) > limit:
        head = title[: limit - 1]
        # Drop the word the cut went through, unless the cut fell between two words.
        words = head.rsplit(" ", 1)[0] if " " in head and title[len(head)] != " " else head
        title = words.rstrip(" :,;-") + "…"
    return f'"{title}"'


def shown_link(url: str) -> str:
    """A link as a notification shows it: invisible characters escaped, cut short."""
    return clipboard.short(links.printable(url), 80)
