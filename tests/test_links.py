"""Links in entries: extraction from the seeds, arXiv ids, kinds, the scheme allow-list, opening."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import webbrowser
from datetime import date
from pathlib import Path

import pytest

from digest_tui.digest.links import (
    LinkKind,
    arxiv_id,
    arxiv_ids_in,
    check_url,
    classify_link,
    describe_link,
    entry_arxiv_url,
    extract_links,
    open_url,
    trim_url,
)
from digest_tui.digest.model import Details, Entry
from digest_tui.digest.parse import parse
from tests.seedhelpers import by_title


def make_entry(title: str, arxiv: str = "", **kw) -> Entry:
    details = dict(authors=("Ada Lovelace",), abstract="", commentary="", links=())
    fields = dict(id="x", date=date(2024, 9, 18), title=title, tags=(), source="t.txt", line=1, end_line=3, arxiv_id=arxiv)
    for name, value in kw.items():
        (details if name in details else fields)[name] = value
    return Entry(**fields, attached=Details(**details))


# --- extraction on the seeds ---------------------------------------------------------------


def test_parenthesised_arxiv_link_has_no_closing_paren(library):
    entry = by_title(library, "Critical Tokens Matter")
    assert entry.links == ("https://arxiv.org/abs/2402.10200",)


def test_sentence_final_dot_is_not_part_of_the_link(library):
    entry = by_title(library, "NVLM")
    assert entry.links == ("https://nvlm-project.github.io/",)
    assert describe_link(entry.links[0]) == "project page nvlm-project.github.io"


def test_www_arxiv_link_is_recognised(library):
    entry = by_title(library, "OmniGen")
    assert "https://www.arxiv.org/abs/2408.11039" in entry.links
    assert arxiv_id("https://www.arxiv.org/abs/2408.11039") == "2408.11039"
    assert classify_link("https://www.arxiv.org/abs/2408.11039") is LinkKind.ARXIV
    assert describe_link("https://www.arxiv.org/abs/2408.11039") == "arXiv 2408.11039"


def test_two_links_in_one_parenthesis(library):
    entry = by_title(library, "Rethinking KenLM")
    assert entry.links == ("https://arxiv.org/abs/2404.07965", "https://arxiv.org/abs/2408.08310")


def test_arxiv_ids_in_seed_commentary(library):
    entry = by_title(library, "Diffusion Forcing")
    assert arxiv_ids_in(entry.commentary) == ["2403.05196", "2406.11838"]


def test_no_seed_link_keeps_trailing_punctuation(library):
    for entry in library.entries:
        for url in entry.links:
            assert url[-1] not in ".,;:)]", url
            assert trim_url(url) == url
            assert check_url(url) is None, url


def test_extract_links_keeps_balanced_parentheses():
    text = "see (https://en.wikipedia.org/wiki/Transformer_(deep_learning)). and https://a.org/x,"
    assert extract_links(text) == ["https://en.wikipedia.org/wiki/Transformer_(deep_learning)", "https://a.org/x"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://a.org/x).", "https://a.org/x"),
        ("https://a.org/f(x)).", "https://a.org/f(x)"),
        ("https://a.org/f(x)].)", "https://a.org/f(x)"),
        ("https://a.org/[a](b)]", "https://a.org/[a](b)"),
        ("https://a.org/)(", "https://a.org/)("),
        ("https://a.org/x).)", "https://a.org/x"),
        ("https://a.org/((x)))", "https://a.org/((x))"),
        ("https://a.org/(x.)).", "https://a.org/(x.)"),
        ("https://a.org/?q=a!?'*\"", "https://a.org/?q=a"),
        ("https://a.org/{x}}", "https://a.org/{x}"),
    ],
)
def test_trim_url_drops_only_unopened_closers_and_sentence_punctuation(url, expected):
    assert trim_url(url) == expected


MEGABYTE = 1_000_000


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://a.org/x" + ")" * MEGABYTE, "https://a.org/x"),
        ("https://a.org/x" + "." * MEGABYTE, "https://a.org/x"),
        ("https://a.org/x" + ".)]" * (MEGABYTE // 3), "https://a.org/x"),
        ("(" * (MEGABYTE // 2) + "https://a.org/x" + ")" * (MEGABYTE // 2), "https://a.org/x"),
        ("https://a.org/" + "(" * (MEGABYTE // 2) + ")" * (MEGABYTE // 2), "https://a.org/" + "(" * (MEGABYTE // 2) + ")" * (MEGABYTE // 2)),
        ("https://a.org/(x" + ")" * MEGABYTE, "https://a.org/(x)"),
        ("https://a.org/" + "(x)" * (MEGABYTE // 3) + ")." * 1000, "https://a.org/" + "(x)" * (MEGABYTE // 3)),
    ],
    ids=["closers", "dots", "mixed", "wrapped-in-parens", "balanced-parens", "one-opened", "many-pairs"],
)
def test_a_megabyte_of_trailing_punctuation_is_trimmed_correctly(text, expected):
    # Trimming one character at a time took minutes on these (quadratic); they must simply work.
    assert extract_links(text) == [expected]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://arxiv.org/abs/2408.11039", "2408.11039"),
        ("https://www.arxiv.org/abs/2408.11039", "2408.11039"),
        ("http://arxiv.org/abs/2408.11039v3", "2408.11039"),
        ("https://arxiv.org/pdf/2408.11039", "2408.11039"),
        ("https://arxiv.org/pdf/2408.11039v2.pdf", "2408.11039"),
        ("https://export.arxiv.org/abs/2401.12345/", "2401.12345"),
        ("https://arxiv.org/abs/2408.11039.", "2408.11039"),
        ("https://arxiv.org/list/cs.CL/recent", ""),
        ("https://notarxiv.org/abs/2408.11039", ""),
        ("https://github.com/a/b", ""),
    ],
)
def test_arxiv_id(url, expected):
    assert arxiv_id(url) == expected


def test_arxiv_ids_in_text_forms_in_order_without_duplicates():
    text = (
        "Builds on arXiv:2401.00001v2 and (https://arxiv.org/abs/2402.10200), see also "
        "https://www.arxiv.org/pdf/2408.11039v1.pdf. Again arxiv: 2401.00001 and https://github.com/a/b."
    )
    assert arxiv_ids_in(text) == ["2401.00001", "2402.10200", "2408.11039"]


# --- the entry's own arXiv page ------------------------------------------------------------


def test_entry_arxiv_url_uses_the_own_id():
    assert entry_arxiv_url(make_entry("Anything", arxiv="2408.11039")) == "https://arxiv.org/abs/2408.11039"


def test_entry_arxiv_url_ignores_arxiv_links_in_the_text(library):
    # The commentary quotes another paper's arXiv page; the entry's own is unknown.
    entry = by_title(library, "Critical Tokens Matter")
    assert entry.arxiv_id == ""
    assert entry_arxiv_url(entry) == (
        "https://arxiv.org/search/?query=Critical+Tokens+Matter%3A+Token-Level+Contrastive+Estimation"
        "+Enhence+LLM%27s+Reasoning+Capability&searchtype=title"
    )


def test_title_search_url_encodes_everything():
    url = entry_arxiv_url(make_entry("Q&A: 100% #1 a/b?c=d  naïve"))
    assert url == "https://arxiv.org/search/?query=Q%26A%3A+100%25+%231+a%2Fb%3Fc%3Dd+na%C3%AFve&searchtype=title"
    assert check_url(url) is None


def test_own_arxiv_line_in_a_digest_is_used():
    text = "2024-09-18\nSome Paper Title\nhttps://www.arxiv.org/abs/2408.11039v2\n(Ada Lovelace)\nAbstract.\n#tag\n"
    (entry,) = parse(text).entries
    assert entry.arxiv_id == "2408.11039"
    assert entry_arxiv_url(entry) == "https://arxiv.org/abs/2408.11039"


# --- kinds and labels ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, kind, label",
    [
        ("https://arxiv.org/abs/2402.10200", LinkKind.ARXIV, "arXiv 2402.10200"),
        ("https://github.com/zhentingqi/rStar", LinkKind.GITHUB, "GitHub zhentingqi/rStar"),
        ("https://github.com/THUDM/CogVideo/tree/main/sat", LinkKind.GITHUB, "GitHub THUDM/CogVideo"),
        ("https://github.com/bloc97/DeMo.git", LinkKind.GITHUB, "GitHub bloc97/DeMo"),
        ("https://github.com/bloc97", LinkKind.OTHER, "github.com/bloc97"),
        ("https://github.com/topics/llm", LinkKind.OTHER, "github.com/topics/llm"),
        ("https://nvlm-project.github.io/", LinkKind.PROJECT, "project page nvlm-project.github.io"),
        ("https://boyuan.space/diffusion-forcing/", LinkKind.PROJECT, "project page boyuan.space/diffusion-forcing"),
        (
            "https://x.com/PrimeIntellect/status/1859923050092994738",
            LinkKind.OTHER,
            "x.com/PrimeIntellect/status/1859923050092994738",
        ),
        ("https://huggingface.co/Qwen", LinkKind.OTHER, "huggingface.co/Qwen"),
        ("https://pytorch.org/blog/async-tp/", LinkKind.OTHER, "pytorch.org/blog/async-tp"),
    ],
)
def test_classify_and_describe(url, kind, label):
    assert classify_link(url) is kind
    assert describe_link(url) == label


def test_every_seed_link_gets_a_label(library):
    labels = {url: describe_link(url) for entry in library.entries for url in entry.links}
    assert labels["https://github.com/bloc97/DeMo"] == "GitHub bloc97/DeMo"
    assert labels["https://arxiv.org/abs/2312.02116"] == "arXiv 2312.02116"
    assert all(labels.values())


def test_labels_show_hidden_characters_escaped():
    assert describe_link("https://example.com/a\u202eb\x85c") == "project page example.com/a\\u202eb\\x85c"
    assert describe_link("https://github.com/ev\u202eil/repo") == "GitHub ev\\u202eil/repo"


def test_long_labels_are_shortened():
    label = describe_link("https://example.com/" + "a" * 200)
    assert len(label) <= 70 + len("project page ") and label.endswith("…")


# --- the scheme allow-list -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://arxiv.org/abs/2408.11039",
        "http://example.org",
        "HTTPS://Example.org/x?y=1#z",
        "https://例え.jp/ü",
        "https://host:8443/path",
    ],
)
def test_safe_urls(url):
    assert check_url(url) is None


@pytest.mark.parametrize(
    "url, reason",
    [
        ("file:///etc/passwd", "file: links are never opened"),
        ("javascript:alert(1)", "javascript: links are never opened"),
        ("JavaScript:alert(1)", "javascript: links are never opened"),
        ("data:text/html,<script>alert(1)</script>", "data: links are never opened"),
        ("mailto:someone@example.org", "mailto: links are never opened"),
        ("ftp://example.org/x", "ftp: links are never opened"),
        ("https://example.org/\nrm -rf", "control character (U+000A)"),
        ("https://example.org/\x1b[31m", "control character (U+001B)"),
        ("https://example.org/\x00", "control character (U+0000)"),
        ("https://example.org/a b", "whitespace"),
        ("https://example.org/a\u00a0b", "whitespace"),
        ("https://example.org/\u202egpj.exe", "bidirectional control character (U+202E)"),
        ("https://example.org/\u2066x\u2069", "bidirectional control character (U+2066)"),
        ("https://exa\u200bmple.org/", "invisible formatting character (U+200B)"),
        ("https:///path-only", "no host"),
        ("https:example.org", "no host"),
        ("//example.org/x", "not a web address"),
        ("example.org", "not a web address"),
        ("", "empty"),
        ("https://example.org:99999/", "malformed"),
        ("https://arxiv.org@evil.example/", "user name"),
    ],
)
def test_unsafe_urls_are_refused_with_a_reason(url, reason):
    message = check_url(url)
    assert message is not None and reason in message


# --- opening -------------------------------------------------------------------------------


def test_open_url_refuses_without_calling_the_opener():
    calls = []
    ok, message = open_url("javascript:alert(1)", opener=lambda url: calls.append(url) or True)
    assert not ok and calls == []
    assert message == "Not opened: javascript: links are never opened; only http and https: javascript:alert(1)"


def test_open_url_message_shows_hidden_characters_escaped():
    ok, message = open_url("https://example.org/\u202egpj.exe\x1b", opener=lambda url: True)
    assert not ok
    assert "\u202e" not in message and "\x1b" not in message
    assert "https://example.org/\\u202egpj.exe\\x1b" in message


def test_open_url_passes_the_url_unchanged():
    calls = []
    url = "https://arxiv.org/search/?query=A%26B+c&searchtype=title#frag"
    assert open_url(url, opener=lambda u: calls.append(u) or True) == (True, f"Opened {url}")
    assert calls == [url]


def test_open_url_without_a_browser_gives_the_url():
    url = "https://nvlm-project.github.io/"
    ok, message = open_url(url, opener=lambda u: False)
    assert not ok and url in message and "No browser" in message

    def broken(u: str) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    ok, message = open_url(url, opener=broken)
    assert not ok and url in message and "could not locate runnable browser" in message


OPEN_IN_CHILD = (
    "import json, sys\n"
    "from digest_tui.digest.links import open_url\n"
    "print(json.dumps(open_url(sys.argv[1])))\n"
)


def run_open(url: str, browser: str, tmp_path: Path) -> tuple[bool, str]:
    """open_url with the real webbrowser module, in a fresh interpreter with $BROWSER set."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")}
    env["BROWSER"] = browser
    # No other browser to fall back on: webbrowser tries console browsers found on PATH next.
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    env["PATH"] = str(empty)
    env["FAKE_BROWSER_OUT"] = str(tmp_path / "received")
    done = subprocess.run(
        [sys.executable, "-c", OPEN_IN_CHILD, url], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    ok, message = json.loads(done.stdout)
    return ok, message


@pytest.fixture
def fake_browser(tmp_path: Path) -> Path:
    script = tmp_path / "fake-browser"
    script.write_text('#!/bin/sh\nprintf "%s" "$1" > "$FAKE_BROWSER_OUT"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the browser")
@pytest.mark.parametrize("with_placeholder", [True, False])
def test_open_url_reaches_the_browser_from_BROWSER_intact(tmp_path, fake_browser, with_placeholder):
    url = "https://arxiv.org/search/?query=Q%26A+$HOME;echo+`id`&searchtype=title#ü'\"|"
    browser = f"{fake_browser} %s" if with_placeholder else str(fake_browser)
    ok, message = run_open(url, browser, tmp_path)
    assert ok, message
    assert message == f"Opened {url}"
    assert (tmp_path / "received").read_text(encoding="utf-8") == url


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for the browser")
def test_open_url_refused_url_never_reaches_the_browser(tmp_path, fake_browser):
    ok, message = run_open("file:///etc/passwd", f"{fake_browser} %s", tmp_path)
    assert not ok and "file: links are never opened" in message
    assert not (tmp_path / "received").exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="elsewhere webbrowser falls back to the system browser")
def test_open_url_reports_a_browser_that_fails(tmp_path):
    failing = tmp_path / "failing-browser"
    failing.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    url = "https://nvlm-project.github.io/"
    ok, message = run_open(url, f"{failing} %s", tmp_path)
    assert not ok
    assert message == f"No browser could be started; open it yourself: {url}"
    ok, message = run_open(url, str(tmp_path / "no-such-browser") + " %s", tmp_path)
    assert not ok and url in message
