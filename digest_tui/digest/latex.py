"""LaTeX in abstracts, made readable: `{\\textbf{De}}coupled $x \\times y$` -> bold `De`, `x × y`.

arXiv abstracts are metadata, never compiled, so their LaTeX is whatever authors typed:
macros outside math, a `$` that is a price, a `%` that is a percentage, a brace left open.
`reading_runs` turns an abstract into runs of plain text with bold, italic and link marks for
the detail pane; anything it cannot read with confidence stays as the raw text. Exports,
citations and search keep the raw abstract: this is for reading only. No Textual here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import get_default_latex_context_db as text_macros
from pylatexenc.macrospec import MacroSpec

__all__ = ["Run", "reading_runs"]


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of converted text and how it is drawn."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""
    """The URL a `\\url` or `\\href` names ("" when the run is no link)."""


# Only text that looks like LaTeX is parsed: a control word (`\emph`) or a dollar sign.
LATEX_HINT = re.compile(r"\\[A-Za-z]|\$")
# arXiv caps abstracts at 1,920 characters: past this, parsing would only cost time.
LONGEST = 8_000

BOLD = frozenset({"textbf", "mathbf", "boldsymbol", "bm"})
ITALIC = frozenset({"textit", "emph", "textsl", "mathit"})
PLAIN = frozenset({"text", "textrm", "textnormal", "textup", "textsf", "texttt", "textsc", "mathrm", "mathsf", "mathtt", "mbox", "operatorname", "underline"})
BOLD_SWITCHES = frozenset({"bf", "bfseries"})
ITALIC_SWITCHES = frozenset({"it", "em", "itshape", "sl", "slshape"})
NAMES = {"LaTeX": "LaTeX", "TeX": "TeX"}
# Specials worth converting; `~` stays `~` ("~10x" means "about"), `&` stays `&`.
SPECIALS = {"---": "—", "--": "–", "``": "“", "''": "”"}

SUPERSCRIPTS = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyz", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"))
SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpstij", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ"))
SCRIPT = re.compile(r"([\^_])(?:\{([^{}\\]{1,8})\}|([^{}\\\s]))")

# Inline math as authors of plain text mean it (pandoc's rule): `$` then no space, content
# without `$`, no space before the closing `$`, and no digit right after it ("$5 and $10").
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:\\.|[^$\\])+?)(?<![\s\\])\$(?![\d$])")
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$((?:\\.|[^$\\])+?)\$\$")
UNESCAPED = re.compile(r"(?<!\\)([$%])")
# A backslash before a space or the end: a control space after a control word (`\LaTeX\ is`),
# otherwise a lone backslash, which stays one.
LONE_BACKSLASH = re.compile(r"(?<!\\)\\(?=\s|$)")
CONTROL_WORD_BEFORE = re.compile(r"\\[A-Za-z]+$")


def reading_runs(text: str) -> tuple[Run, ...]:
    """`text` as runs to draw: LaTeX macros as Unicode, bold, italic and links.

    Text without LaTeX comes back as one plain run, untouched; so does text the converter
    cannot read (an open brace, an odd macro, anything that raises).
    """
    if len(text) > LONGEST or not LATEX_HINT.search(text):
        return (Run(text),)
    return _converted(text)


@lru_cache(maxsize=64)
def _converted(text: str) -> tuple[Run, ...]:
    # The detail pane asks again on every redraw of an entry; the cache keeps the entries
    # around the cursor converted once.
    try:
        return _Converter().convert(_protect(text))
    except Exception:  # pylatexenc raises parse errors, IndexError, RecursionError…: show the raw text
        return (Run(text),)


def _protect(text: str) -> str:
    """`text` with every `$` that opens no math and every `%` escaped, and scripts in math
    (`n^2`, `x_{10}`) turned into Unicode where every character has a form."""
    text = LONE_BACKSLASH.sub(lambda m: m.group() if CONTROL_WORD_BEFORE.search(text, max(m.start() - 40, 0), m.start()) else r"\textbackslash{}", text)
    parts: list[str] = []
    last = 0
    for match in _math_spans(text):
        parts.append(UNESCAPED.sub(r"\\\1", text[last : match.start()]))
        parts.append(SCRIPT.sub(_script, match.group().replace("%", r"\%")))
        last = match.end()
    parts.append(UNESCAPED.sub(r"\\\1", text[last:]))
    return "".join(parts)


def _math_spans(text: str) -> list[re.Match[str]]:
    spans = list(DISPLAY_MATH.finditer(text))
    taken = [(m.start(), m.end()) for m in spans]
    for match in INLINE_MATH.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            spans.append(match)
    return sorted(spans, key=lambda m: m.start())


def _script(match: re.Match[str]) -> str:
    table = SUPERSCRIPTS if match.group(1) == "^" else SUBSCRIPTS
    body = match.group(2) if match.group(2) is not None else match.group(3)
    if all(char in table for char in body):
        return "".join(table[char] for char in body)
    return match.group()


def _walker_macros() -> latexwalker.LatexContextDb:
    macros = latexwalker.get_default_latex_context_db()
    one_argument = ["boldsymbol", "bm", "textsl", "mathit", "textnormal", "textup", "textsf", "textsc", "mathsf", "mathtt", "operatorname", "underline", "mbox"]
    macros.add_context_category(
        "digest-tui",
        prepend=True,
        macros=[MacroSpec("href", "{{")] + [MacroSpec(name, "{") for name in one_argument],
    )
    return macros


class _Converter:
    """One conversion: walks pylatexenc's node tree, keeping the styles it passes through."""

    walker_macros = _walker_macros()
    symbols = LatexNodes2Text(math_mode="text", latex_context=text_macros())

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def convert(self, text: str) -> tuple[Run, ...]:
        walker = latexwalker.LatexWalker(text, latex_context=self.walker_macros, tolerant_parsing=False)
        nodes, _, _ = walker.get_latex_nodes()
        self.walk(nodes, Run(""))
        return tuple(self.merged())

    def add(self, text: str, style: Run) -> None:
        if text:
            self.runs.append(replace(style, text=text))

    def after_script(self) -> bool:
        return bool(self.runs) and self.runs[-1].text.endswith(("^", "_"))

    def merged(self) -> list[Run]:
        merged: list[Run] = []
        for run in self.runs:
            if merged and replace(merged[-1], text="") == replace(run, text=""):
                merged[-1] = replace(run, text=merged[-1].text + run.text)
            else:
                merged.append(run)
        return merged or [Run("")]

    def walk(self, nodes: Iterable[latexwalker.LatexNode | None] | None, style: Run) -> None:
        after_unknown = False
        for node in nodes or ():
            if node is None:
                continue
            if isinstance(node, latexwalker.LatexMacroNode) and node.macroname in BOLD_SWITCHES | ITALIC_SWITCHES:
                # `{\bf text}`: the switch holds to the end of its group.
                style = replace(style, bold=True) if node.macroname in BOLD_SWITCHES else replace(style, italic=True)
                continue
            if isinstance(node, latexwalker.LatexGroupNode) and after_unknown:
                self.add(node.latex_verbatim(), style)
                continue
            if isinstance(node, latexwalker.LatexGroupNode) and self.after_script() and len(_inside(node)) > 1:
                # `n^{k+1}` with no Unicode form reads `n^(k+1)`, not `n^k+1`.
                self.add("(", style)
                self.walk(node.nodelist, style)
                self.add(")", style)
                continue
            after_unknown = self.node(node, style)

    def node(self, node: latexwalker.LatexNode, style: Run) -> bool:
        """Add `node`'s runs; True when it was a macro left as written."""
        if isinstance(node, latexwalker.LatexCharsNode):
            self.add(node.chars, style)
        elif isinstance(node, latexwalker.LatexGroupNode):
            self.walk(node.nodelist, style)
        elif isinstance(node, latexwalker.LatexMathNode):
            self.walk(node.nodelist, style)
        elif isinstance(node, latexwalker.LatexSpecialsNode):
            self.add(SPECIALS.get(node.specials_chars, node.specials_chars), style)
        elif isinstance(node, latexwalker.LatexMacroNode):
            return self.macro(node, style)
        elif isinstance(node, latexwalker.LatexCommentNode):
            self.add(node.latex_verbatim(), style)
        else:
            self.add(self.symbols.node_to_text(node), style)
        return False

    def macro(self, node: latexwalker.LatexMacroNode, style: Run) -> bool:
        name = node.macroname
        arguments = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        if name in BOLD | ITALIC | PLAIN and arguments:
            if name in BOLD:
                style = replace(style, bold=True)
            elif name in ITALIC:
                style = replace(style, italic=True)
            self.walk([arguments[-1]], style)
        elif name == "url" and arguments:
            url = _unescaped(_inside(arguments[0]))
            self.add(url, replace(style, link=url))
        elif name == "href" and len(arguments) >= 2:
            self.walk([arguments[1]], replace(style, link=_unescaped(_inside(arguments[0]))))
        elif name in NAMES:
            self.add(NAMES[name] + node.macro_post_space, style)
        elif self.walker_macros.get_macro_spec(name) is None and self.symbols.latex_context.get_macro_spec(name) is None:
            # Not LaTeX we know (a Windows path, a typo): leave it as written.
            self.add("\\" + name + node.macro_post_space, style)
            return True
        else:
            symbol = self.symbols.node_to_text(node)
            # Spaces after a symbol stay: abstracts write "2 \times faster" and mean the space.
            self.add(symbol + (node.macro_post_space if not arguments else ""), style)
        return False


def _inside(node: latexwalker.LatexNode) -> str:
    """The LaTeX source of an argument without its braces."""
    source: str = node.latex_verbatim()
    return source[1:-1] if source.startswith("{") and source.endswith("}") else source


def _unescaped(url: str) -> str:
    return re.sub(r"\\([%$&#_{}~])", r"\1", url)
