"""The command line: `digest-tui [PATH ...]` starts the reader; subcommands work without a terminal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from digest_tui import __version__
from digest_tui.config import CONFIG_FILE, Settings, cache_dir, config_dir, load_settings
from digest_tui.digest.library import Library, load_library, resolve_sources
from digest_tui.digest.query import QueryError, parse_query
from digest_tui.digest.watch import WatchList
from digest_tui.disk.stateformat import STATE_FILE, load_state
from digest_tui.out.export import FORMATS as EXPORT_FORMATS
from digest_tui.out.export import render, select, unknown_tags
from digest_tui.text.sanitize import clean, clean_line
from digest_tui.text.wording import plural

PROG = "digest-tui"
SUBCOMMANDS = ("export", "check", "paths", "state")


def say(line: str) -> None:
    """Print one line of output. Every line the command line prints goes through here or
    `warn` (the export's own output through `clean`): file names, titles and messages in it
    are data, cleaned of control characters."""
    print(clean_line(line))


def warn(line: str) -> None:
    """`say` on stderr."""
    print(clean_line(line), file=sys.stderr)


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parsers() -> tuple[Parser, Parser]:
    common = Parser(add_help=False)
    # SUPPRESS: a subcommand's own default must not undo `--config-dir` given before it.
    common.add_argument("--config-dir", metavar="DIR", default=argparse.SUPPRESS, help="where config.toml and state.toml live")

    main = Parser(
        prog=PROG,
        parents=[common],
        description="A terminal reader for research-paper digests.",
        epilog=f"Subcommands: {', '.join(SUBCOMMANDS)} (run '{PROG} SUBCOMMAND --help').",
    )
    main.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    main.add_argument("paths", nargs="*", metavar="PATH", help="digest files or directories (default: config sources, else the bundled samples)")

    sub = Parser(prog=PROG, parents=[common])
    commands = sub.add_subparsers(dest="command", required=True, parser_class=Parser)
    export = commands.add_parser(
        "export",
        parents=[common],
        help="print entries as JSON lines, BibTeX or Markdown",
        description=(
            "Print entries as JSON lines, BibTeX or Markdown. Problems in the digests go to stderr as"
            " 'file:line: message' and make the exit status 1; the entries that did load are still printed."
        ),
    )
    export.add_argument("--format", choices=EXPORT_FORMATS, default="jsonl", help="jsonl (default), bibtex or markdown")
    export.add_argument("--bookmarked", action="store_true", help="only bookmarked entries")
    export.add_argument("--unread", action="store_true", help="only unread entries")
    export.add_argument("--tag", action="append", default=[], metavar="T", help="only entries with tag T, with or without its '#', in any case (repeatable)")
    export.add_argument(
        "--query", metavar="Q", default="", help="only entries the search query Q finds, as the reader's search box does (see the README's 'Search queries')"
    )
    export.add_argument("paths", nargs="*", metavar="PATH")
    check = commands.add_parser("check", parents=[common], help="report every problem in the digests")
    check.add_argument("paths", nargs="*", metavar="PATH")
    commands.add_parser("paths", parents=[common], help="print where config, state and cache live")
    state = commands.add_parser("state", parents=[common], help="work on state.toml (read marks and bookmarks)")
    state_commands = state.add_subparsers(dest="state_command", metavar="{merge}", required=True, parser_class=Parser)
    merge = state_commands.add_parser("merge", parents=[common], help="merge other state files (say, sync conflict copies) into state.toml")
    merge.add_argument("files", nargs="+", metavar="FILE")
    return main, sub


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except UsageError as error:
        warn(f"{PROG}: {error}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`| head`); not an error worth a traceback.
        sys.stderr.close()
        return 0


def run(args: list[str]) -> int:
    main_parser, sub_parser = build_parsers()
    if _first_word(args) in SUBCOMMANDS:
        options = sub_parser.parse_args(args)
        _check_paths(options)
        return {"export": cmd_export, "check": cmd_check, "paths": cmd_paths, "state": cmd_state}[options.command](options)
    options = main_parser.parse_args(args)
    _check_paths(options)
    return cmd_read(options)


def _check_paths(options: argparse.Namespace) -> None:
    # Path("") is the current directory: an empty argument (an unset shell variable, say)
    # must not quietly read whatever lies there.
    if "" in getattr(options, "paths", []):
        raise UsageError("an empty PATH names no file or directory")


def _first_word(args: list[str]) -> str | None:
    """The first argument that is not an option, so `--config-dir X check` finds `check`."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--config-dir":
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def open_library(options: argparse.Namespace) -> tuple[Library, Path, list[str]]:
    library, directory, _, warnings = open_library_with_settings(options)
    return library, directory, warnings


def open_library_with_settings(options: argparse.Namespace) -> tuple[Library, Path, Settings, list[str]]:
    directory = config_dir(getattr(options, "config_dir", None))
    settings, warnings = load_settings(directory)
    return load_library(resolve_sources(options.paths, settings.sources)), directory, settings, warnings


def query_error_line(text: str, error: QueryError) -> str:
    """A part of `--query` that cannot be understood, told with its place (a character count
    from 1): a usage error, one line."""
    return f"{PROG}: --query: at character {error.start + 1} ({text[error.start : error.end]!r}): {error.message}"


def cmd_read(options: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        warn(f"{PROG}: the reader needs a terminal (stdin and stdout must be a TTY); try '{PROG} export' or '{PROG} check'")
        return 2
    from digest_tui.tui.app import DigestApp  # Textual loads only when the reader starts

    app = DigestApp(paths=options.paths, config_dir=config_dir(getattr(options, "config_dir", None)))
    app.run()
    # run() returns normally after a crash too (Textual prints the traceback and sets
    # return_code to 1): the exit status must still say that the reader failed.
    return app.return_code or 0


def cmd_export(options: argparse.Namespace) -> int:
    query = parse_query(options.query)
    if query.errors:  # told before any digest is read
        for error in query.errors:
            warn(query_error_line(options.query, error))
        return 2
    library, directory, settings, warnings = open_library_with_settings(options)
    state, state_warnings = load_state(directory / STATE_FILE)
    for warning in warnings + state_warnings:
        warn(f"{PROG}: {warning}")
    # The same lines as `check`, on stderr so that stdout stays the export: a missing or
    # unreadable digest must not pass for one with nothing in it.
    for problem in library.problems:
        warn(str(problem))
    for tag in unknown_tags(options.tag, library.by_tag):
        warn(f"{PROG}: no entry has the tag #{tag.strip().lstrip('#')}")
    watch = WatchList.from_settings(settings.watch_authors, settings.watch_keywords)
    entries = select(library.entries, state, bookmarked=options.bookmarked, unread=options.unread, tags=options.tag, query=query, watch=watch)
    out = sys.stdout
    for chunk in render(options.format, entries, state):
        out.write(clean(chunk))
    out.flush()
    if library.problems:
        count = len(library.problems)
        warn(f"{PROG}: {plural(count, 'problem')} in the digests; {plural(len(entries), 'entry', 'entries')} exported")
        return 1
    return 0


def cmd_check(options: argparse.Namespace) -> int:
    library, _, warnings = open_library(options)
    for warning in warnings:
        warn(f"{PROG}: {warning}")
    for problem in library.problems:
        say(str(problem))
    for note in library.notes:
        say(f"{note.source}:{note.line}: note: {note.message}")
    summary = f"{plural(len(library), 'entry', 'entries')}, {plural(len(library.problems), 'problem')}"
    if library.notes:
        summary += f", {plural(len(library.notes), 'note')}"
    say(summary)
    return 1 if library.problems else 0


def cmd_paths(options: argparse.Namespace) -> int:
    directory = config_dir(getattr(options, "config_dir", None))
    say(f"config: {directory / CONFIG_FILE}")
    say(f"state:  {directory / STATE_FILE}")
    say(f"cache:  {cache_dir()}")
    return 0


def cmd_state(options: argparse.Namespace) -> int:
    """`state merge FILE...`: the latest change per entry wins, as when instances merge."""
    from digest_tui.disk.stateformat import read_state_file
    from digest_tui.disk.store import StateStore

    others = []
    for name in options.files:
        try:
            others.append((name, *read_state_file(Path(name))))
        except (OSError, ValueError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            warn(f"{PROG}: cannot merge {name}: {reason}; nothing was merged")
            return 1
    store = StateStore(config_dir(getattr(options, "config_dir", None)))
    for message in store.load():
        warn(f"{PROG}: {message}")
    for name, other, problems in others:
        for problem in problems:
            warn(f"{PROG}: {name}: {problem}")
        read, bookmarked = other.counts()
        changed = store.merge_state(other)
        say(f"{name}: {read} read, {bookmarked} bookmarked; {plural(changed, 'mark')} newer than {store.path}")
    failure = store.save()
    for message in store.take_notices():
        warn(f"{PROG}: {message}")
    if failure is not None:
        warn(f"{PROG}: {failure}")
        return 1
    read, bookmarked = store.state.counts()
    say(f"{store.path}: {read} read, {bookmarked} bookmarked")
    return 0
