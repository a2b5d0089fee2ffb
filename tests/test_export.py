"""`digest-tui export` in JSON lines, BibTeX and Markdown, and the filters shared by all three."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digest_tui.cite import bibtex_all
from digest_tui.export import FORMATS, export_bibtex, export_jsonl, export_markdown, render, select
from tests.seedhelpers import by_title
from digest_tui.state import load_state

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JSONL_KEYS = [
    "id", "date", "title", "authors", "abstract", "commentary", "tags", "links", "source", "line", "read", "bookmarked",
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
        "A Simp", "CPL: C", "Mutual", "Theore",
    ]
    assert select([a, b, c], state, tags=["search", "llm"]) == [a, c]
    assert select([a, b, c], state, tags=["no-such-tag"]) == []


def test_bibtex_export_is_bibtex_all(library):
    assert export_bibtex(library.entries) == bibtex_all(library.entries)
    assert export_bibtex([]) == ""


def test_markdown_export(library):
    pixtral, aquila = by_title(library, "Announcing Pixtral"), by_title(library, "AquilaMoE")
    state = FakeState(bookmarks={pixtral.id: "Compare with Qwen2-VL.\n\nVision encoder [link](https://mistral.ai)"})
    assert export_markdown([pixtral, aquila], state) == (
        "- [Announcing Pixtral 12B](https://arxiv.org/search/?query=Announcing+Pixtral+12B&searchtype=title)\n"
        "  - Authors: Mistral AI\n"
        "  - Date: 2024-09-18\n"
        "  - Tags: #vision-language\n"
        "  - Note: Compare with Qwen2-VL.\n"
        "\n"
        "    Vision encoder [link](https://mistral.ai)\n"
        "- [AquilaMoE: Efficient Training for MoE Models with Scale-Up and Scale-Out Strategies]"
        "(https://arxiv.org/search/?query=AquilaMoE%3A+Efficient+Training+for+MoE+Models+with+Scale-Up"
        "+and+Scale-Out+Strategies&searchtype=title)\n"
        f"  - Authors: {', '.join(aquila.authors)}\n"
        "  - Date: 2024-08-14\n"
        "  - Tags: #llm #efficient-training\n"
    )


def test_markdown_without_notes_in_the_state(library):
    text = export_markdown([by_title(library, "NVLM")], StateWithoutNotes())
    assert "Note:" not in text and text.startswith("- [NVLM: Open Frontier-Class Multimodal LLMs](")


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
        env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
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
        "- [NVLM: Open Frontier-Class Multimodal LLMs]"
        "(https://arxiv.org/search/?query=NVLM%3A+Open+Frontier-Class+Multimodal+LLMs&searchtype=title)",
        "- [Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers]"
        "(https://arxiv.org/search/?query=Mutual+Reasoning+Makes+Smaller+LLMs+Stronger+Problem-Solvers"
        "&searchtype=title)",
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
            library.entries, state, bookmarked="--bookmarked" in flags, unread="--unread" in flags,
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
