"""Abstracts' LaTeX as the detail pane draws it: symbols, bold, italic, links; odd input raw."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest_tui.digest.latex import Run, reading_runs


def plain(text: str) -> str:
    return "".join(run.text for run in reading_runs(text))


def test_symbols_become_unicode():
    assert plain(r"$x \times y$ with \mu, $\alpha \leq \beta$, $O(n^2)$ and $h_{t-1}$") == "x × y with μ, α ≤ β, O(n²) and hₜ₋₁"


def test_a_script_without_unicode_form_keeps_its_grouping():
    assert plain(r"$x^{\alpha+1}$") == "x^(α+1)"


def test_bold_and_italic_are_runs_without_braces():
    assert reading_runs(r"We introduce {\textbf{De}}coupled {\textbf{Mo}}mentum (DeMo)") == (
        Run("We introduce "),
        Run("De", bold=True),
        Run("coupled "),
        Run("Mo", bold=True),
        Run("mentum (DeMo)"),
    )
    assert reading_runs(r"\textit{Speculative} and \emph{new}, {\bf old style}") == (
        Run("Speculative", italic=True),
        Run(" and "),
        Run("new", italic=True),
        Run(", "),
        Run("old style", bold=True),
    )


def test_url_and_href_are_links():
    assert reading_runs(r"Code at \url{https://example.org/a_b%20c}.") == (
        Run("Code at "),
        Run("https://example.org/a_b%20c", link="https://example.org/a_b%20c"),
        Run("."),
    )
    assert reading_runs(r"See \href{https://example.org}{our \textbf{site}}") == (
        Run("See "),
        Run("our ", link="https://example.org"),
        Run("site", bold=True, link="https://example.org"),
    )


@pytest.mark.parametrize(
    "raw",
    [
        r"We show \textbf{unclosed bold",
        r"\begin{itemize} never ends",
        "}} closing first \\emph{x}",
        "{" * 2000 + r"\textbf{deep}" + "}" * 2000,  # deeper than Python recurses
    ],
)
def test_broken_input_comes_back_raw(raw):
    assert reading_runs(raw) == (Run(raw),)


@pytest.mark.parametrize(
    "raw",
    [
        "Plain text with a lone \\ backslash",
        "Ends with a backslash \\",
        "C:\\Users\\name and 50% of the time",
        "A price of $5 and $10",
        "~10x faster -- with 100% recall & more",
    ],
)
def test_plain_text_stays_untouched(raw):
    assert plain(raw) == raw


def test_an_unpaired_dollar_stays_a_dollar():
    assert plain(r"An open $ math \times") == "An open $ math ×"
    assert plain(r"$x$ and $") == "x and $"


def test_latex_beside_plain_percent_dollar_backslash_keeps_them():
    assert plain(r"\textbf{A} costs $5 and $10, 50% off, C:\path, a \ b") == r"A costs $5 and $10, 50% off, C:\path, a \ b"
    assert plain(r"\textasciitilde42% time, $x$") == "~42% time, x"
    assert plain(r"an \unknown{macro} stays, $x$") == r"an \unknown{macro} stays, x"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab {}$%\\^_~&#") + ["\\textbf", "\\emph", "\\url", "\\times", "\\href"]), max_size=40).map("".join))
def test_any_input_converts_without_raising(raw):
    runs = reading_runs(raw)
    assert runs and all(isinstance(run.text, str) for run in runs)
