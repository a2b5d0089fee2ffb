"""The search language in a few lines: written once, shown by the cheat sheet (`?` in the empty
search box) and in the help screen's Search section. The grammar itself is digest/query.py's."""

from __future__ import annotations

SEARCH_SYNTAX: list[tuple[str, str]] = [
    ("momentum optimizer", "every word, in any field"),
    ('"mixture of experts"', "these words in this order"),
    ('-adam  -"chain of thought"', "none of these"),
    ("rl | rlhf   rl OR rlhf", "either"),
    ("(diffusion | flow) -video", "a group"),
    ('title:"world model"  author:hinton', "in that field only (by: is author:)"),
    ("abstract:  comment:  note:", "the abstract, commentary, your note"),
    ("tag:rl  #rl", "tagged rl"),
    ("id:2408.06195  arxiv:2408.06195", "by arXiv id (any version)"),
    ("date:2024  date:2024-09-18", "in that year (or month, or day)"),
    ("after:2024-06  before:2025", "from / up to (both included)"),
    ("is:unread  is:bookmarked", "by marks (also is:read, is:watched)"),
]
"""(what to type, what it finds), the way the cheat sheet lists them: short enough for one
line each on an 80-column terminal."""

SEARCH_NOTE = (
    "Fields are title, authors, abstract, commentary and tags; any case, Korean too. "
    "What cannot be understood is shown under the search box, and the rest still applies."
)
