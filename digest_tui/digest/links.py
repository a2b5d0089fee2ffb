"""URLs in entries: extraction, arXiv ids, what a link points to, and opening links safely."""

from __future__ import annotations

import re
import unicodedata
import webbrowser
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from digest_tui.text.wording import shorten

if TYPE_CHECKING:
    from digest_tui.digest.model import Entry

URL = re.compile(r"https?://[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
TRAILING = ".,;:!?'\"*"
CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
_TRIMMABLE = TRAILING + "".join(CLOSERS)
ARXIV_ID = r"(\d{4}\.\d{4,5})(?:v\d+)?"
ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/" + ARXIV_ID + r"(?:\.pdf)?/?",
    re.IGNORECASE,
)
ARXIV_LINE = re.compile(r"(?:arxiv:\s*" + ARXIV_ID + r"|" + ARXIV_URL.pattern + r")", re.IGNORECASE)


def trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence around a URL, and closers it did not open.

    From the end, sentence punctuation is dropped, and so is a closer while the URL up to it
    holds more of that closer than of its opener; trimming stops at the first other character.
    """
    # The result is computed from counts rather than by dropping one character at a time:
    # a URL followed by a million ')' or '.' would otherwise take quadratic time (each step
    # copying or recounting the URL), or a million Python steps.
    body = url.rstrip(_TRIMMABLE)
    tail = url[len(body) :]
    keep = len(body)
    for closer, opener in CLOSERS.items():
        in_tail = tail.count(closer)
        if not in_tail:
            continue
        unopened = max(0, url.count(closer) - url.count(opener))
        if in_tail > unopened:
            # Counting from the end, the closers up to the `unopened`-th are dropped; the next
            # one has no opener left and stops the trimming.
            keep = max(keep, len(body) + _nth_from_end(tail, closer, unopened + 1) + 1)
    return url[:keep]


def _nth_from_end(text: str, char: str, n: int) -> int:
    """The index of the n-th `char` from the end of `text`, which holds at least n of them."""
    # text.count(char, i) falls as i grows: bisect for the last i where it is still >= n. A
    # logarithmic number of counts, each at C speed.
    low, high = 0, len(text)
    while high - low > 1:
        middle = (low + high) // 2
        if text.count(char, middle) >= n:
            low = middle
        else:
            high = middle
    return low


def extract_links(text: str) -> list[str]:
    """Every http(s) URL in `text`, in order of first appearance, without duplicates."""
    seen: dict[str, None] = {}
    for match in URL.finditer(text):
        url = trim_url(match.group())
        if len(url) > len("https://") and url not in seen:
            seen[url] = None
    return list(seen)


def arxiv_id(url: str) -> str:
    """The arXiv id a URL points to, or ''."""
    match = ARXIV_URL.fullmatch(trim_url(url))
    return match[1] if match else ""


def own_arxiv_id(line: str) -> str:
    """The id when a whole line is nothing but an arXiv id or URL (an entry's own link)."""
    match = ARXIV_LINE.fullmatch(line.strip())
    if not match:
        return ""
    return next(group for group in match.groups() if group)


# --- Kinds of links, the entry's own arXiv page, and opening links safely ---------------------

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_SEARCH = "https://arxiv.org/search/"
ARXIV_MENTION = re.compile(r"\barxiv:\s*" + ARXIV_ID + r"|" + URL.pattern, re.IGNORECASE)

GITHUB_HOSTS = {"github.com", "www.github.com"}
# Hosts that serve project and personal pages (a page per repository or per person).
PAGE_HOST_SUFFIXES = (
    ".github.io",
    ".gitlab.io",
    ".pages.dev",
    ".netlify.app",
    ".vercel.app",
    ".readthedocs.io",
)
# Sites whose pages are posts, videos, models or discussions rather than a paper's homepage.
CONTENT_SITES = {
    "x.com",
    "twitter.com",
    "youtube.com",
    "youtu.be",
    "huggingface.co",
    "openreview.net",
    "medium.com",
    "reddit.com",
    "linkedin.com",
    "threads.net",
    "bsky.app",
    "substack.com",
    "google.com",
    "doi.org",
    "paperswithcode.com",
    "semanticscholar.org",
    "aclanthology.org",
    "proceedings.neurips.cc",
    "arxiv.org",
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "kaggle.com",
}
# A name or a whole path on GitHub that is not a repository.
GITHUB_NOT_OWNERS = {
    "about", "apps", "collections", "enterprise", "explore", "features", "login", "marketplace",
    "orgs", "pricing", "search", "settings", "signup", "site", "sponsors", "topics", "trending",
}

BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SAFE_SCHEMES = ("http", "https")
LABEL_LIMIT = 70
"""A link's label in the link list is cut to this many characters."""


class LinkKind(StrEnum):
    """What a link points to, for the link list (the value is a short label)."""

    ARXIV = "arXiv"
    GITHUB = "GitHub"
    PROJECT = "project page"
    OTHER = "link"


def arxiv_abs_url(identifier: str) -> str:
    return ARXIV_ABS + identifier


def arxiv_title_search_url(title: str) -> str:
    """arXiv's search for a title (built locally; nothing is fetched)."""
    return ARXIV_SEARCH + "?" + urlencode({"query": " ".join(title.split()), "searchtype": "title"})


def entry_arxiv_url(entry: Entry) -> str:
    """The entry's own arXiv page when the digest names its id, else arXiv's title search for it.

    arXiv URLs quoted in the abstract or commentary are about other papers and are never used.
    """
    if entry.arxiv_id:
        return arxiv_abs_url(entry.arxiv_id)
    return arxiv_title_search_url(entry.title)


def arxiv_ids_in(text: str) -> list[str]:
    """Every arXiv id that `text` mentions (`arXiv:2401.00001` or an arXiv URL), in order, once."""
    seen: dict[str, None] = {}
    for match in ARXIV_MENTION.finditer(text):
        identifier = match[1] or arxiv_id(match.group())
        if identifier:
            seen.setdefault(identifier, None)
    return list(seen)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _site(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def github_repo(url: str) -> str:
    """`owner/repo` for a link into a GitHub repository, or ''."""
    if _host(url) not in GITHUB_HOSTS:
        return ""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if len(parts) < 2 or parts[0].lower() in GITHUB_NOT_OWNERS:
        return ""
    repo = parts[1][:-4] if parts[1].lower().endswith(".git") else parts[1]
    return f"{parts[0]}/{repo}" if repo else ""


def classify_link(url: str) -> LinkKind:
    """arXiv paper, GitHub repository, project page or anything else.

    A project page is a page on a static-site host (*.github.io, *.gitlab.io, *.pages.dev,
    *.netlify.app, *.vercel.app, *.readthedocs.io), or the root or a one-level page of a site
    that is not a known content site (`https://boyuan.space/diffusion-forcing/`). Deeper pages
    elsewhere (a blog post, a tweet, a model card) are OTHER.
    """
    url = trim_url(url.strip())
    if arxiv_id(url):
        return LinkKind.ARXIV
    if github_repo(url):
        return LinkKind.GITHUB
    host = _host(url)
    if not host:
        return LinkKind.OTHER
    if host.endswith(PAGE_HOST_SUFFIXES):
        return LinkKind.PROJECT
    site = _site(host)
    if any(site == known or site.endswith("." + known) for known in CONTENT_SITES):
        return LinkKind.OTHER
    parts = urlsplit(url)
    if parts.query or len([p for p in parts.path.split("/") if p]) > 1:
        return LinkKind.OTHER
    return LinkKind.PROJECT


def describe_link(url: str) -> str:
    """A short label for the link list: `arXiv 2408.11039`, `GitHub owner/repo`,
    `project page nvlm-project.github.io`, or the link itself without its scheme. Invisible and
    control characters are shown escaped, so a label never hides what the link is."""
    url = trim_url(url.strip())
    kind = classify_link(url)
    if kind is LinkKind.ARXIV:
        return f"arXiv {arxiv_id(url)}"
    if kind is LinkKind.GITHUB:
        return f"GitHub {printable(github_repo(url))}"
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE).removeprefix("www.")
    bare = printable(bare.rstrip("/"))
    if kind is LinkKind.PROJECT:
        return f"project page {shorten(bare, LABEL_LIMIT)}"
    return shorten(bare, LABEL_LIMIT)


def check_url(url: str) -> str | None:
    """None when `url` may be opened, else why not (a sentence for the user).

    Only http and https URLs with a host are opened. Control characters, whitespace, bidi
    overrides and other invisible format characters are refused: they can hide what a link
    really is, or end up as extra arguments of a browser command.
    """
    if not isinstance(url, str) or not url:
        return "empty link"
    for char in url:
        if char in BIDI_CONTROLS:
            return f"contains a bidirectional control character (U+{ord(char):04X})"
        category = unicodedata.category(char)
        if category == "Cc":
            return f"contains a control character (U+{ord(char):04X})"
        if char.isspace() or category in ("Zs", "Zl", "Zp"):
            return "contains whitespace"
        if category == "Cf":
            return f"contains an invisible formatting character (U+{ord(char):04X})"
    scheme, colon, rest = url.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return "not a web address (no http:// or https://)"
    if scheme.lower() not in SAFE_SCHEMES:
        return f"{scheme.lower()}: links are never opened; only http and https"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return "malformed address"
    if not rest.startswith("//") or not parts.hostname:
        return "no host in the address"
    if "@" in parts.netloc:
        return "contains a user name before '@', which can disguise the real host"
    return None


def printable(url: str) -> str:
    """`url` with invisible and control characters shown as escapes, for messages."""
    out = []
    for char in url:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") or (
            char.isspace() and char != " "
        ):
            out.append(f"\\u{ord(char):04x}" if ord(char) > 0xFF else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)


def open_url(url: str, opener: Callable[[str], bool] = webbrowser.open) -> tuple[bool, str]:
    """Open `url` in the user's browser; (whether it was opened, a sentence for the user).

    Unsafe URLs (see check_url) are refused. The opener is `webbrowser.open`, which honours
    $BROWSER and starts the browser directly, never through a shell. When no browser can be
    started the message carries the URL so it can be opened by hand.

    The default opener waits for command-line browsers ($BROWSER, lynx) to exit, so callers in
    an event loop should run this in a worker thread.
    """
    reason = check_url(url)
    if reason is not None:
        return False, f"Not opened: {reason}: {printable(url)}"
    try:
        opened = opener(url)
    except (webbrowser.Error, OSError) as error:
        return False, f"No browser could be started ({error}); open it yourself: {url}"
    if not opened:
        return False, f"No browser could be started; open it yourself: {url}"
    return True, f"Opened {url}"
