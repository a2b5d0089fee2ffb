"""The reader's status line and the page shown when there are no digests, as Text."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from digest_tui.session import ReadingSession
from digest_tui.text.sanitize import clean_line
from digest_tui.text.wording import plural


def status_text(session: ReadingSession, sources: str, shown: int) -> Text:
    """` digest-tui · seeds · 27 entries · 26 unread · … │ #tag (4)`: what is read, its counts,
    and the filter with how many entries it lists."""
    text = Text(" digest-tui", style="bold")
    text.append(f" · {clean_line(sources)}", style="dim")
    library = session.library
    if session.loading:
        text.append(" · loading…")
    else:
        text.append(f" · {plural(len(library), 'entry', 'entries')} · {session.unread_count} unread · {session.bookmarked_count} bookmarked")
        problems = len(library.problems)
        text.append(f" · {plural(problems, 'problem')}", style="bold yellow" if problems else "")
        if session.watch:
            unread = session.watched_unread_count
            text.append(f" · ◆ {unread} watched unread", style="bold green" if unread else "")
    flt = session.filter
    if flt.narrows:
        text.append(f"  │ {clean_line(flt.describe())} ({shown})", style="bold cyan")
    if flt.sort != "date":
        text.append(f"  │ sorted by {flt.sort}", style="dim")
    return text


def welcome_text(sources: list[Path], config_file: Path, problems: int) -> Text:
    """What an empty library says: where digests were looked for and how to add some."""
    text = Text("No digests yet\n\n", style="bold")
    text.append("digest-tui looked for digest files (*.txt) in:\n")
    for source in sources:
        text.append(f"  {clean_line(str(source))}\n", style="cyan")
    text.append("\nTo add some:\n")
    text.append("  • start it with a path:  digest-tui ~/digests\n")
    text.append(f"  • or list folders in {clean_line(str(config_file))}:\n")
    text.append('      sources = ["~/digests"]\n', style="cyan")
    text.append("  • or drop digest files into one of the folders above.\n")
    if problems:
        text.append(f"\n{plural(problems, 'problem')} found: press p to see them.\n", style="yellow")
    text.append("\nq quits · ? lists every key")
    return text
