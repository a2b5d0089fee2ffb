"""Related entries: the papers an entry's commentary mentions come first."""

from __future__ import annotations

from digest_tui.digest.library import load_library
from digest_tui.digest.related import related_entries


def test_a_commentary_mentioning_an_arxiv_id_leads_to_that_entry(tmp_path):
    """`arXiv:2401.00001` written in the commentary, without a link, still names the paper."""
    digest = tmp_path / "d.txt"
    digest.write_text(
        "2024-01-01\n"
        "Cited Paper\n(A. One)\narXiv:2401.00001\n코멘트.\n#one\n"
        "Unrelated\n(D. Four)\n코멘트.\n#other\n"
        "2024-01-02\n"
        "The Citing Paper\n(E. Five)\n이 논문은 arXiv:2401.00001 을 인용합니다.\n#two\n",
        encoding="utf-8",
    )
    library = load_library([digest])
    citing = next(e for e in library.entries if e.title == "The Citing Paper")
    assert [e.title for e in related_entries(library, citing)] == ["Cited Paper"]
