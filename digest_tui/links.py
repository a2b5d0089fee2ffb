"""URLs in entries: extraction, arXiv ids."""

from __future__ import annotations

import re

URL = re.compile(r"https?://[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
TRAILING = ".,;:!?'\"*"
CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}
ARXIV_ID = r"(\d{4}\.\d{4,5})(?:v\d+)?"
ARXIV_URL = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/" + ARXIV_ID + r"(?:\.pdf)?/?",
    re.IGNORECASE,
)
ARXIV_LINE = re.compile(r"(?:arxiv:\s*" + ARXIV_ID + r"|" + ARXIV_URL.pattern + r")", re.IGNORECASE)


def trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence around a URL, and closers it did not open."""
    while url:
        last = url[-1]
        if last in TRAILING:
            url = url[:-1]
        elif last in CLOSERS and url.count(last) > url.count(CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


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
