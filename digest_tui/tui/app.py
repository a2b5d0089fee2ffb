"""The reader: wires a reading session (session.py) to the widgets and the keys; what to
show and when an entry is read are the session's to say, drawing is the widgets'."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Input, Static, Tree

from digest_tui import config
from digest_tui.digest import indexing
from digest_tui.digest.cache import ParseCache
from digest_tui.digest.filters import Filter
from digest_tui.digest.library import Library, bundled_seeds, resolve_sources
from digest_tui.digest.loader import Loader
from digest_tui.digest.model import Entry
from digest_tui.digest.query import HighlightField
from digest_tui.digest.search import SearchIndex
from digest_tui.disk.history import HISTORY_FILE, SearchHistory
from digest_tui.disk.store import StateStore
from digest_tui.session import LANGUAGE_NAMES, ReadingSession
from digest_tui.text.sanitize import clean, clean_line
from digest_tui.text.wording import plural, shorten
from digest_tui.tui.commands import EntryCommands, FilterCommands
from digest_tui.tui.keys import EVERYWHERE, READER_BINDINGS, KeyFooter
from digest_tui.tui.link_actions import LinkActions
from digest_tui.tui.saving import Saver
from digest_tui.tui.status import status_text, welcome_text
from digest_tui.tui.widgets.detail import DetailPane
from digest_tui.tui.widgets.entry_list import EntryList, Highlights, RowMarks
from digest_tui.tui.widgets.search_box import CHEAT_SHEET_KEY, SEARCH_KEYS, SearchBox
from digest_tui.tui.widgets.sidebar import DATE_KEYS, SIDEBAR_NOTE, TREE_KEYS, DateTree, Sidebar, TagTree
from digest_tui.tui.widgets.trend_bar import TrendBar

if TYPE_CHECKING:  # numpy comes with the index, never with the first paint
    from digest_tui.digest.tokens import TokenIndex

CONFIRM_MARK_ALL_OVER = 50
POLL_EVERY = 2.0
# Below this many entries a search takes a few milliseconds: done at once, no thread needed.
SEARCH_IN_BACKGROUND_OVER = 20_000
# Through the token index a keystroke takes a few milliseconds up to this many entries: the
# hop to a thread and back would cost more than it saves.
INDEXED_SEARCH_IN_BACKGROUND_OVER = 300_000
# A phrase or an author, abstract or commentary term reads candidates' details from their
# files (some 60 µs each) the first time: from this size on, in a thread.
DETAILS_SEARCH_IN_BACKGROUND_OVER = 2_000
DETAIL_FIELDS: tuple[HighlightField, ...] = ("title", "author", "tag", "note", "abstract", "comment")


def while_running(method: Callable[..., Any]) -> Callable[..., Any]:
    """For what a worker hands to the UI thread: a load can end while the app is closing, its
    widgets already gone (a quit during a big load); then there is nothing left to show.
    App._running turns False as soon as the shutdown starts, before the screens go."""

    @functools.wraps(method)
    def guarded(self: App[None], *args: Any, **kwargs: Any) -> Any:
        if not self._running:
            return None
        return method(self, *args, **kwargs)

    return guarded


class DigestApp(App[None]):
    """A three-pane reader: date/tag sidebar, entry list, detail pane."""

    CSS_PATH = "app.tcss"
    TITLE = "digest-tui"
    COMMANDS = App.COMMANDS | {EntryCommands, FilterCommands}
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*READER_BINDINGS]
    # Actions that only make sense on the reader itself, not under a dialog.
    READER_ACTIONS = {b.action.split("(")[0] for b in READER_BINDINGS} - {"quit"}

    def __init__(self, paths: list[str] | tuple[str, ...] = (), config_dir: Path | None = None, url_opener=None) -> None:
        super().__init__()
        self.config_dir = config.config_dir(config_dir)
        self.settings, self.startup_messages = config.load_settings(self.config_dir)
        self.sources = resolve_sources(paths, self.settings.sources)
        self.session = ReadingSession(self.settings, StateStore(self.config_dir))
        self.listed_filter = self.session.filter
        """The filter whose rows the list shows (a search in the background may still be running)."""
        self.saver = Saver(self, self.session.store, self.config_dir)
        # A hundred short lines: read here, before the first paint, in well under a millisecond.
        self.search_history = SearchHistory.load(self.config_dir / HISTORY_FILE)
        self.read_timer: Timer | None = None
        self.url_opener = url_opener
        self.link_actions = LinkActions(self)
        self.cache_dir = config.cache_dir()
        self.loader = Loader(self.sources, ParseCache(self.cache_dir))
        self.index_build: indexing.IndexBuild | None = None
        self.polling = False
        self.state_pending = False
        """The read ids came from their snapshot; bookmarks and notes are still being read."""
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.startup_messages.append(
                f"{self.config_dir / config.CONFIG_FILE}: theme = {self.settings.theme!r} is not a theme; using {self.theme!r} (ctrl+p lists them)"
            )

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information", timeout: float | None = None, markup: bool = False) -> None:
        """Every notification passes here: its text is cleaned and never read as markup, since
        most of them quote a title, a tag, a file name or a message about one."""
        super().notify(clean(message), title=clean_line(title), severity=severity, timeout=timeout)

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="main"):
            yield Sidebar(self.settings.filters, id="sidebar")
            with Vertical(id="reader"):
                yield SearchBox(self.search_history, placeholder="search title, authors, abstract, commentary, #tags (? for the syntax)", id="search")
                yield Static(id="search-errors")
                yield TrendBar(id="trend")
                yield EntryList(self.row_marks, id="entries")
                yield DetailPane(id="detail")
        yield Static(id="welcome")
        yield KeyFooter()

    @property
    def entry_list(self) -> EntryList:
        return self.query_one(EntryList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def library(self) -> Library:
        return self.session.library

    @property
    def store(self) -> StateStore:
        return self.session.store

    @property
    def loading(self) -> bool:
        return self.session.loading

    @property
    def shown(self) -> Entry | None:
        """The entry the detail pane shows."""
        return self.detail.entry

    def on_mount(self) -> None:
        self.entry_list.focus()
        self.update_status()
        self.theme_changed_signal.subscribe(self, self.on_theme_changed)
        self.saver.start()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        # Small terminals get the room of the list and the detail; `\` brings the sidebar back.
        # The event's size: self.size is still the old one (App records it after this handler).
        self.query_one("#sidebar").set_class(event.size.width < 100, "narrow")

    # -- loading ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read state and digests off the UI thread: the newest entries as soon as there are a
        screenful, then all of them; files parsed before come from the parse cache."""
        # The read ids come from their snapshot in milliseconds; with them, the whole state
        # (bookmarks, notes, every mark) is read after the library, so neither waits for it.
        quick = self.state_pending = self.store.load_read_ids()
        messages = [] if quick else self.store.load()
        library = self.loader.load(
            progress=lambda done, total: self.call_from_thread(self.show_progress, done, total),
            first=lambda first: self.call_from_thread(self.install_library, *self.session.indexed(first), final=False),
        )
        tokens = indexing.open_index(self.cache_dir, library.entries)
        self.call_from_thread(self.library_ready, *self.session.indexed(library, tokens), self.startup_messages + messages)
        if quick:
            self.call_from_thread(self.state_ready, self.store.load())
        self.call_from_thread(self.set_interval, POLL_EVERY, self.poll_sources)
        self.loader.save_cache()
        if tokens is None:
            self.call_from_thread(self.build_search_index, library)

    @work(thread=True, exclusive=True, group="index")
    def build_search_index(self, library: Library) -> None:
        """Give a big library its token index, built by another process while the scan answers."""
        if not indexing.wanted(library.entries, self.cache_dir):
            return
        if self.index_build is not None:
            self.index_build.stop()  # made for an older library
        build = self.index_build = indexing.IndexBuild(self.cache_dir, library.entries)
        index = self.session.index
        texts = index.texts if library is self.session.library and index.texts is not None else self.loader.search_texts(library)
        tokens = build.run(texts)
        del texts
        if tokens is not None:
            # On the UI thread: there the library cannot change between the check and the swap.
            self.call_from_thread(self.use_tokens, library, tokens)

    @while_running
    def use_tokens(self, library: Library, tokens: TokenIndex) -> None:
        self.session.use_tokens(library, tokens)

    def poll_sources(self) -> None:
        if not self.polling:
            self.polling = True
            self.refresh_sources()

    @work(thread=True, group="poll")
    def refresh_sources(self) -> None:
        """Pick up digests added or changed while the app runs."""
        try:
            library = self.loader.refresh()
            if library is not None:
                self.call_from_thread(self.library_updated, *self.session.indexed(library))
                self.call_from_thread(self.build_search_index, library)
        finally:
            self.polling = False

    @while_running
    def show_progress(self, done: int, total: int) -> None:
        self.query_one("#status", Static).update(Text(f" digest-tui · loading {done}/{total} files…"), layout=False)

    @while_running
    def library_ready(self, library: Library, index: SearchIndex, watched: frozenset[int], messages: list[str]) -> None:
        self.install_library(library, index, watched)
        for message in messages:
            self.notify(message, severity="warning", timeout=10)
        if library.problems:
            self.notify(f"{plural(len(library.problems), 'problem')} in the digests: press p to list them", severity="warning")
        if self.reading_samples:
            self.notify(
                "These are the bundled sample digests. To read your own: digest-tui ~/digests, "
                f'or sources = ["~/digests"] in {self.config_dir / config.CONFIG_FILE}',
                title="Sample digests",
                timeout=15,
            )

    @while_running
    def state_ready(self, messages: list[str]) -> None:
        """The whole state is read: bookmarks and notes join the read marks already shown (the
        read ids came from a snapshot of the same file, so the unread counts stand)."""
        self.state_pending = False
        self.entry_list.refresh()
        self.update_status()
        for message in messages:
            self.notify(message, severity="warning", timeout=10)

    @property
    def reading_samples(self) -> bool:
        """No PATH was given and no sources are configured: the bundled samples are shown."""
        return self.sources == [bundled_seeds()]

    @while_running
    def install_library(self, library: Library, index: SearchIndex, watched: frozenset[int], final: bool = True) -> int:
        """Show `library`; returns how many of its entries are new."""
        arrived = self.session.install(library, index, watched, final)
        self.query_one(DateTree).fill(library.entries, self.session.unread_by_date)
        self.query_one(TagTree).fill(library.tag_counts())
        empty = not library.entries
        self.query_one("#main").display = not empty
        self.query_one("#welcome", Static).display = empty
        if empty:
            config_file = self.config_dir / config.CONFIG_FILE
            self.query_one("#welcome", Static).update(welcome_text(self.sources, config_file, len(library.problems)))
        self.refresh_list()
        return arrived

    @while_running
    def library_updated(self, library: Library, index: SearchIndex, watched: frozenset[int]) -> None:
        """A re-read library: cursor, filters and marks stay as they were."""
        arrived = self.install_library(library, index, watched)
        if arrived:
            self.notify(f"{plural(arrived, 'new entry', 'new entries')} arrived.")

    # -- state ------------------------------------------------------------------------------

    def row_marks(self, entry: Entry) -> RowMarks:
        store = self.store
        return RowMarks(store.is_read(entry.id), store.is_bookmarked(entry.id), self.session.is_watched(entry))

    @property
    def unread_count(self) -> int:
        return self.session.unread_count

    def set_read(self, entry: Entry, read: bool) -> None:
        keys = self.session.set_read(entry, read)
        if keys:
            self.query_one(DateTree).update_counts(keys, self.session.unread_by_date)
            self.entry_list.refresh_entry(entry)
            self.update_status()

    async def action_quit(self) -> None:
        self.flush_state()
        self.exit()

    def on_unmount(self) -> None:
        if self.index_build is not None:
            self.index_build.stop()
        self.flush_state()

    def flush_state(self) -> None:
        message = self.saver.flush()
        if message:
            self.log.error(message)

    def on_theme_changed(self, theme: Theme) -> None:
        self.remember("theme", theme.name)

    def remember(self, key: str, value: str) -> None:
        self.saver.remember(key, value)

    # -- the list ---------------------------------------------------------------------------

    def refresh_list(self) -> None:
        self.show_rows(self.session.filter, self.session.select(self.session.filter))

    @work(thread=True, exclusive=True, group="search")
    def search_in_background(self, flt: Filter) -> None:
        """A keystroke's search over a big library, so typing never waits for it."""
        rows = self.session.select(flt)
        self.call_from_thread(self.show_rows, flt, rows)

    def show_rows(self, flt: Filter, rows: list[int]) -> None:
        if flt != self.session.filter:
            return  # a newer keystroke already asked for something else
        self.listed_filter = flt
        if flt.query.strip():
            empty = f'No entries match "{flt.query}".'
        elif flt.narrows:
            empty = f"No entries for this filter ({flt.describe()}). Press esc to clear it."
        else:
            empty = "No entries."
        highlights = Highlights(self.session.highlights("title", flt.query), self.session.highlights("tag", flt.query)) if flt.query.strip() else Highlights()
        self.entry_list.show(self.library.entries, rows, keep=self.entry_list.current, empty_message=empty, highlights=highlights)
        self.query_one(DateTree).show_chosen(flt.date_key)
        self.query_one(TagTree).show_chosen(flt.tag)
        self.query_one(TrendBar).show(self.library, flt.tag)
        self.update_status()

    def set_filter(self, flt: Filter) -> None:
        self.session.filter = flt
        self.refresh_list()

    def update_status(self) -> None:
        names = "sample digests" if self.reading_samples else ", ".join(source.name or str(source) for source in self.sources[:3])
        # One line high whatever it says: no layout of the screen.
        self.query_one("#status", Static).update(status_text(self.session, names, len(self.entry_list.rows)), layout=False)

    @on(EntryList.Highlighted)
    def show_entry(self, message: EntryList.Highlighted) -> None:
        entry = message.entry
        try:
            self.show_detail(entry)
        except NoMatches:
            return  # a move queued just before quitting: the panes are gone
        self.stop_dwell()
        action = self.session.on_highlight(entry, message.by_user, reading=self.focused is self.detail)
        if entry is not None and action == "read":
            self.set_read(entry, True)
        elif entry is not None and action == "dwell":
            self.read_timer = self.set_timer(self.settings.dwell_seconds, lambda: self.mark_read_if_shown(entry))

    def stop_dwell(self) -> None:
        if self.read_timer is not None:
            self.read_timer.stop()
            self.read_timer = None

    def mark_read_if_shown(self, entry: Entry) -> None:
        self.read_timer = None
        if self.detail.entry is entry:
            self.set_read(entry, True)

    def open_entry(self) -> None:
        """Read the current entry: focus the detail pane and, unless read marks are left to
        the user (mark_read = "never"), mark it read."""
        entry = self.current
        self.detail.focus()
        if entry is not None and self.listed_filter.query.strip():
            self.detail.scroll_to_first_match()
        if entry is not None and self.session.reads_on_open():
            self.stop_dwell()
            self.set_read(entry, True)

    def show_detail(self, entry: Entry | None) -> None:
        session = self.session
        if entry is None:
            placeholder = "" if self.loading else self.entry_list.empty_message
            session.clear_related()
            self.detail.show(None, placeholder=placeholder)
            return
        shown = self.detail.entry
        if shown is None or shown.id != entry.id:
            # Related entries are found once the entry is drawn: a move never waits for them.
            session.clear_related()
            self.call_after_refresh(self.find_related, entry)
        self.detail.show(
            entry,
            note=self.store.note(entry.id),
            language=session.language,
            related=session.related,
            related_cursor=session.related_cursor,
            highlights=self.detail_highlights(),
        )

    def detail_highlights(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The listed search's words to highlight in the detail pane, by field."""
        query = self.listed_filter.query
        if not query.strip():
            return ()
        return tuple((where, self.session.highlights(where, query)) for where in DETAIL_FIELDS)

    def find_related(self, entry: Entry) -> None:
        if self.detail.entry is entry:
            self.session.show(entry, None)
            if self.session.related:
                self.show_detail(entry)

    @on(EntryList.Chosen)
    def chosen(self, message: EntryList.Chosen) -> None:
        self.open_entry()

    # -- sidebar ----------------------------------------------------------------------------

    @on(Tree.NodeSelected, "#dates")
    def date_chosen(self, event: Tree.NodeSelected) -> None:
        key = event.node.data
        if key is None:
            return
        self.set_filter(self.session.toggle_date(key))

    @on(Tree.NodeSelected, "#tags")
    def tag_chosen(self, event: Tree.NodeSelected) -> None:
        tag = event.node.data
        if tag is None:
            return
        self.set_filter(self.session.toggle_tag(tag))

    @on(Tree.NodeSelected, "#filters")
    def saved_filter_chosen(self, event: Tree.NodeSelected) -> None:
        if event.node.data is not None:
            self.use_saved_filter(event.node.data)

    def use_saved_filter(self, name: str) -> None:
        """Search for the query saved as `name` in config.toml's [filters]."""
        query = self.settings.filters.get(name)
        if query is None:
            return
        search = self.query_one("#search", Input)
        search.add_class("visible")
        search.value = query
        self.remember_query(query)

    # -- search -----------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("visible")
        search.focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.show_query_errors(event.value)
        flt = replace(self.session.filter, query=event.value)
        if self.search_is_slow(event.value):
            self.session.filter = flt
            self.search_in_background(flt)
        else:
            self.set_filter(flt)

    def search_is_slow(self, text: str) -> bool:
        """Whether a search could keep the screen waiting, so it runs in a thread: a scan of a
        big library, or a phrase or field term checked on the details of many candidates."""
        size = len(self.library)
        if self.session.reads_details(text):
            return size > DETAILS_SEARCH_IN_BACKGROUND_OVER
        through_index = self.session.index.tokens is not None
        return size > (INDEXED_SEARCH_IN_BACKGROUND_OVER if through_index else SEARCH_IN_BACKGROUND_OVER)

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.remember_query(event.value)
        self.entry_list.focus()

    @on(Input.Blurred, "#search")
    def search_left(self, event: Input.Blurred) -> None:
        self.remember_query(event.value)

    @on(SearchBox.CheatSheetWanted)
    def show_cheat_sheet(self) -> None:
        from digest_tui.tui.screens.cheat_sheet import CheatSheetScreen

        self.push_screen(CheatSheetScreen())

    def remember_query(self, query: str) -> None:
        """Put `query` first in the search history, written to its file in the background."""
        if self.search_history.add(query):
            self.run_worker(self.save_search_history, thread=True, group="history")

    def save_search_history(self) -> None:
        try:
            self.search_history.save()
        except OSError as error:
            self.call_from_thread(self.notify, f"could not save the search history in {self.config_dir}: {error.strerror or error}", severity="warning")

    def show_query_errors(self, text: str) -> None:
        """Say under the search box what in `text` could not be understood (the rest of the
        query still narrows the list); the line is hidden when all of it was."""
        line = self.query_one("#search-errors", Static)
        errors = self.session.query_errors(text) if text.strip() else []
        if errors:
            said = Text("⚠ ", style="bold")
            said.append(clean_line(" · ".join(error.message for error in errors)))
            line.update(said)
        line.display = bool(errors)

    def clear_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.remove_class("visible")
        self.show_query_errors("")
        self.set_filter(replace(self.session.filter, query=""))
        self.entry_list.focus()

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.READER_ACTIONS and isinstance(self.screen, ModalScreen):
            return False
        return True

    @property
    def current(self) -> Entry | None:
        return self.entry_list.current

    def action_focus_detail(self) -> None:
        if self.session.related_cursor >= 0:
            self.action_open_related(self.session.related_cursor)
        else:
            self.open_entry()

    def action_go_back(self) -> None:
        """esc: from the search box or the detail pane to the list, then clear the search,
        then the filter."""
        focused, flt = self.focused, self.session.filter
        if focused is self.query_one("#search"):
            self.clear_search()
        elif focused is self.detail:
            self.entry_list.focus()
        elif flt.query:
            self.clear_search()
        elif flt.narrows:
            self.set_filter(self.session.cleared())
        else:
            self.entry_list.focus()

    def _jump_unread(self, step: int) -> None:
        position = self.session.next_unread(self.entry_list.rows, self.entry_list.cursor, step)
        if position is None:
            self.notify("No more unread entries " + ("below." if step > 0 else "above."))
        else:
            self.entry_list.move_by_user(position)

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def action_toggle_unread_only(self) -> None:
        self.set_filter(replace(self.session.filter, unread_only=not self.session.filter.unread_only))

    def action_toggle_bookmarked_only(self) -> None:
        self.set_filter(replace(self.session.filter, bookmarked_only=not self.session.filter.bookmarked_only))

    def action_toggle_bookmark(self) -> None:
        entry = self.current
        if entry is None:
            return
        on = self.session.toggle_bookmark(entry)
        self.entry_list.refresh_entry(entry)
        self.show_detail(entry)
        self.update_status()
        self.notify(("Bookmarked: " if on else "Bookmark removed: ") + shorten(entry.title, 60), timeout=2)

    def action_edit_note(self) -> None:
        entry = self.current
        if entry is None:
            return
        if not self.store.loaded:
            # An editor opened now would start empty and its save replace the note on disk.
            self.notify("The notes are still being read: press e again in a moment.", timeout=3)
            return

        def save_note(note: str | None) -> None:
            if note is None:
                return
            self.session.set_note(entry, note)
            self.entry_list.refresh_entry(entry)
            self.show_detail(entry)
            self.update_status()

        from digest_tui.tui.screens.dialogs import NoteScreen

        self.push_screen(NoteScreen(entry.title, self.store.note(entry.id)), save_note)

    def action_toggle_read(self) -> None:
        entry = self.current
        if entry is not None:
            self.stop_dwell()  # marked unread by hand: no timer may undo that
            self.set_read(entry, not self.store.is_read(entry.id))

    def action_mark_all_read(self) -> None:
        entries = [e for e in self.entry_list.visible_entries() if not self.store.is_read(e.id)]
        if not entries:
            self.notify("Every listed entry is read already.")
            return

        def mark(confirmed: bool | None) -> None:
            if not confirmed:
                return
            self.session.mark_all_read(entries)
            self.query_one(DateTree).update_all_counts(self.session.unread_by_date)
            self.refresh_list()
            self.notify(f"Marked {plural(len(entries), 'entry', 'entries')} as read.")

        if len(entries) > CONFIRM_MARK_ALL_OVER:
            from digest_tui.tui.screens.dialogs import ConfirmScreen

            self.push_screen(ConfirmScreen(f"Mark {len(entries)} entries as read?"), mark)
        else:
            mark(True)

    def action_cycle_sort(self) -> None:
        sort = self.session.next_sort()
        self.set_filter(replace(self.session.filter, sort=sort))
        self.remember("sort", sort)
        self.notify(f"Sorted by {sort}.", timeout=2)

    def action_toggle_watched_only(self) -> None:
        if not self.session.watch:
            self.notify(f"The watch list is empty: add watch_authors or watch_keywords to {self.config_dir / config.CONFIG_FILE}.")
            return
        self.set_filter(replace(self.session.filter, watched_only=not self.session.filter.watched_only))

    def action_cycle_language(self) -> None:
        language = self.session.cycle_language()
        self.show_detail(self.current)
        self.remember("commentary_language", language)
        self.notify(f"Commentary shown: {LANGUAGE_NAMES[language]}.", timeout=2)

    def action_toggle_authors(self) -> None:
        self.detail.toggle_authors()

    def action_related(self, step: int) -> None:
        if not self.session.step_related(step):
            self.notify("No related entries.", timeout=2)
            return
        self.show_detail(self.current)
        self.detail.scroll_end(animate=False)

    def action_open_related(self, position: int) -> None:
        current = self.current
        target = self.session.leave_for_related(current, position) if current is not None else None
        if target is not None:
            self.jump_to(target)

    def action_history_back(self) -> None:
        entry = self.session.back()
        if entry is None:
            self.notify("No earlier entry to go back to.", timeout=2)
        else:
            self.jump_to(entry)

    def action_trends(self) -> None:
        if not self.library.entries:
            return
        # Screens the first paint does not need are imported when they are opened.
        from digest_tui.digest.trends import library_months, tag_series, top_tags
        from digest_tui.tui.screens.trends import TrendsScreen

        tags = top_tags(self.library, 12)
        totals = dict(self.library.tag_counts())
        months = library_months(self.library)
        if months is None:
            return

        def chosen(tag: str | None) -> None:
            if tag:
                self.set_filter(replace(self.session.filter, tag=tag))

        self.push_screen(TrendsScreen(tag_series(self.library, tags, months=months), totals, months), chosen)

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        if sidebar.has_class("narrow"):
            sidebar.toggle_class("shown")
        else:
            sidebar.toggle_class("hidden")

    def action_help(self) -> None:
        from digest_tui.tui.screens.help import HelpScreen, HelpSection
        from digest_tui.tui.search_syntax import SEARCH_NOTE, SEARCH_SYNTAX

        sections = [
            HelpSection("Moving", [b for b in EntryList.BINDINGS if isinstance(b, Binding)]),
            HelpSection("Reading", READER_BINDINGS, self.session.read_rule()),
            HelpSection("Sidebar", [*TREE_KEYS, *DATE_KEYS], SIDEBAR_NOTE),
            HelpSection("Everywhere", EVERYWHERE),
            HelpSection("Search", [*SEARCH_KEYS, CHEAT_SHEET_KEY], SEARCH_NOTE, rows=SEARCH_SYNTAX),
        ]
        self.push_screen(HelpScreen(sections, str(self.config_dir)))

    def action_problems(self) -> None:
        from digest_tui.tui.screens.problems import ProblemsScreen

        self.push_screen(ProblemsScreen(self.library.problems, self.library.notes))

    # -- jumping ----------------------------------------------------------------------------

    def jump_to(self, entry: Entry) -> None:
        """Show `entry` in the list, clearing filters that hide it."""
        if not self.entry_list.move_to(entry):
            self.query_one("#search", Input).value = ""
            self.query_one("#search", Input).remove_class("visible")
            self.show_query_errors("")
            self.set_filter(self.session.cleared())
            self.entry_list.move_to(entry)
        self.entry_list.focus()

    # -- links and citations (link_actions.py) ----------------------------------------------

    def open_in_browser(self, url: str) -> None:
        self.link_actions.open_in_browser(url)

    def action_open_arxiv(self) -> None:
        self.link_actions.open_arxiv()

    def action_open_link(self, number: int) -> None:
        self.link_actions.open_link(number)

    def action_links(self) -> None:
        self.link_actions.links()

    def action_copy_link(self) -> None:
        self.link_actions.copy_link()

    def action_copy_citation(self, fmt: str = "") -> None:
        self.link_actions.copy_citation(fmt)

    def action_choose_citation(self) -> None:
        self.link_actions.choose_citation()
