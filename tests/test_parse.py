"""The parser on the real sample digests, on their damaged variants, and on generated text.

Expected values were read from the seed files by eye; long paragraphs are compared with the
raw line of the file (plain `split("\\n")`, no parser involved) plus a typed prefix/suffix.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from digest_tui.digest.library import read_digest
from digest_tui.digest.parse import Kind, ParseResult, classify, entry_id, parse, parse_date, split_lines
from digest_tui.digest.search import search_bytes

HANGUL = re.compile("[\uac00-\ud7a3]")
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def raw_lines(path: Path) -> list[str]:
    """The file's lines, 1-based through index n-1; the seeds use LF only and no final newline."""
    data = path.read_bytes()
    assert b"\r" not in data and not data.endswith(b"\n")
    return data.decode("utf-8").split("\n")


def read_seed(path: Path) -> ParseResult:
    return parse(path.read_text(encoding="utf-8"), path.name)


def by_title(result: ParseResult, title: str):
    matches = [e for e in result.entries if e.title == title]
    assert len(matches) == 1, [e.title for e in result.entries]
    return matches[0]


def sha12(normalised_title: str) -> str:
    return hashlib.sha1(normalised_title.encode("utf-8")).hexdigest()[:12]


def content(entry) -> tuple:
    """Every field that does not depend on where the entry sits."""
    return (entry.id, entry.date, entry.title, entry.authors, entry.abstract, entry.commentary, entry.tags, entry.links, entry.arxiv_id)


def located(entry) -> tuple:
    return (*content(entry), entry.line, entry.end_line)


# --- the seeds, entry by entry ------------------------------------------------------------

# file index -> (date, [(line, end_line, title, tags, links)]) as read from the files.
SEED_TABLE = {
    0: (date(2024, 8, 14), [
        (2, 6, "Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers", ("search",), ("https://github.com/zhentingqi/rStar",)),
        (7, 11, "AquilaMoE: Efficient Training for MoE Models with Scale-Up and Scale-Out Strategies", ("llm", "efficient-training"), ()),
        (
            12, 17, "Your Context Is Not an Array: Unveiling Random Access Limitations in Transformers",
            ("transformer", "positional-encoding", "extrapolation"), (),
        ),
        (18, 22, "CogVideoX: Text-to-Video Diffusion Models with An Expert Transformer", ("text-to-video",), ("https://github.com/THUDM/CogVideo",)),
        (23, 27, "Speculative Diffusion Decoding: Accelerating Language Generation through Diffusion", ("efficiency",), ()),
    ]),
    1: (date(2024, 9, 18), [
        (2, 6, "CPL: Critical Planning Step Learning Boosts LLM Generalization in Reasoning Tasks", ("mcts", "search", "rl"), ()),
        (7, 11, "Introducing Async Tensor Parallelism in PyTorch", ("parallelism", "efficiency"), ("https://arxiv.org/abs/2302.05442",)),
        (12, 17, "Rethinking KenLM: Good and Bad Model Ensembles for Efficient Text Quality Filtering in Large Web Corpora", ("corpus",),
         ("https://arxiv.org/abs/2404.07965", "https://arxiv.org/abs/2408.08310")),
        (18, 22, "OmniGen: Unified Image Generation", ("image-generation", "diffusion", "autoregressive-model"),
         ("https://github.com/VectorSpaceLab/OmniGen", "https://www.arxiv.org/abs/2408.11039")),
        (23, 28, "SOAP: Improving and Stabilizing Shampoo using Adam", ("optimizer",), ("https://github.com/nikhilvyas/SOAP",)),
        (29, 33, "Announcing Pixtral 12B", ("vision-language",), ()),
        (34, 39, "NVLM: Open Frontier-Class Multimodal LLMs", ("multimodal", "vision-language"), ("https://nvlm-project.github.io/",)),
    ]),
    2: (date(2024, 12, 2), [
        (2, 7, "Reverse Thinking Makes LLMs Stronger Reasoners", ("synthetic-data", "reasoning", "distillation"), ()),
        (8, 13, "Critical Tokens Matter: Token-Level Contrastive Estimation Enhence LLM's Reasoning Capability", ("reasoning",),
         ("https://arxiv.org/abs/2402.10200",)),
        (14, 21, "DeMo: Decoupled Momentum Optimization", ("efficient-training",),
         ("https://github.com/bloc97/DeMo", "https://x.com/PrimeIntellect/status/1859923050092994738")),
        (22, 27, "JetFormer: An Autoregressive Generative Model of Raw Images and Text", ("flow", "autoregressive-model", "image-text"),
         ("https://arxiv.org/abs/2312.02116",)),
        (28, 35, "A Simple and Provable Scaling Law for the Test-Time Compute of Large Language Models", ("search",), ()),
        (36, 41, "Puzzle: Distillation-Based NAS for Inference-Optimized LLMs", ("distillation", "nas"), ()),
    ]),
    3: (date(2024, 8, 30), [
        (2, 8, "Physics of Language Models: Part 2.2, How to Learn From Mistakes on Grade-School Math Problems", ("llm", "reasoning", "synthetic-data"), ()),
        (9, 12, "Qwen2-VL: To See the World More Clearly", ("vision-language", "video-language"), ()),
        (13, 18, "Smaller, Weaker, Yet Better: Training LLM Reasoners via Compute-Optimal Sampling", ("synthetic-data",), ("https://arxiv.org/abs/2310.13798",)),
        (19, 24, "WavTokenizer: an Efficient Acoustic Discrete Codec Tokenizer for Audio Language Modeling", ("audio", "vq"),
         ("https://github.com/jishengpeng/WavTokenizer",)),
        (25, 30, "Law of Vision Representation in MLLMs", ("vision-language",), ()),
        (31, 35, "VideoLLM-MoD: Efficient Video-Language Streaming with Mixture-of-Depths Vision Computation", ("video-language", "moe"),
         ("https://arxiv.org/abs/2407.21770",)),
    ]),
    4: (date(2024, 7, 4), [
        (2, 7, "Diffusion Forcing: Next-token Prediction Meets Full-Sequence Diffusion", ("diffusion", "autoregressive-model"),
         ("https://boyuan.space/diffusion-forcing/", "https://arxiv.org/abs/2403.05196", "https://arxiv.org/abs/2406.11838")),
        (8, 12, "Let the Expert Stick to His Last: Expert-Specialized Fine-Tuning for Sparse Architectural Large Language Models",
         ("moe", "efficient-training", "multitask"), ("https://arxiv.org/abs/2406.18219",)),
        (13, 19, "TheoremLlama: Transforming General-Purpose LLMs into Lean4 Experts", ("search", "math"), ()),
    ]),
}


def test_seed_counts(seed_files):
    counts = [len(read_seed(path).entries) for path in seed_files]
    assert counts == [5, 7, 6, 6, 3]
    assert sum(counts) == 27


@pytest.mark.parametrize("index", range(5))
def test_seed_entries_match_the_file(seed_files, index):
    path = seed_files[index]
    result = read_seed(path)
    day, table = SEED_TABLE[index]
    assert result.problems == []
    assert [(e.line, e.end_line, e.title, e.tags, e.links) for e in result.entries] == table
    lines = raw_lines(path)
    for entry in result.entries:
        assert entry.date == day
        assert entry.source == path.name
        assert entry.arxiv_id == ""
        assert entry.id == entry_id(entry.title)
        # Authors: the second line, in parentheses, split on commas.
        authors_line = lines[entry.line]
        assert authors_line.startswith("(") and authors_line.endswith(")")
        assert entry.authors == tuple(name.strip() for name in authors_line[1:-1].split(","))
        # Body: the lines between authors and tags; the commentary starts at the first Hangul line.
        body = lines[entry.line + 1 : entry.end_line - 1]
        assert lines[entry.end_line - 1] == " ".join("#" + t for t in entry.tags)
        first_korean = next(i for i, text in enumerate(body) if HANGUL.search(text))
        assert entry.abstract == "\n".join(body[:first_korean])
        assert entry.commentary == "\n".join(body[first_korean:])
    assert len({e.id for e in result.entries}) == len(result.entries)


def test_seed_000_your_context_every_field(seed_files):
    path = seed_files[0]
    lines = raw_lines(path)
    entry = by_title(read_seed(path), "Your Context Is Not an Array: Unveiling Random Access Limitations in Transformers")
    assert entry.id == sha12("your context is not an array unveiling random access limitations in transformers")
    assert entry.date == date(2024, 8, 14)
    assert entry.authors == ("MohammadReza Ebrahimi", "Sunny Panchal", "Roland Memisevic")
    assert entry.abstract == lines[13]
    assert entry.abstract.startswith("Despite their recent successes, Transformer-based large lang")
    assert entry.abstract.endswith("emory access manifests through attention map visualizations.")
    assert entry.commentary == (
        "Transformer의 Length Extrapolation 문제가 Attention이 Content 기반 Addressing은 가능하지만 Index/Location 기반 "
        "Addressing은 어렵다는 점에서 기인한다는 아이디어. 따라서 Location 기반 Addressing을 쉽게 할 수 있도록 토큰을 "
        "끼워넣거나 시퀀스를 재배치하면 Length Extrapolation이 발생할 수 있다고 합니다.\n"
        "Location 기반 Addressing이라는 표현이 말해주듯 Length Extrapolation이 결국 Positional Encoding과 관련된 문제라는 "
        "것과 연결되는 것 같네요. Location 기반 Addressing이라고 하니 Neural Turing Machine도 떠오르는군요."
    )
    assert entry.commentary_english == []
    assert len(entry.commentary_korean) == 2
    assert entry.tags == ("transformer", "positional-encoding", "extrapolation")
    assert entry.links == ()
    assert entry.source == path.name
    assert (entry.line, entry.end_line) == (12, 17)


def test_seed_000_link_in_abstract_loses_the_final_period(seed_files):
    entry = by_title(read_seed(seed_files[0]), "Mutual Reasoning Makes Smaller LLMs Stronger Problem-Solvers")
    assert entry.abstract.endswith("de will be available at https://github.com/zhentingqi/rStar.")
    assert entry.links == ("https://github.com/zhentingqi/rStar",)


def test_seed_001_async_tensor_parallelism_has_no_abstract(seed_files):
    path = seed_files[1]
    entry = by_title(read_seed(path), "Introducing Async Tensor Parallelism in PyTorch")
    assert entry.id == sha12("introducing async tensor parallelism in pytorch")
    assert entry.date == date(2024, 9, 18)
    assert entry.authors == ("Yifu Wang", "Horace He", "Less Wright", "Luca Wehrstedt", "Tianyu Liu", "Wanchao Liang")
    assert entry.abstract == ""
    assert entry.commentary == (
        "PyTorch에 Async Tensor Parallel 구현이 들어왔군요. 이 방법을 적용한 대표적인 사례가 ViT-22B죠. "
        "(https://arxiv.org/abs/2302.05442)\n"
        "이런 방법의 핵심은 연산과 통신을 중첩하는 것인데 그냥은 구현이 쉽지 않았다고 하는군요. "
        "SymmetricMemory라는 추상화 위에 구현되어 있는데 참조해보면 재미있을 것 같습니다."
    )
    assert entry.tags == ("parallelism", "efficiency")
    assert entry.links == ("https://arxiv.org/abs/2302.05442",)
    assert (entry.source, entry.line, entry.end_line) == (path.name, 7, 11)


def test_seed_001_pixtral_organisation_author_no_abstract(seed_files):
    path = seed_files[1]
    entry = by_title(read_seed(path), "Announcing Pixtral 12B")
    assert entry.id == sha12("announcing pixtral 12b")
    assert entry.date == date(2024, 9, 18)
    assert entry.authors == ("Mistral AI",)
    assert entry.abstract == ""
    assert entry.commentary == (
        "얼마 전 체크포인트를 공개했었던 Pixtral에 대한 블로그 포스트가 올라왔군요. 비전 인코더를 사용하되 이미지의 "
        "해상도와 종횡비를 그대로 사용하고 이미지 토큰의 각 라인(?)에 Line Break 토큰을 사용한 형탠네요.\n"
        "다양한 해상도 지원, 종횡비 보존, 그리고 Interleaved 입력 지원, 추가적으로 반드시 그래야 하는 것은 아니겠지만 "
        "Decoder-only 구조. 비슷비슷해지는 느낌이군요."
    )
    assert entry.tags == ("vision-language",)
    assert entry.links == ()
    assert (entry.source, entry.line, entry.end_line) == (path.name, 29, 33)


def test_seed_001_nvlm_abstract_ends_with_the_url_line(seed_files):
    path = seed_files[1]
    lines = raw_lines(path)
    entry = by_title(read_seed(path), "NVLM: Open Frontier-Class Multimodal LLMs")
    assert entry.id == sha12("nvlm open frontier class multimodal llms")
    assert entry.date == date(2024, 9, 18)
    assert entry.authors == (
        "Wenliang Dai", "Nayeon Lee", "Boxin Wang", "Zhuoling Yang", "Zihan Liu",
        "Jon Barker", "Tuomas Rintamaki", "Mohammad Shoeybi", "Bryan Catanzaro", "Wei Ping",
    )
    assert entry.abstract == lines[35] + "\nhttps://nvlm-project.github.io/."
    assert entry.abstract.startswith("We introduce NVLM 1.0, a family of frontier-class multimodal")
    assert entry.abstract.split("\n")[0].endswith("del weights and will open-source the code for the community:")
    assert entry.commentary == lines[37]
    assert entry.commentary.startswith("Qwen2 기반 Multimodal 모델.")
    assert entry.commentary.endswith("고해상도 이미지를 결합하는 하이브리드를 만들었습니다.")
    assert entry.tags == ("multimodal", "vision-language")
    assert entry.links == ("https://nvlm-project.github.io/",)
    assert (entry.source, entry.line, entry.end_line) == (path.name, 34, 39)


def test_seed_002_test_time_scaling_formula_and_bilingual_commentary(seed_files):
    path = seed_files[2]
    lines = raw_lines(path)
    entry = by_title(read_seed(path), "A Simple and Provable Scaling Law for the Test-Time Compute of Large Language Models")
    assert entry.id == sha12("a simple and provable scaling law for the test time compute of large language models")
    assert entry.date == date(2024, 12, 2)
    assert entry.authors == ("Yanxi Chen", "Xuchen Pan", "Yaliang Li", "Bolin Ding", "Jingren Zhou")
    paragraphs = entry.abstract.split("\n")
    assert paragraphs == [lines[29], lines[30], lines[31]]
    assert paragraphs[0].endswith(" of the proposed algorithm decays to zero exponentially with respect to N and K:")
    assert paragraphs[1] == "P(final output is incorrect) ≤ (1 − p_gen)^N + ⌈log2N⌉e^(−2K(p_comp − 0.5)^2)."
    assert paragraphs[2] == (
        "Our empirical results with the challenging MMLU-Pro benchmark validate the technical assumptions, as well as "
        "the efficacy of the proposed algorithm and the gains from scaling up its test-time compute."
    )
    korean = (
        "N개 샘플을 생성한 다음 각 샘플의 페어를 K번 비교하는 토너먼트를 사용하는 Test Time Scaling 방법. 정답을 생성할 "
        "확률이 0보다 크고 비교에서 정답을 선택할 확률이 0.5보다 크다면 N과 K의 증가에 따라 오답률이 0으로 수렴한다는 "
        "이야기를 합니다."
    )
    english = (
        "This paper presents a Test Time Scaling method that uses a tournament approach with N generated samples and K "
        "comparisons between each pair of samples. The authors argue that if the probability of generating the correct "
        "answer is greater than 0 and the probability of choosing the correct answer in comparisons is greater than 0.5, "
        "then the error rate will converge to 0 as N and K increase."
    )
    assert entry.commentary == korean + "\n" + english
    assert entry.commentary_korean == [korean]
    assert entry.commentary_english == [english]
    assert entry.tags == ("search",)
    assert entry.links == ()
    assert (entry.source, entry.line, entry.end_line) == (path.name, 28, 35)


def test_seed_002_link_in_parentheses_and_translation(seed_files):
    path = seed_files[2]
    lines = raw_lines(path)
    entry = by_title(read_seed(path), "Critical Tokens Matter: Token-Level Contrastive Estimation Enhence LLM's Reasoning Capability")
    assert entry.id == sha12("critical tokens matter token level contrastive estimation enhence llm s reasoning capability")
    assert entry.authors == (
        "Zicheng Lin", "Tian Liang", "Jiahao Xu", "Xing Wang", "Ruilin Luo", "Chufan Shi", "Siheng Li", "Yujiu Yang", "Zhaopeng Tu",
    )
    assert "(https://arxiv.org/abs/2402.10200)" in entry.commentary
    assert entry.links == ("https://arxiv.org/abs/2402.10200",)
    assert entry.commentary_korean == [lines[10]]
    assert entry.commentary_english == [lines[11]]
    assert entry.commentary_english[0].startswith("The paper reveals the existence of critical tokens")
    # Two Korean paragraphs, then their two English translations.
    demo = by_title(read_seed(path), "DeMo: Decoupled Momentum Optimization")
    assert demo.commentary_korean == [lines[16], lines[17]]
    assert demo.commentary_english == [lines[18], lines[19]]
    assert demo.commentary_english[0] == (
        "A method to reduce communication volume in model training. It separates the fast-changing and slow-changing "
        "components of momentum, then synchronizes only the fast-changing parts."
    )


def test_seed_003_qwen2_vl_every_field(seed_files):
    path = seed_files[3]
    entry = by_title(read_seed(path), "Qwen2-VL: To See the World More Clearly")
    assert entry.id == sha12("qwen2 vl to see the world more clearly")
    assert entry.date == date(2024, 8, 30)
    assert entry.authors == ("Qwen Team",)
    assert entry.abstract == ""
    assert entry.commentary == (
        "Qwen2-VL이 나왔군요. 비디오 입력을 지원하고 가변 해상도 이미지에 따라 서로 다른 길이의 토큰을 입력으로 쓸 수 있게 "
        "했군요. RoPE를 사용하면서 이미지 높이/너비 그리고 시간축으로 쪼개서 적용했다고."
    )
    assert entry.commentary_english == []
    assert entry.tags == ("vision-language", "video-language")
    assert entry.links == ()
    assert (entry.source, entry.line, entry.end_line) == (path.name, 9, 12)


def test_seed_004_let_the_expert_every_field(seed_files):
    path = seed_files[4]
    lines = raw_lines(path)
    title = "Let the Expert Stick to His Last: Expert-Specialized Fine-Tuning for Sparse Architectural Large Language Models"
    entry = by_title(read_seed(path), title)
    assert entry.id == sha12("let the expert stick to his last expert specialized fine tuning for sparse architectural large language models")
    assert entry.date == date(2024, 7, 4)
    assert entry.authors == ("Zihan Wang", "Deli Chen", "Damai Dai", "Runxin Xu", "Zhuoshu Li", "Y. Wu")
    assert entry.abstract == lines[9]
    assert entry.abstract.startswith("Parameter-efficient fine-tuning (PEFT) is crucial for customizing")
    assert entry.abstract.endswith("nstream tasks, thereby enhancing both the training efficiency and effectiveness.")
    assert entry.commentary == lines[10]
    assert entry.commentary.startswith("MoE 모델의 Expert Activation이 각각 특정한 과제에 집중되어 있다는 것을 발견.")
    assert entry.commentary.endswith("(Mixtral 같은 경우 Expert가 서로 유사하죠. https://arxiv.org/abs/2406.18219)")
    assert entry.tags == ("moe", "efficient-training", "multitask")
    assert entry.links == ("https://arxiv.org/abs/2406.18219",)
    assert (entry.source, entry.line, entry.end_line) == (path.name, 8, 12)


# --- ids ------------------------------------------------------------------------------------

def fullwidth(text: str) -> str:
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "variant",
    [
        "qwen2-vl: to see the world more clearly",
        "QWEN2-VL: TO SEE THE WORLD MORE CLEARLY",
        "Qwen2 VL - To See the World, More Clearly!",
        "Qwen2-VL:   To\tSee the  World More Clearly  ",
        "“Qwen2-VL” — To See the World More Clearly…",
        fullwidth("Qwen2-VL: To See the World More Clearly"),
    ],
)
def test_id_ignores_case_punctuation_whitespace_and_width(variant):
    assert entry_id(variant) == entry_id("Qwen2-VL: To See the World More Clearly") == sha12("qwen2 vl to see the world more clearly")


def test_id_differs_for_different_titles(seed_files):
    ids = [e.id for path in seed_files for e in read_seed(path).entries]
    assert len(set(ids)) == 27
    assert entry_id("Qwen2-VL: To See the World More Clearly") != entry_id("Qwen2-VL: To See the World Clearly")
    assert entry_id("GPT-4") != entry_id("GPT-3")


def test_id_is_stable_after_edits_elsewhere_and_renames(seed_files):
    text = seed_files[1].read_text(encoding="utf-8")
    before = {e.title: e.id for e in parse(text, "001.txt").entries}
    edited = text.replace("#corpus", "#corpus #filtering").replace("형탠네요", "형태네요")
    edited = "\n\n" + edited.replace("Announcing Pixtral 12B", "Announcing  Pixtral 12B!")
    after = {e.title: e.id for e in parse(edited, "elsewhere/renamed.txt").entries}
    assert after.pop("Announcing  Pixtral 12B!") == before.pop("Announcing Pixtral 12B")
    assert after == before


# --- line ends, whitespace and layout -----------------------------------------------------

@pytest.mark.parametrize("index", range(5))
def test_crlf_and_bom_give_the_same_entries(seed_files, index):
    text = seed_files[index].read_text(encoding="utf-8")
    plain = parse(text, "a.txt")
    windows = parse("\ufeff" + text.replace("\n", "\r\n") + "\r\n", "b.txt")
    old_mac = parse(text.replace("\n", "\r"), "c.txt")
    assert windows.problems == old_mac.problems == []
    assert [located(e) for e in windows.entries] == [located(e) for e in plain.entries]
    assert [located(e) for e in old_mac.entries] == [located(e) for e in plain.entries]
    assert {e.source for e in windows.entries} == {"b.txt"}


@pytest.mark.parametrize("index", range(5))
def test_trailing_whitespace_blank_lines_and_final_newline(seed_files, index):
    text = seed_files[index].read_text(encoding="utf-8")
    plain = parse(text, "a.txt")
    padded = parse("\n".join(line + " \t " for line in text.split("\n")) + "\n", "a.txt")
    assert padded.problems == []
    assert [located(e) for e in padded.entries] == [located(e) for e in plain.entries]
    # A blank (or whitespace-only) line before and after every line: lines move, nothing else.
    airy_text = "\n \n" + "\n\t\n".join(text.split("\n")) + "\n\n\n"
    airy = parse(airy_text, "a.txt")
    assert airy.problems == []
    assert [content(e) for e in airy.entries] == [content(e) for e in plain.entries]
    assert [(e.line, e.end_line) for e in airy.entries] == [(2 * e.line + 1, 2 * e.end_line + 1) for e in plain.entries]


def test_split_lines_counts_like_an_editor():
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert split_lines("\ufeffa\n") == ["a", ""]
    for char in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":  # line ends to str.splitlines, not here
        assert split_lines(f"a{char}b\nc") == [f"a{char}b", "c"]


# Whitespace as docs/format.md lists it, LF and CR aside (they end lines).
WHITESPACE = "\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
NOT_WHITESPACE = "\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad\u3164\x00\x1b\x7f"
SMALL_DIGEST = ["2024-08-01", "A Title", "(Ann Author)", "Abstract line.", "모델 설명.", "#t", "Next Title", "(Bo Li)", "#u"]


def test_the_documented_whitespace_is_what_the_parser_trims():
    """The list in docs/format.md, the list above and str.isspace (which the parser's strip(),
    split() and \\s use) are the same set of characters."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "format.md").read_text(encoding="utf-8")
    paragraph = doc[doc.index("- Whitespace is every character") : doc.index("Invisible characters that are not")]
    listed = set("\n\r")
    for first, last in re.findall(r"U\+([0-9A-F]{4})(?:–U\+([0-9A-F]{4}))?", paragraph):
        listed.update(map(chr, range(int(first, 16), int(last or first, 16) + 1)))
    every = {chr(code) for code in range(0x110000) if chr(code).isspace()}
    assert listed == set(WHITESPACE) | set("\n\r") == every
    assert not any(char.isspace() for char in NOT_WHITESPACE)


@pytest.mark.parametrize("char", WHITESPACE, ids=lambda char: f"U+{ord(char):04X}")
def test_a_line_of_any_whitespace_is_blank(char):
    plain = parse("\n".join(SMALL_DIGEST), "a.txt")
    assert plain.problems == [] and len(plain.entries) == 2
    # Before and after every line a line of this whitespace, and some around every line.
    airy = parse("\n".join(f"{char}\n{char}{line}{char * 3}" for line in SMALL_DIGEST) + f"\n{char}", "a.txt")
    assert airy.problems == []
    assert [content(e) for e in airy.entries] == [content(e) for e in plain.entries]
    assert [(e.line, e.end_line) for e in airy.entries] == [(2 * e.line, 2 * e.end_line) for e in plain.entries]


@pytest.mark.parametrize("char", WHITESPACE, ids=lambda char: f"U+{ord(char):04X}")
def test_whitespace_inside_a_line_neither_ends_it_nor_is_dropped(char):
    lines = list(SMALL_DIGEST)
    lines[1] = f"A{char}Title"
    lines[3] = f"Abstract{char}line."
    result = parse("\n".join(lines), "a.txt")
    assert result.problems == []
    first = result.entries[0]
    assert (first.title, first.abstract, first.line, first.end_line) == (f"A{char}Title", f"Abstract{char}line.", 2, 6)
    assert result.entries[1].line == 7


@pytest.mark.parametrize("char", NOT_WHITESPACE, ids=lambda char: f"U+{ord(char):04X}")
def test_a_line_of_invisible_characters_that_are_not_whitespace_is_not_blank(char):
    result = parse("\n".join(["2024-08-01", char, *SMALL_DIGEST[1:]]), "a.txt")
    # After a date header a text line is a title: the entry it starts has no authors line.
    assert result.entries[0].title == char
    assert [(p.line, p.message) for p in result.problems][0] == (2, f"entry {char!r} has no authors line")
    # Not at the very start, where U+FEFF is a byte-order mark.
    before_header = parse("\n".join(["", char, *SMALL_DIGEST]), "a.txt")
    assert [(p.line, p.message) for p in before_header.problems] == [(2, f"line outside any entry: {char!r}")]


def test_iso_date_headers(seed_files):
    text = seed_files[3].read_text(encoding="utf-8")
    assert text.startswith("2024년 8월 30일\n")
    iso = parse("2024-08-30" + text[len("2024년 8월 30일"):], "a.txt")
    assert iso.problems == []
    assert [located(e) for e in iso.entries] == [located(e) for e in parse(text, "a.txt").entries]
    assert parse_date("2024-08-30") == parse_date("2024년 8월 30일") == date(2024, 8, 30)
    assert parse_date("2024년08월30일") == date(2024, 8, 30)


def test_several_days_in_one_file(seed_files):
    first, second = (seed_files[i].read_text(encoding="utf-8") for i in (4, 0))
    result = parse(first + "\n" + second, "both.txt")
    assert result.problems == []
    assert [(e.line, e.date) for e in result.entries] == [
        (2, date(2024, 7, 4)), (8, date(2024, 7, 4)), (13, date(2024, 7, 4)),
        (21, date(2024, 8, 14)), (26, date(2024, 8, 14)), (31, date(2024, 8, 14)), (37, date(2024, 8, 14)), (42, date(2024, 8, 14)),
    ]


def test_hash_inside_commentary_is_not_a_tags_line():
    text = (
        "2024-08-01\nA Paper\n(Ann Author)\nSee issue #42 and C# bindings.\n"
        "이 방법이 #1 순위라고 하네요.\n#이것도 태그 아님 설명입니다\n#tag-one #tag-two\n"
    )
    result = parse(text)
    assert result.problems == []
    (entry,) = result.entries
    assert entry.abstract == "See issue #42 and C# bindings."
    assert entry.commentary == "이 방법이 #1 순위라고 하네요.\n#이것도 태그 아님 설명입니다"
    assert entry.tags == ("tag-one", "tag-two")


def test_tags_line_deduplicates_and_accepts_any_spacing():
    result = parse("2024-08-01\nA Paper\n(Ann Author)\nText.\n  #a\t#b #a   #c-d  \n")
    assert result.entries[0].tags == ("a", "b", "c-d")


def test_link_in_parentheses_loses_the_closer():
    result = parse("2024-08-01\nA Paper\n(Ann Author)\n첫 토큰의 중요성 (https://arxiv.org/abs/2402.10200) 그리고 https://a.org/x_(y).\n#t\n")
    assert result.entries[0].links == ("https://arxiv.org/abs/2402.10200", "https://a.org/x_(y)")


def test_own_arxiv_line_under_title_or_authors():
    text = (
        "2024-08-01\nFirst Paper\narXiv:2401.01234\n(Ann Author)\nAbstract.\n#a\n"
        "Second Paper\n(Bob Author)\nhttps://arxiv.org/abs/2402.05678v2\nAbstract.\n#b\n"
    )
    result = parse(text)
    assert result.problems == []
    assert [(e.title, e.arxiv_id, e.abstract) for e in result.entries] == [
        ("First Paper", "2401.01234", "Abstract."),
        ("Second Paper", "2402.05678", "Abstract."),
    ]
    # The own line is the entry's arxiv_id, not one of the links quoted in its text.
    assert [e.links for e in result.entries] == [(), ()]


def test_classify():
    assert classify("  ") is Kind.BLANK
    assert classify("2024년 8월 14일") is Kind.DATE
    assert classify("2024년 13월 40일") is Kind.DATE
    assert classify("2024-08-14 ") is Kind.DATE
    assert classify("#a #b") is Kind.TAGS
    assert classify("(Mistral AI)") is Kind.AUTHORS
    assert classify("(한국어 괄호)") is Kind.TEXT
    assert classify("(https://arxiv.org/abs/2402.10200)") is Kind.TEXT
    assert classify("arXiv:2402.10200") is Kind.ARXIV
    assert classify("Some title") is Kind.TEXT


# --- very long lines ------------------------------------------------------------------------

KIB = 1024


def test_huge_lines_in_a_file_are_cut_to_64_kib_with_a_problem(tmp_path):
    hangul = "ab" + "모" * 2_000_000  # 3 bytes a character: byte 65,536 falls inside one
    parens = "see https://a.org/x" + ")" * 3_000_000
    emoji = "🙂" * 1_000_000  # 4 bytes a character: 64 KiB holds exactly 16,384
    lines = ["2024-08-01", hangul, "(Ann Author)", parens, emoji, "#t", "Next Title", "(Bo Li)", "#u"]
    path = tmp_path / "huge.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert path.stat().st_size > 12_000_000

    result = read_digest(path)

    assert [(p.line, p.message) for p in result.problems] == [
        (2, "line is 5.8 MiB long; cut to its first 64 KiB"),
        (4, "line is 2.9 MiB long; cut to its first 64 KiB"),
        (5, "line is 3.9 MiB long; cut to its first 64 KiB"),
    ]
    first, second = result.entries
    assert first.title == "ab" + "모" * 21_844 and len(first.title.encode()) == 64 * KIB - 2
    assert first.abstract == "see https://a.org/x" + ")" * (64 * KIB - 19) + "\n" + "🙂" * 16_384
    assert first.links == ("https://a.org/x",)
    assert (first.line, first.end_line, first.tags) == (2, 6, ("t",))
    assert (second.title, second.line, second.authors) == ("Next Title", 7, ("Bo Li",))
    # What search keeps of the entry was made from the cut lines.
    assert len(search_bytes(first)) < 4 * 64 * KIB


@pytest.mark.parametrize(
    "line, problem, kept",
    [
        ("a" * 64 * KIB, None, 64 * KIB),
        ("\u3000 " + "a" * 64 * KIB + " \t", None, 64 * KIB),  # whitespace at the ends does not count
        ("é" * 32 * KIB, None, 64 * KIB),
        ("a" * (64 * KIB + 1), "line is 64.1 KiB long; cut to its first 64 KiB", 64 * KIB),
        ("a" * 100 * KIB, "line is 100 KiB long; cut to its first 64 KiB", 64 * KIB),
        ("a" * 2**20, "line is 1 MiB long; cut to its first 64 KiB", 64 * KIB),
        ("é" * (32 * KIB + 1), "line is 64.1 KiB long; cut to its first 64 KiB", 64 * KIB),
        ("a" + "é" * 40_000, "line is 78.2 KiB long; cut to its first 64 KiB", 64 * KIB - 1),
        ("\ud800" * 30_000, "line is 87.9 KiB long; cut to its first 64 KiB", 64 * KIB - 1),  # lone surrogates, 3 bytes each
        ("a" * (64 * KIB - 1) + " b", "line is 64.1 KiB long; cut to its first 64 KiB", 64 * KIB - 1),  # no trailing space kept
    ],
    ids=["64KiB", "64KiB-padded", "64KiB-2-byte", "64KiB+1", "100KiB", "1MiB", "64KiB+2-byte", "mid-character", "surrogates", "space-at-cut"],
)
def test_line_length_limit(line, problem, kept):
    result = parse("\n".join(["2024-08-01", line, "(Ann Author)", "#t"]), "a.txt")
    assert [p.message for p in result.problems] == ([problem] if problem else [])
    title = result.entries[0].title
    assert line.strip().startswith(title) and title == title.strip()
    assert len(title.encode("utf-8", "surrogatepass")) == kept


# --- problems ----------------------------------------------------------------------------

def test_invalid_date_header_is_a_problem():
    text = "2024-08-01\nGood Paper\n(Ann Author)\nText.\n#a\n2024년 13월 40일\nLost Paper\n(Bob Author)\nText.\n#b\n"
    result = parse(text, "d.txt")
    assert [e.title for e in result.entries] == ["Good Paper"]
    assert [(p.line, p.end_line) for p in result.problems] == [(6, 6), (7, 10)]
    assert str(result.problems[0]) == "d.txt:6: not a valid date: '2024년 13월 40일'"
    assert "invalid date header (line 6)" in result.problems[1].message
    assert parse_date("2024년 13월 40일") is None
    assert parse_date("2023-02-29") is None


def test_missing_tags_line_still_finds_the_next_entry(seed_files):
    path = seed_files[1]
    lines = raw_lines(path)
    assert lines[10] == "#parallelism #efficiency"
    result = parse("\n".join(lines[:10] + lines[11:]), path.name)
    assert len(result.entries) == 7
    broken = by_title(result, "Introducing Async Tensor Parallelism in PyTorch")
    assert (broken.line, broken.end_line, broken.tags) == (7, 10, ())
    assert by_title(result, "Rethinking KenLM: Good and Bad Model Ensembles for Efficient Text Quality Filtering in Large Web Corpora").line == 11
    (problem,) = result.problems
    assert str(problem) == f"{path.name}:7: entry 'Introducing Async Tensor Parallelism in PyTorch' has no #tags line"
    assert (problem.line, problem.end_line) == (7, 10)


def test_a_long_line_is_never_a_title():
    long_line = "x" * 301
    text = f"2024-08-01\nA Paper\n(Ann Author)\n{long_line}\n(Not An Author List)\nMore.\n#a\n"
    result = parse(text)
    assert result.problems == []
    assert result.entries[0].abstract == f"{long_line}\n(Not An Author List)\nMore."
    # At 300 characters it is a title when an authors line follows (the tags line went missing).
    text = text.replace(long_line, "y" * 300)
    result = parse(text)
    assert [e.title for e in result.entries] == ["A Paper", "y" * 300]
    assert "has no #tags line" in result.problems[0].message


def test_text_before_any_date_header_is_a_problem():
    result = parse("Some preface.\nAnother line.\n2024-08-01\nA Paper\n(Ann Author)\nText.\n#a\n", "p.txt")
    assert [e.title for e in result.entries] == ["A Paper"]
    assert [(p.line, p.end_line) for p in result.problems] == [(1, 2)]
    assert str(result.problems[0]).startswith("p.txt:1: 2 lines outside any entry")
    result = parse("A Paper\n(Ann Author)\nText.\n#a\n", "q.txt")
    assert result.entries == []
    assert [str(p) for p in result.problems] == ["q.txt:1: entry 'A Paper' comes before any date header; skipped"]


def test_date_header_without_entries_is_a_problem():
    result = parse("2024-08-01\n\n2024-08-02\nA Paper\n(Ann Author)\n#a\n2024-08-03\n", "e.txt")
    assert [(e.title, e.date) for e in result.entries] == [("A Paper", date(2024, 8, 2))]
    assert [str(p) for p in result.problems] == [
        "e.txt:1: date header '2024-08-01' has no entries under it",
        "e.txt:7: date header '2024-08-03' has no entries under it",
    ]


def test_garbage_and_empty_text():
    garbage = parse("lorem ipsum dolor\nsit amet, consectetur\n\x01\x02 more noise\n", "g.txt")
    assert garbage.entries == []
    assert [(p.line, p.end_line) for p in garbage.problems] == [(1, 3)]
    assert parse("", "e.txt") == ParseResult()
    assert parse(" \n\t\r\n", "e.txt") == ParseResult()


def test_never_raises_on_odd_characters():
    for text in ("\ud800 title\n(A)\n#t", "\x00" * 10, "2024-08-01\n\ud800\n(\ud800)\n#\ud800", "(" * 5000, "#" * 5000, "0000-00-00"):
        result = parse(text)
        assert isinstance(result, ParseResult)
        for e in result.entries:
            assert e.id == entry_id(e.title)


# --- properties -----------------------------------------------------------------------------

LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def assert_every_line_accounted_for(text: str, result: ParseResult) -> None:
    """Each non-blank line lies in an entry's or a problem's span, or is a valid date header
    that dates the entry right after it."""
    lines = LINE_SPLIT.split(text.removeprefix("\ufeff"))
    spans = [(e.line, e.end_line) for e in result.entries]
    spans += [(p.line, p.end_line or p.line) for p in result.problems]
    for first, last in spans:
        assert 1 <= first <= last <= len(lines), (first, last, len(lines))
    entries = sorted(result.entries, key=lambda e: e.line)
    for before, after in zip(entries, entries[1:]):
        assert before.end_line < after.line
    for number, line in enumerate(lines, start=1):
        if not line.strip() or any(first <= number <= last for first, last in spans):
            continue
        day = parse_date(line.strip())
        assert day is not None, f"line {number} {line!r} is in no entry and no problem"
        following = [e for e in entries if e.line > number]
        assert following and following[0].date == day, f"date header at line {number} dates nothing"
    for entry in result.entries:
        assert entry.title == lines[entry.line - 1].strip() != ""
        assert entry.id == entry_id(entry.title)
        assert all(tag and "#" not in tag and not any(c.isspace() for c in tag) for tag in entry.tags)


words = st.sampled_from(["model", "Language", "LLM", "reasoning", "(e.g.,", "tokens.", "3D", "MoE:", "Scaling", "Diffusion", "x" * 40])
korean = st.sampled_from(["모델", "학습을", "아이디어군요.", "흥미롭네요", "데이터", "#1", "(https://arxiv.org/abs/2402.10200)", "Decoder-only"])
names = st.sampled_from(["Ann Author", "Bo Li", "Mistral AI", "Qwen Team", "Y. Wu", "André Susano Pinto"])
tags = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
arbitrary = st.text(max_size=40)

date_line = st.one_of(
    st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(lambda d: f"{d.year}년 {d.month}월 {d.day}일"),
    st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(date.isoformat),
    st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]}년 {t[1]}월 {t[2]}일"),
)
title_line = st.lists(words, min_size=1, max_size=8).map(" ".join)
authors_line = st.lists(names, min_size=1, max_size=4).map(lambda n: "(" + ", ".join(n) + ")")
abstract_line = st.lists(words, min_size=1, max_size=30).map(" ".join)
korean_line = st.lists(st.one_of(korean, words), min_size=1, max_size=15).map(" ".join).map(lambda s: "모델 " + s)
tags_line = st.lists(tags, min_size=1, max_size=4).map(lambda t: " ".join("#" + x for x in t))
arxiv_line = st.sampled_from(["arXiv:2401.01234", "https://arxiv.org/abs/2402.05678v2", "https://arxiv.org/pdf/2403.00001.pdf"])
any_line = st.one_of(date_line, title_line, authors_line, abstract_line, korean_line, tags_line, arxiv_line, arbitrary, st.just(""))


@st.composite
def entry_block(draw) -> list[str]:
    """An entry as the seeds write it, then damaged: parts dropped, lines inserted."""
    lines = [draw(title_line)]
    if draw(st.booleans()):
        lines.append(draw(arxiv_line))
    lines.append(draw(authors_line))
    lines += draw(st.lists(abstract_line, max_size=3))
    lines += draw(st.lists(korean_line, max_size=3))
    lines += draw(st.lists(abstract_line, max_size=2))
    lines.append(draw(tags_line))
    for _ in range(draw(st.integers(0, 2))):
        if draw(st.booleans()) and len(lines) > 1:
            del lines[draw(st.integers(0, len(lines) - 1))]
        else:
            lines.insert(draw(st.integers(0, len(lines))), draw(any_line))
    return lines


blocks = st.lists(st.one_of(entry_block(), date_line.map(lambda d: [d]), st.lists(any_line, max_size=3)), max_size=12)


@st.composite
def digest_text(draw, endings=("\n", "\r\n", "\r")) -> str:
    lines = [line for block in draw(blocks) for line in block]
    text = ""
    for line in lines:
        text += line + draw(st.sampled_from(["", " ", "\t"])) + draw(st.sampled_from(endings))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return ("\ufeff" if draw(st.booleans()) else "") + text


@FAST
@given(digest_text())
def test_property_digest_like_text(text):
    assert_every_line_accounted_for(text, parse(text, "gen.txt"))


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_property_arbitrary_text(text):
    assert_every_line_accounted_for(text, parse(text, "any.txt"))


@FAST
@given(st.lists(st.one_of(any_line, st.sampled_from(["\r", "\n", "\r\n", "\ufeff", "\x00", "(", ")", "#", "년"])), max_size=60).map("".join))
def test_property_line_soup(text):
    assert_every_line_accounted_for(text, parse(text, "soup.txt"))


@FAST
@given(digest_text(endings=("\n",)))
def test_property_line_ends_do_not_matter(text):
    assume("\r" not in text)
    plain = parse(text, "x.txt")
    for ends in ("\r\n", "\r"):
        other = parse(text.replace("\n", ends), "x.txt")
        assert other == plain and [located(e) for e in other.entries] == [located(e) for e in plain.entries]


def test_generated_digests_contain_real_entries():
    """The grammar must produce parseable entries, or the properties above prove little."""
    found = []

    @settings(max_examples=50, deadline=None, database=None)
    @given(digest_text())
    def collect(text):
        found.append(len(parse(text).entries))

    collect()
    assert sum(1 for n in found if n > 0) >= 10
