"""Citations: golden BibTeX for seed entries and a digest full of special characters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest_tui.config import CHOICES
from digest_tui.digest.library import read_digest
from digest_tui.digest.model import Details, Entry
from digest_tui.out.cite import (
    FORMATS,
    bibtex,
    bibtex_all,
    bibtex_name,
    citation,
    cite_key,
    is_organisation,
    latex_escape,
    markdown,
    plain,
    protect_title,
    title_only,
    unique_keys,
)
from tests.seedhelpers import by_title


def make_entry(title: str, authors: tuple[str, ...] = ("Ada Lovelace",), arxiv: str = "", day=date(2024, 9, 18)) -> Entry:
    return Entry(
        id=title, date=day, title=title, tags=(), source="t.txt", line=1, end_line=3, arxiv_id=arxiv,
        attached=Details(authors=authors),
    )


def test_formats_match_the_config_choices():
    assert FORMATS == CHOICES["citation_format"]


# --- golden records for seed entries -------------------------------------------------------


def test_key_of_the_example_in_the_issue(library):
    entry = by_title(library, "Mutual Reasoning Makes Smaller LLMs")
    assert cite_key(entry) == "qi2024mutual"
    assert bibtex(entry) == (
        "@misc{qi2024mutual,\n"
        "  title = {Mutual Reasoning Makes Smaller {LLM}s Stronger Problem-Solvers},\n"
        "  author = {Qi, Zhenting and Ma, Mingyuan and Xu, Jiahang and Zhang, Li Lyna and Yang, Fan and Yang, Mao},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_many_authors_aquilamoe(library):
    entry = by_title(library, "AquilaMoE")
    assert len(entry.authors) == 27
    assert bibtex(entry) == (
        "@misc{zhang2024aquilamoe,\n"
        "  title = {{AquilaMoE}: Efficient Training for {MoE} Models with Scale-Up and Scale-Out Strategies},\n"
        "  author = {Zhang, Bo-Wen and Wang, Liangdong and Yuan, Ye and Li, Jijie and Gu, Shuhao and Zhao, Mengdi"
        " and Wu, Xinya and Liu, Guang and Wu, Chengwei and Zhao, Hanyu and Du, Li and Ju, Yiming and Ma, Quanyue"
        " and Ao, Yulong and Zhao, Yingli and Zhu, Songhe and Cao, Zhou and Liang, Dong and Lin, Yonghua"
        " and Zhang, Ming and Wang, Shunfei and Zhou, Yanxin and Ye, Min and Chen, Xuekai and Yu, Xinyang"
        " and Huang, Xiangjun and Yang, Jian},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_organisation_pixtral(library):
    entry = by_title(library, "Announcing Pixtral")
    assert entry.authors == ("Mistral AI",)
    assert bibtex(entry) == (
        "@misc{mistral2024announcing,\n"
        "  title = {Announcing Pixtral {12B}},\n"
        "  author = {{Mistral AI}},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_organisation_qwen_team(library):
    entry = by_title(library, "Qwen2-VL")
    assert bibtex(entry).splitlines()[:3] == [
        "@misc{qwen2024qwen2vl,",
        "  title = {{Qwen2-VL}: To See the World More Clearly},",
        "  author = {{Qwen Team}},",
    ]


def test_colon_and_acronyms_cpl(library):
    entry = by_title(library, "CPL:")
    assert bibtex(entry) == (
        "@misc{wang2024cpl,\n"
        "  title = {{CPL}: Critical Planning Step Learning Boosts {LLM} Generalization in Reasoning Tasks},\n"
        "  author = {Wang, Tianlong and Han, Xueting and Bai, Jing},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_colon_and_acronyms_nvlm(library):
    entry = by_title(library, "NVLM")
    # The project page in the text may not be the paper's own page, and a search is no citation: no url.
    assert entry.links == ("https://nvlm-project.github.io/",)
    assert bibtex(entry) == (
        "@misc{dai2024nvlm,\n"
        "  title = {{NVLM}: Open Frontier-Class Multimodal {LLM}s},\n"
        "  author = {Dai, Wenliang and Lee, Nayeon and Wang, Boxin and Yang, Zhuoling and Liu, Zihan"
        " and Barker, Jon and Rintamaki, Tuomas and Shoeybi, Mohammad and Catanzaro, Bryan and Ping, Wei},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_accented_author_kept_as_utf8_jetformer(library):
    entry = by_title(library, "JetFormer")
    record = bibtex(entry)
    assert "  author = {Tschannen, Michael and Pinto, André Susano and Kolesnikov, Alexander},\n" in record
    assert record.startswith("@misc{tschannen2024jetformer,\n  title = {{JetFormer}: An Autoregressive")


def test_commentary_and_quoted_links_never_go_into_citations(library):
    for entry in library.entries:
        for fmt in FORMATS:
            text = citation(entry, fmt)
            for paragraph in entry.commentary_paragraphs:
                assert paragraph not in text
            for url in entry.links:
                assert url not in text


def test_seed_export_keys_are_unique(library):
    keys = unique_keys(library.entries)
    assert len(set(keys)) == len(keys) == len(library.entries)
    assert bibtex_all(library.entries).count("\n@") == len(library.entries) - 1


# --- a digest with every special character -------------------------------------------------

SPECIAL = """\
2024-09-18
Q&A on 100% of $5 GPUs: the_best {Tricks} ~ ^ \\ #1 für LLMs
https://arxiv.org/abs/2401.01234v2
(André Susano Pinto, Ludwig van Beethoven, Martin Luther King Jr., R&D Lab)
An abstract.
비밀 코멘터리: this commentary must never be cited.
#special
Éclair: Über Models
(Jürgen Müller)
Another abstract.
#special
"""


@pytest.fixture
def special(tmp_path: Path) -> list[Entry]:
    path = tmp_path / "special.txt"
    path.write_text(SPECIAL, encoding="utf-8")
    result = read_digest(path)
    assert not result.problems
    return result.entries


def test_special_characters_are_escaped(special):
    assert special[0].arxiv_id == "2401.01234"
    assert bibtex(special[0]) == (
        "@article{pinto2024qa,\n"
        "  title = {{Q\\&A} on 100\\% of \\$5 {GPU}s: the\\_best \\{Tricks\\} \\textasciitilde{}"
        " \\textasciicircum{} \\textbackslash{} \\#1 für {LLM}s},\n"
        "  author = {Pinto, André Susano and van Beethoven, Ludwig and King, Jr., Martin Luther and {R\\&D Lab}},\n"
        "  year = {2024},\n"
        "  journal = {arXiv preprint arXiv:2401.01234},\n"
        "  eprint = {2401.01234},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2401.01234}\n"
        "}\n"
    )


def test_accents_are_transliterated_in_keys_only(special):
    assert bibtex(special[1]) == (
        "@misc{muller2024eclair,\n"
        "  title = {Éclair: Über Models},\n"
        "  author = {Müller, Jürgen},\n"
        "  year = {2024}\n"
        "}\n"
    )


def test_special_plain_markdown_title(special):
    entry = special[0]
    assert plain(entry) == (
        "André Susano Pinto et al. (2024). Q&A on 100% of $5 GPUs: the_best {Tricks} ~ ^ \\ #1 für LLMs."
        " https://arxiv.org/abs/2401.01234"
    )
    assert markdown(entry) == (
        "[Q&A on 100% of $5 GPUs: the_best {Tricks} ~ ^ \\\\ #1 für LLMs](https://arxiv.org/abs/2401.01234)"
    )
    assert title_only(entry) == entry.title
    for fmt in FORMATS:
        assert "must never be cited" not in citation(entry, fmt)


def test_every_latex_special_is_escaped():
    assert latex_escape("& % $ # _ { } ~ ^ \\ é 한") == (
        "\\& \\% \\$ \\# \\_ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{} é 한"
    )


# --- pieces --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Reverse Thinking Makes LLMs Stronger Reasoners", "Reverse Thinking Makes {LLM}s Stronger Reasoners"),
        ("Enhence LLM's Reasoning", "Enhence {LLM}'s Reasoning"),
        ("TheoremLlama: Transforming LLMs into Lean4 Experts", "{TheoremLlama}: Transforming {LLM}s into {Lean4} Experts"),
        ("VideoLLM-MoD: Text-to-Video (MoE)", "{VideoLLM-MoD}: Text-to-Video ({MoE})"),
        ("A Simple Law", "A Simple Law"),
        ("rStar and   DeMo", "{rStar} and {DeMo}"),
    ],
)
def test_protect_title(title, expected):
    assert protect_title(title) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Mistral AI", "{Mistral AI}"),
        ("Qwen Team", "{Qwen Team}"),
        ("OpenAI", "{OpenAI}"),
        ("Google Research", "{Google Research}"),
        ("Wei Ai", "Ai, Wei"),
        ("Diederik P. Kingma", "Kingma, Diederik P."),
        ("Aaron van den Oord", "van den Oord, Aaron"),
        ("Harm de Vries", "de Vries, Harm"),
        ("Martin Luther King Jr.", "King, Jr., Martin Luther"),
        ("Bo-Wen Zhang", "Zhang, Bo-Wen"),
    ],
)
def test_bibtex_names(name, expected):
    assert bibtex_name(name) == expected


def test_organisation_rule():
    assert is_organisation("Mistral AI") and is_organisation("NVIDIA") and is_organisation("DeepSeek Inc.")
    assert not is_organisation("Zhenting Qi") and not is_organisation("Wei Ai")


@pytest.mark.parametrize(
    "title, authors, key",
    [
        ("The Attention Is All", ("Ashish Vaswani",), "vaswani2024attention"),
        ("On the Path of a Model", ("Aaron van den Oord",), "vandenoord2024path"),
        ("A Paper", ("Meta AI",), "meta2024paper"),
        ("Untitled", (), "anon2024untitled"),
        ("한국어 제목", ("Kim Minsu",), "minsu2024"),
        ("Łódź Çağrı", ("Çağrı Öztürk",), "ozturk2024odz"),
    ],
)
def test_keys(title, authors, key):
    assert cite_key(make_entry(title, authors)) == key


def test_clashing_keys_get_letters_in_export_order():
    entries = [make_entry("Notes One"), make_entry("Other"), make_entry("Notes Two"), make_entry("Notes Three")]
    assert unique_keys(entries) == ["lovelace2024notesa", "lovelace2024other", "lovelace2024notesb", "lovelace2024notesc"]
    records = bibtex_all(entries)
    assert records.startswith("@misc{lovelace2024notesa,\n")
    assert "\n\n@misc{lovelace2024notesc,\n" in records


def test_suffixed_keys_never_clash_with_a_bare_key():
    entries = [make_entry("Notes"), make_entry("Notesa"), make_entry("Notes again")]
    assert unique_keys(entries) == ["lovelace2024notesb", "lovelace2024notesa", "lovelace2024notesc"]


def test_plain_author_lists():
    assert plain(make_entry("One.", ("A B",))) == "A B (2024). One."
    assert plain(make_entry("Two?", ("A B", "C D"), arxiv="2401.00001")) == (
        "A B and C D (2024). Two? https://arxiv.org/abs/2401.00001"
    )
    assert plain(make_entry("None", ())) == "(2024). None."


def test_markdown_escapes_brackets():
    assert markdown(make_entry("[Re] A (b) c", arxiv="2401.00001")) == "[\\[Re\\] A (b) c](https://arxiv.org/abs/2401.00001)"


def test_markdown_without_an_arxiv_id_is_the_escaped_title_alone():
    assert markdown(make_entry("[Re] A (b) c")) == "\\[Re\\] A (b) c"


def test_no_citation_of_an_entry_without_an_arxiv_id_carries_a_link(library, special):
    """A search is not the paper: without the entry's own arXiv id no format gives any URL."""
    idless = [entry for entry in library.entries if not entry.arxiv_id] + [special[1]]
    assert len(idless) > 20
    for entry in idless:
        for fmt in FORMATS:
            text = citation(entry, fmt)
            assert "arxiv.org" not in text and "http" not in text, (fmt, entry.title)
        assert "url =" not in bibtex(entry) and bibtex(entry).startswith("@misc{")
    assert "http" not in bibtex_all(idless)


def test_an_entry_with_its_arxiv_id_is_cited_with_its_abs_page(special):
    for fmt in ("bibtex", "plain", "markdown"):
        text = citation(special[0], fmt)
        assert "https://arxiv.org/abs/2401.01234" in text and "search" not in text, fmt


def test_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown citation format"):
        citation(make_entry("X"), "apa")
