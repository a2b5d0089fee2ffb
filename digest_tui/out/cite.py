"""Citations of entries: BibTeX, a plain reference, a Markdown link or the bare title.

One implementation serves the copy-citation key, `digest-tui export --format bibtex` and the
tests. The rules, in short:

* Entry type: `@article` with `eprint`, `archivePrefix = {arXiv}` and
  `journal = {arXiv preprint arXiv:<id>}` when the digest names the entry's own arXiv id
  (`Entry.arxiv_id`), else `@misc`.
* `year` is the year of the digest the entry appeared in (digests follow new papers closely).
* The link (BibTeX `url`, the plain reference's URL, the Markdown link) is the arXiv abs page
  when the id is known, else there is none: a citation never carries a search URL (`o` and `y`
  use arXiv's title search to find a paper, but a search is not the paper), and links quoted
  in the text are about other papers, not the entry's own. Without it the Markdown format is
  the escaped title alone, and BibTeX an `@misc` without `url`.
* The commentary never goes into a citation.
* Key: `<last name><year><first word of the title>`, lowercase ASCII letters and digits
  (accents transliterated with NFKD, other characters dropped), e.g. `qi2024mutual`.
  The first word skips articles and short prepositions (a, an, the, of, on, in, ...); the last
  name keeps its particles (`vandenoord`); an organisation gives its first word (`mistral`).
  `bibtex_all` keeps keys unique within an export by suffixing every clashing key a, b, c, ...
* Authors: persons as `Last, First` (particles such as van, von, de stay with the last name;
  Jr./Sr./II/III become BibTeX's third part), joined with ` and `. An organisation is braced
  whole (`{Mistral AI}`) so BibTeX never splits it. A name is an organisation when it is a
  single word (`OpenAI`) or ends with an organisation word: `AI` (in capitals), Team, Lab(s),
  Inc, Research, Group, Consortium, Collaboration, Corporation, Corp, LLC, Ltd, Foundation,
  Institute, University.
* LaTeX specials `& % $ # _ { } ~ ^ \\` are escaped; other non-ASCII text is kept as UTF-8.
* In the title, words with capitals after their first letter (acronyms, mixed case such as
  `MoE`, `AquilaMoE`) or with both capitals and digits (`Lean4`) are braced so bibliography
  styles keep their case; a plural acronym braces the acronym only (`{LLM}s`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Literal, get_args

from digest_tui.digest.links import arxiv_abs_url
from digest_tui.digest.model import Entry

CitationFormat = Literal["bibtex", "plain", "markdown", "title"]
FORMATS: tuple[CitationFormat, ...] = get_args(CitationFormat)
LABELS = {
    "bibtex": "BibTeX",
    "plain": "Plain text (authors, year, title, link)",
    "markdown": "Markdown link [Title](url)",
    "title": "Just the title",
}

STOP_WORDS = frozenset(
    "a an the of on in at to for and or by with from into onto via is are do does".split()
)
PARTICLES = frozenset(
    "van von de der den del della dei di da das dos du la le ten ter zu al el bin ibn st".split()
)
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
ORG_WORDS = frozenset(
    {
        "team", "lab", "labs", "inc", "inc.", "research", "group", "consortium", "collaboration",
        "corporation", "corp", "corp.", "llc", "ltd", "ltd.", "foundation", "institute", "university",
    }
)

LATEX_SPECIALS = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
PLURAL_ACRONYM = re.compile(r"([A-Z][A-Z0-9]*[A-Z])('?s)")


# --- pieces ---------------------------------------------------------------------------------


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters; everything else (accents, CJK) stays as it is."""
    return "".join(LATEX_SPECIALS.get(char, char) for char in text)


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only: `André` -> `andre`, `Łukasz` -> `ukasz`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def is_organisation(name: str) -> bool:
    words = name.split()
    if len(words) == 1:
        return True
    last = words[-1]
    return last == "AI" or last.casefold() in ORG_WORDS


def split_name(name: str) -> tuple[str, str, str]:
    """A person's name as written (`First Middle van Last Jr.`) -> (first, last, suffix)."""
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].casefold().rstrip(",") in SUFFIXES:
        suffix = words.pop().rstrip(",")
        words[-1] = words[-1].rstrip(",")
    start = len(words) - 1
    # Particles written in lowercase before the final word belong to the last name.
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:]), suffix


def bibtex_name(name: str) -> str:
    if is_organisation(name):
        return "{" + latex_escape(name) + "}"
    first, last, suffix = split_name(name)
    parts = [latex_escape(last)]
    if suffix:
        parts.append(latex_escape(suffix))
    if first:
        parts.append(latex_escape(first))
    return ", ".join(parts)


def _needs_braces(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    if any(c.isupper() for c in letters[1:]):
        return True
    return any(c.isupper() for c in letters) and any(c.isdigit() for c in word)


def protect_title(title: str) -> str:
    """The title escaped for LaTeX, with case-sensitive words braced."""
    out: list[str] = []
    for token in re.split(r"(\s+)", title):
        if not token or token.isspace():
            out.append(" " if token else "")
            continue
        match = re.fullmatch(r"(\W*)(.*?)(\W*)", token)
        assert match is not None
        lead, core, trail = match.groups()
        if not core:
            out.append(latex_escape(token))
            continue
        plural = PLURAL_ACRONYM.fullmatch(core)
        if plural and len(plural[1]) >= 2:
            body = "{" + latex_escape(plural[1]) + "}" + latex_escape(plural[2])
        elif any(_needs_braces(part) for part in core.split("-")):
            body = "{" + latex_escape(core) + "}"
        else:
            body = latex_escape(core)
        out.append(latex_escape(lead) + body + latex_escape(trail))
    return "".join(out)


def first_title_word(title: str) -> str:
    """The first word of the title that is not a stop word, folded to ASCII for a key."""
    for word in title.split():
        folded = ascii_fold(word)
        if folded and folded not in STOP_WORDS:
            return folded
    return ""


def key_name(name: str) -> str:
    if is_organisation(name):
        return ascii_fold(name.split()[0])
    return ascii_fold(split_name(name)[1])


def cite_key(entry: Entry) -> str:
    """`lastnameYEARfirstword`, e.g. `qi2024mutual` (see the module docstring)."""
    name = key_name(entry.authors[0]) if entry.authors else ""
    return f"{name or 'anon'}{entry.date.year}{first_title_word(entry.title)}"


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ..."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def unique_keys(entries: Iterable[Entry]) -> list[str]:
    """Keys for `entries` in order; keys that clash are all suffixed a, b, c, ..."""
    entries = list(entries)
    bases = [cite_key(entry) for entry in entries]
    counts = Counter(bases)
    used = {base for base, count in counts.items() if count == 1}
    next_suffix: Counter[str] = Counter()
    keys: list[str] = []
    for base in bases:
        if counts[base] == 1:
            keys.append(base)
            continue
        while True:
            key = base + _letters(next_suffix[base])
            next_suffix[base] += 1
            if key not in used:
                break
        used.add(key)
        keys.append(key)
    return keys


# --- formats --------------------------------------------------------------------------------


def bibtex(entry: Entry, key: str | None = None) -> str:
    """One BibTeX record, ending in a newline."""
    fields: list[tuple[str, str]] = [("title", protect_title(entry.title))]
    if entry.authors:
        fields.append(("author", " and ".join(bibtex_name(name) for name in entry.authors)))
    fields.append(("year", str(entry.date.year)))
    if entry.arxiv_id:
        kind = "article"
        fields += [
            ("journal", f"arXiv preprint arXiv:{entry.arxiv_id}"),
            ("eprint", entry.arxiv_id),
            ("archivePrefix", "arXiv"),
        ]
        fields.append(("url", arxiv_abs_url(entry.arxiv_id)))
    else:
        kind = "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key or cite_key(entry)},\n{body}\n}}\n"


def bibtex_all(entries: Iterable[Entry]) -> str:
    """Records for every entry, separated by blank lines, with keys unique among them."""
    entries = list(entries)
    return "\n".join(bibtex(entry, key) for entry, key in zip(entries, unique_keys(entries)))


def author_list(authors: tuple[str, ...]) -> str:
    """`A`, `A and B`, `A, B and C`, or `A et al.` for four or more."""
    if len(authors) <= 1:
        return "".join(authors)
    if len(authors) > 3:
        return f"{authors[0]} et al."
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def citation_url(entry: Entry) -> str:
    """The link a citation gives: the entry's own arXiv page, or '' when its id is unknown."""
    return arxiv_abs_url(entry.arxiv_id) if entry.arxiv_id else ""


def plain(entry: Entry) -> str:
    """`Authors (year). Title. URL` (no URL without an arXiv id)."""
    title = entry.title if entry.title.endswith((".", "?", "!")) else entry.title + "."
    who = author_list(entry.authors)
    head = f"{who} ({entry.date.year})." if who else f"({entry.date.year})."
    url = citation_url(entry)
    return f"{head} {title} {url}" if url else f"{head} {title}"


def markdown_escape(text: str) -> str:
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def markdown_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def markdown(entry: Entry) -> str:
    """`[Title](url)`, or the title alone (escaped) when there is no arXiv id to link to."""
    url = citation_url(entry)
    title = markdown_escape(entry.title)
    return f"[{title}]({markdown_url(url)})" if url else title


def title_only(entry: Entry) -> str:
    return entry.title


def citation(entry: Entry, fmt: str) -> str:
    """The entry cited in `fmt`, one of FORMATS (config key `citation_format`)."""
    if fmt == "bibtex":
        return bibtex(entry)
    if fmt == "plain":
        return plain(entry)
    if fmt == "markdown":
        return markdown(entry)
    if fmt == "title":
        return title_only(entry)
    raise ValueError(f"unknown citation format {fmt!r}; expected one of {', '.join(FORMATS)}")
