"""`digest-tui check` and `export` as real subprocesses, on the seeds and on broken digests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from digest_tui import __version__
from digest_tui.digest.library import load_library

KEYS = ["id", "date", "title", "authors", "abstract", "commentary", "tags", "links", "source", "line", "read", "bookmarked"]
SUBCOMMANDS = ("check", "export", "paths")


def run(tmp_path: Path, *args: str, cwd: Path | None = None, command: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run the command line with every config and cache path inside tmp_path.

    `--config-dir` goes right after the subcommand, where both kinds of parser accept it."""
    config = tmp_path / "config"
    env = dict(os.environ)
    env.update(
        DIGEST_TUI_CONFIG_DIR=str(tmp_path / "env-config"),
        DIGEST_TUI_CACHE_DIR=str(tmp_path / "env-cache"),
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
    )
    argv = list(args)
    if argv and argv[0] in SUBCOMMANDS:
        argv[1:1] = ["--config-dir", str(config)]
    base = command or [sys.executable, "-m", "digest_tui"]
    return subprocess.run([*base, *argv], cwd=cwd or tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)


def text(data: bytes) -> str:
    return data.decode("utf-8")


def records(result: subprocess.CompletedProcess) -> list[dict]:
    out = text(result.stdout)
    assert out.endswith("\n")
    return [json.loads(line) for line in out.split("\n")[:-1]]


def test_export_prints_27_json_lines(tmp_path, seeds_dir):
    result = run(tmp_path, "export")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    rows = records(result)
    assert len(rows) == 27
    for row in rows:
        assert list(row) == KEYS
        assert row["read"] is False and row["bookmarked"] is False
        assert Path(row["source"]).parent == seeds_dir
    library = load_library([seeds_dir])
    assert [row["id"] for row in rows] == [e.id for e in library.entries]
    assert [(row["date"], row["title"], row["line"]) for row in rows] == [(e.date.isoformat(), e.title, e.line) for e in library.entries]
    # The same output when the seeds are named on the command line.
    assert run(tmp_path, "export", str(seeds_dir)).stdout == result.stdout


def test_export_is_raw_utf8_with_commentary_lines_joined(tmp_path, seeds_dir):
    result = run(tmp_path, "export", str(seeds_dir / "001_d1537317faabe632.txt"))
    assert result.returncode == 0
    assert "형탠네요".encode() in result.stdout
    assert b"\\u" not in result.stdout
    rows = {row["title"]: row for row in records(result)}
    assert len(rows) == 7
    pixtral = rows["Announcing Pixtral 12B"]
    lines = (seeds_dir / "001_d1537317faabe632.txt").read_text(encoding="utf-8").split("\n")
    assert pixtral["commentary"] == lines[30] + "\n" + lines[31]
    assert pixtral["authors"] == ["Mistral AI"]
    assert pixtral["abstract"] == ""
    assert pixtral["tags"] == ["vision-language"]
    assert pixtral["line"] == 29
    assert pixtral["date"] == "2024-09-18"
    assert rows["NVLM: Open Frontier-Class Multimodal LLMs"]["links"] == ["https://nvlm-project.github.io/"]


def test_export_of_a_missing_or_binary_digest_says_so_and_fails(tmp_path):
    missing = tmp_path / "nonexistent"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 not a digest \xff\xfe" * 20)
    for path, message in ((missing, "no such file or directory"), (binary, "binary file")):
        result = run(tmp_path, "export", str(path))
        assert result.returncode == 1, path
        assert result.stdout == b""
        err = text(result.stderr).splitlines()
        assert err[0].startswith(f"{path}: {message}")
        assert err[-1] == "digest-tui: 1 problem in the digests; 0 entries exported"


def test_export_prints_what_did_load_and_reports_the_rest(tmp_path, seeds_dir):
    missing = tmp_path / "nonexistent"
    broken = tmp_path / "broken.txt"
    broken.write_text("2024-09-01\nA Paper\n(Ann Author)\nText without a tags line.\n", encoding="utf-8")
    for fmt in ("jsonl", "bibtex", "markdown"):
        result = run(tmp_path, "export", "--format", fmt, str(seeds_dir), str(missing), str(broken))
        assert result.returncode == 1, fmt
        # Every entry that loaded is printed: the 27 seeds and the entry missing its tags line.
        out = text(result.stdout)
        starts = {"jsonl": '{"id": ', "bibtex": "@misc{", "markdown": "- "}[fmt]
        assert sum(line.startswith(starts) for line in out.splitlines()) == 28, fmt
        assert "A Paper" in out
        assert text(result.stderr).splitlines() == [
            f"{missing}: no such file or directory",
            f"{broken}:2: entry 'A Paper' has no #tags line",
            "digest-tui: 2 problems in the digests; 28 entries exported",
        ], fmt
    seeds_only = run(tmp_path, "export", str(seeds_dir), str(missing))
    assert seeds_only.returncode == 1
    assert seeds_only.stdout == run(tmp_path, "export", str(seeds_dir)).stdout


def test_check_on_the_seeds(tmp_path, seeds_dir):
    for args in (("check",), ("check", str(seeds_dir))):
        result = run(tmp_path, *args)
        assert (result.returncode, text(result.stdout), result.stderr) == (0, "27 entries, 0 problems\n", b"")


def test_check_reports_problems_as_file_line_message(tmp_path, seeds_dir):
    digests = tmp_path / "digests"
    shutil.copytree(seeds_dir, digests)
    broken = digests / "zz-broken.txt"
    broken.write_text("2024년 13월 40일\nLost Paper\n(Ann Author)\nText.\n#a\n", encoding="utf-8")
    lines = (digests / "001_d1537317faabe632.txt").read_text(encoding="utf-8").split("\n")
    del lines[10]  # the tags line of "Introducing Async Tensor Parallelism in PyTorch"
    (digests / "001_d1537317faabe632.txt").write_text("\n".join(lines), encoding="utf-8")
    result = run(tmp_path, "check", str(digests))
    assert result.returncode == 1
    assert result.stderr == b""
    assert text(result.stdout).split("\n") == [
        f"{digests / '001_d1537317faabe632.txt'}:7: entry 'Introducing Async Tensor Parallelism in PyTorch' has no #tags line",
        f"{broken}:1: not a valid date: '2024년 13월 40일'",
        f"{broken}:2: entry 'Lost Paper' is under an invalid date header (line 1); skipped",
        "27 entries, 3 problems",
        "",
    ]


def test_check_names_missing_and_empty_sources(tmp_path, seeds_dir):
    missing = tmp_path / "nowhere"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(tmp_path, "check", str(seeds_dir), str(missing), str(empty))
    assert result.returncode == 1
    out = text(result.stdout).splitlines()
    assert out == [f"{missing}: no such file or directory", f"{empty}: empty file, no entries", "27 entries, 2 problems"]


def test_check_prints_duplicates_as_notes_not_problems(tmp_path, seeds_dir):
    later = tmp_path / "later.txt"
    later.write_text("2024-10-01\nAnnouncing Pixtral 12B\n(Mistral AI)\n다시 올라왔네요.\n#vision-language\n", encoding="utf-8")
    result = run(tmp_path, "check", str(seeds_dir), str(later))
    assert result.returncode == 0
    assert text(result.stdout).splitlines() == [
        f"{later}:2: note: 'Announcing Pixtral 12B' already appears at {seeds_dir / '001_d1537317faabe632.txt'}:29",
        "27 entries, 0 problems, 1 note",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--bogus"),
        ("export", "--format", "yaml"),
        ("export", "--tag"),
        ("--bogus",),
        ("paths", "extra-argument"),
        ("check", ""),
        ("export", ""),
        ("",),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, args):
    result = run(tmp_path, *args)
    assert result.returncode == 2
    assert result.stdout == b""
    err = text(result.stderr)
    assert err.count("\n") == 1 and err.startswith("digest-tui: ")
    assert "Traceback" not in err


def test_reader_without_a_terminal_says_so(tmp_path):
    result = run(tmp_path)
    assert result.returncode == 2
    err = text(result.stderr)
    assert err.count("\n") == 1 and "needs a terminal" in err and "Traceback" not in err


def test_version_and_help(tmp_path):
    version = run(tmp_path, "--version")
    assert (version.returncode, text(version.stdout)) == (0, f"digest-tui {__version__}\n")
    helped = run(tmp_path, "--help")
    assert helped.returncode == 0
    assert text(helped.stdout).startswith("usage: digest-tui")
    assert "export, check, paths" in text(helped.stdout)
    for sub in ("check", "export"):
        result = run(tmp_path, sub, "--help")
        assert result.returncode == 0
        assert text(result.stdout).startswith(f"usage: digest-tui {sub}")
    assert "--format" in text(run(tmp_path, "export", "--help").stdout)


def test_module_and_console_script_agree(tmp_path, seeds_dir):
    script = Path(sys.executable).parent / "digest-tui"
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable}: the project is not installed in this environment")
    for args in (("check",), ("export", str(seeds_dir)), ("--version",), ("check", "--bogus")):
        as_module = run(tmp_path, *args)
        as_script = run(tmp_path, *args, command=[str(script)])
        assert (as_script.returncode, as_script.stdout, as_script.stderr) == (as_module.returncode, as_module.stdout, as_module.stderr), args


def test_commands_leave_the_real_home_alone(tmp_path):
    result = run(tmp_path, "paths")
    assert result.returncode == 0
    out = text(result.stdout)
    assert re.search(rf"^config: {re.escape(str(tmp_path / 'config'))}", out, re.M)
    assert re.search(rf"^cache: +{re.escape(str(tmp_path / 'env-cache'))}", out, re.M)


def test_check_counts_in_words(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("2024-08-14\nA Paper\n(Ada Lovelace)\nAn abstract.\n코멘트.\n#tag\n", encoding="utf-8")
    result = run(tmp_path, "check", str(one), str(tmp_path / "missing.txt"))
    assert text(result.stdout).splitlines()[-1] == "1 entry, 1 problem"


def test_export_with_a_query_prints_what_the_query_finds(tmp_path, seeds_dir):
    library = load_library([seeds_dir])
    expected = [entry.id for entry in library.entries if "reasoning" in entry.title.lower() and "search" not in entry.tags and entry.date.year >= 2024]
    result = run(tmp_path, "export", "--query", "title:reasoning -#search after:2024")
    assert result.returncode == 0, result.stderr
    assert [row["id"] for row in records(result)] == expected != []


def test_export_query_combines_with_tag_and_unread(tmp_path, seeds_dir):
    library = load_library([seeds_dir])
    tag = library.entries[0].tags[0]
    tagged = [entry for entry in library.entries if tag in entry.tags]
    phrase = " ".join(tagged[0].title.split()[:2])
    result = run(tmp_path, "export", "--unread", "--tag", tag, "--query", f'"{phrase}" | OR-nothing-matches-this')
    assert result.returncode == 0, result.stderr
    found = [row["id"] for row in records(result)]
    assert tagged[0].id in found
    assert set(found) <= {entry.id for entry in tagged}


def test_export_query_errors_are_usage_errors_that_name_their_place(tmp_path):
    result = run(tmp_path, "export", "--query", "rl auth:hinton date:2024-13")
    assert result.returncode == 2
    assert result.stdout == b""
    assert text(result.stderr).splitlines() == [
        "digest-tui: --query: at character 4 ('auth:'): unknown field \"auth:\" (fields: title:, author:, by:, abstract:,"
        " comment:, note:, tag:, id:, arxiv:, date:, after:, before:, is:); put it in quotes to search for the text",
        "digest-tui: --query: at character 21 ('2024-13'): \"2024-13\" is not a date (write 2024, 2024-09 or 2024-09-18)",
    ]
