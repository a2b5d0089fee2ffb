"""`digest-tui export` in JSON lines, BibTeX and Markdown, and the filters shared by all three."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest_tui.digest.library import load_library
from digest_tui.digest.query import parse_query
from digest_tui.digest.watch import WatchList
from digest_tui.disk.stateformat import load_state
from digest_tui.out.cite import bibtex_all
from digest_tui.out.export import FORMATS, export_bibtex, export_jsonl, export_markdown, render, select, tag_key, unknown_tags
from tests.seedhelpers import by_title

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JSONL_KEYS = [
    "id",
    "date",
    "title",
    "authors",
    "abstract",
    "commentary",
    "tags",
    "links",
    "source",
    "line",
    "read",
    "bookmarked",
]


class FakeState:
    """The part of the state the export reads."""

    def __init__(self, read=(), bookmarks=None) -> None:
        self.read = set(read)
        self.bookmarks = dict(bookmarks or {})

    def is_read(self, entry_id: str) -> bool:
        return entry_id in self.read

    def is_bookmarked(self, entry_id: str) -> bool:
        return entry_id in self.bookmarks

    def note(self, entry_id: str) -> str | None:
        return self.bookmarks.get(entry_id) or None


class StateWithoutNotes:
    def is_read(self, entry_id: str) -> bool:
        return False

    def is_bookmarked(self, entry_id: str) -> bool:
        return True


# --- in process ----------------------------------------------------------------------------


def test_jsonl_record_keys_and_values(library):
    entry = by_title(library, "NVLM")
    state = FakeState(read=[entry.id])
    (line,) = export_jsonl([entry], state)
    assert line.endswith("\n") and line.count("\n") == 1
    record = json.loads(line)
    assert list(record) == JSONL_KEYS
    assert record["date"] == "2024-09-18" and record["read"] is True and record["bookmarked"] is False
    assert record["links"] == ["https://nvlm-project.github.io/"]
    # Korean stays readable: ensure_ascii=False.
    assert "\\u" not in line and any("\uac00" <= ch <= "\ud7a3" for ch in line)


def test_select_filters(library):
    a, b, c = by_title(library, "AquilaMoE"), by_title(library, "NVLM"), by_title(library, "Mutual Reasoning")
    state = FakeState(read=[a.id], bookmarks={a.id: "", b.id: ""})
    assert select(library.entries, state, bookmarked=True) == [b, a]
    assert select([a, b, c], state, unread=True) == [b, c]
    assert select([a, b, c], state, bookmarked=True, unread=True) == [b]
    assert select(library.entries, state, tags=["mcts"]) == [by_title(library, "CPL:")]
    assert [e.title[:6] for e in select(library.entries, state, tags=["search"])] == [
        "A Simp",
        "CPL: C",
        "Mutual",
        "Theore",
    ]
    assert select([a, b, c], state, tags=["search", "llm"]) == [a, c]
    assert select([a, b, c], state, tags=["no-such-tag"]) == []


def test_tags_are_matched_as_the_reader_shows_them(library):
    """The sidebar shows `#search`: typed with its `#`, or in capitals, it is the same tag."""
    state = FakeState()
    expected = select(library.entries, state, tags=["search"])
    assert len(expected) == 4
    for spelling in ("#search", "SEARCH", "#Search", " #search "):
        assert select(library.entries, state, tags=[spelling]) == expected, spelling
    assert unknown_tags(["#Search", "nope", "#nope"], library.by_tag) == ["nope", "#nope"]
    assert tag_key("#Ｒeasoning") == "reasoning"  # full-width letters too, as search folds them


def test_markdown_links_only_an_entrys_own_arxiv_page(tmp_path):
    path = tmp_path / "own.txt"
    path.write_text(
        "2024-09-01\nTransfusion\n(Chunting Zhou)\narXiv:2408.11039\nText.\n#multimodal\n"
        "Without an Id\n(Ada Lovelace)\nSee https://github.com/example/repo.\n#multimodal\n",
        encoding="utf-8",
    )
    text = export_markdown(load_library([path]).entries, FakeState())
    assert text.splitlines()[0] == "- [Transfusion](https://arxiv.org/abs/2408.11039)"
    assert "- Without an Id" in text.splitlines()
    assert "search" not in text and "github" not in text


def test_bibtex_export_is_bibtex_all(library):
    assert export_bibtex(library.entries) == bibtex_all(library.entries)
    assert export_bibtex([]) == ""


def test_markdown_export(library):
    pixtral, aquila = by_title(library, "Announcing Pixtral"), by_title(library, "AquilaMoE")
    state = FakeState(bookmarks={pixtral.id: "Compare with Qwen2-VL.\n\nVision encoder [link](https://mistral.ai)"})
    assert export_markdown([pixtral, aquila], state) == (
        "- Announcing Pixtral 12B\n"
        "  - Authors: Mistral AI\n"
        "  - Date: 2024-09-18\n"
        "  - Tags: #vision-language\n"
        "  - Note: Compare with Qwen2-VL.\n"
        "\n"
        "    Vision encoder [link](https://mistral.ai)\n"
        "- AquilaMoE: Efficient Training for MoE Models with Scale-Up and Scale-Out Strategies\n"
        f"  - Authors: {', '.join(aquila.authors)}\n"
        "  - Date: 2024-08-14\n"
        "  - Tags: #llm #efficient-training\n"
    )


def test_markdown_without_notes_in_the_state(library):
    text = export_markdown([by_title(library, "NVLM")], StateWithoutNotes())
    assert "Note:" not in text and text.startswith("- NVLM: Open Frontier-Class Multimodal LLMs\n")


def test_render_every_format(library):
    state = FakeState()
    for fmt in FORMATS:
        assert "".join(render(fmt, library.entries[:2], state))
    with pytest.raises(ValueError):
        list(render("csv", library.entries, state))


# --- the command, in a real subprocess ----------------------------------------------------


STAMP = "2026-11-24T21:13:43Z"


def write_state(directory: Path, read=(), bookmarks=()) -> None:
    """A state.toml marking entries read and bookmarked (with notes), in the documented format."""
    bookmarks = dict.fromkeys(bookmarks, "") if not isinstance(bookmarks, dict) else bookmarks
    lines = ["version = 1", "", "[read]"] + [f"{i} = {STAMP}" for i in read] + ["", "[bookmarks]"]
    for i, note in bookmarks.items():
        lines.append(f"{i} = {{ at = {STAMP}" + (f", note = {json.dumps(note)}" if note else "") + " }")
    (directory / "state.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    state, warnings = load_state(directory / "state.toml")
    assert not warnings
    assert all(state.is_read(i) for i in read) and all(state.is_bookmarked(i) for i in bookmarks)


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    config, cache = tmp_path / "config", tmp_path / "cache"
    config.mkdir()
    cache.mkdir()
    env = dict(os.environ, DIGEST_TUI_CONFIG_DIR=str(config), DIGEST_TUI_CACHE_DIR=str(cache))
    return config, env


def run_export(dirs, *args: str) -> subprocess.CompletedProcess[str]:
    config, env = dirs
    return subprocess.run(
        [sys.executable, "-m", "digest_tui", "export", *args, "--config-dir", str(config), str(SEEDS)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_command_bibtex(dirs, library):
    done = run_export(dirs, "--format", "bibtex")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == bibtex_all(library.entries)
    assert done.stdout.count("@misc{") == len(library.entries)
    assert "@misc{qi2024mutual,\n" in done.stdout and "  author = {{Mistral AI}},\n" in done.stdout


def test_command_markdown_bookmarked(dirs, library):
    nvlm, qi = by_title(library, "NVLM"), by_title(library, "Mutual Reasoning")
    write_state(dirs[0], bookmarks={qi.id: "", nvlm.id: "Check the 1-D tile tagging."})
    done = run_export(dirs, "--bookmarked", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert done.stdout == export_markdown([nvlm, qi], load_state(dirs[0] / "state.toml")[0])
    if hasattr(load_state(dirs[0] / "state.toml")[0], "note"):
        assert "  - Note: Check the 1-D tile tagging.\n" in done.stdout
    assert [line for line in done.stdout.splitlines() if line.startswith("- ")] == [
        "- NVLM: Open Frontier-Class Multimodal LLMs",
        "- Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers",
    ]


def test_command_filters_the_same_way_for_every_format(dirs, library):
    aquila, nvlm = by_title(library, "AquilaMoE"), by_title(library, "NVLM")
    write_state(dirs[0], read=[aquila.id], bookmarks=[aquila.id, nvlm.id])
    state = load_state(dirs[0] / "state.toml")[0]
    cases = [
        ["--unread"],
        ["--bookmarked"],
        ["--bookmarked", "--unread"],
        ["--tag", "llm"],
        ["--tag", "llm", "--tag", "reasoning", "--unread"],
    ]
    for flags in cases:
        expected = select(
            library.entries,
            state,
            bookmarked="--bookmarked" in flags,
            unread="--unread" in flags,
            tags=[flags[i + 1] for i, f in enumerate(flags) if f == "--tag"],
        )
        assert expected, flags
        outputs = {fmt: run_export(dirs, *flags, "--format", fmt) for fmt in FORMATS}
        assert all(done.returncode == 0 for done in outputs.values()), flags
        ids = [json.loads(line)["id"] for line in outputs["jsonl"].stdout.splitlines()]
        assert ids == [e.id for e in expected], flags
        assert outputs["bibtex"].stdout == bibtex_all(expected), flags
        assert outputs["markdown"].stdout == export_markdown(expected, state), flags
    assert select(library.entries, state, bookmarked=True, unread=True) == [nvlm]


def test_command_tag_with_its_hash_in_any_case(dirs, library):
    plain = run_export(dirs, "--tag", "reasoning")
    assert plain.returncode == 0 and plain.stderr == ""
    assert len(plain.stdout.splitlines()) == len(select(library.entries, FakeState(), tags=["reasoning"])) == 3
    for spelling in ("#reasoning", "REASONING", "#Reasoning"):
        done = run_export(dirs, "--tag", spelling)
        assert (done.returncode, done.stdout, done.stderr) == (0, plain.stdout, ""), spelling


def test_command_says_when_a_tag_matches_nothing(dirs):
    done = run_export(dirs, "--tag", "#no-such-tag", "--tag", "reasoning")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 3
    assert done.stderr == "digest-tui: no entry has the tag #no-such-tag\n"


def test_command_jsonl_is_the_default_and_unchanged(dirs, library):
    write_state(dirs[0], read=[library.entries[0].id])
    done = run_export(dirs)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == len(library.entries)
    first = library.entries[0]
    assert records[0] == {
        "id": first.id,
        "date": first.date.isoformat(),
        "title": first.title,
        "authors": list(first.authors),
        "abstract": first.abstract,
        "commentary": first.commentary,
        "tags": list(first.tags),
        "links": list(first.links),
        "source": first.source,
        "line": first.line,
        "read": True,
        "bookmarked": False,
    }
    assert all(list(r) == JSONL_KEYS for r in records)
    assert run_export(dirs, "--format", "jsonl").stdout == done.stdout


def test_command_rejects_an_unknown_format(dirs):
    done = run_export(dirs, "--format", "csv")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "invalid choice: 'csv'" in done.stderr and "bibtex" in done.stderr


def test_a_query_narrows_the_export_with_the_other_filters(library):
    reasoning = [entry for entry in library.entries if "reasoning" in entry.title.lower()]
    noted, other = reasoning[0], reasoning[1]
    state = FakeState(read=[other.id], bookmarks={noted.id: "For the MCTS part", other.id: ""})
    assert select(library.entries, state, query=parse_query("title:reasoning")) == reasoning
    assert select(library.entries, state, bookmarked=True, query=parse_query("title:reasoning")) == [noted, other]
    assert select(library.entries, state, bookmarked=True, query=parse_query("note:mcts")) == [noted]
    assert select(library.entries, state, query=parse_query("is:bookmarked is:read")) == [other]
    tag = noted.tags[0]
    assert select(library.entries, state, tags=[tag], query=parse_query(f"-#{tag}")) == []
    watch = WatchList.from_settings([noted.authors[0]], [])
    assert noted in select(library.entries, state, query=parse_query("is:watched"), watch=watch)
    assert select(library.entries, state, query=parse_query("is:watched")) == []
