"""Most frequent words in free-text comments, and dissatisfied vs satisfied contrast.

Chinese is segmented with jieba (which ships its own dictionary). If jieba cannot be imported,
Chinese falls back to overlapping character bigrams and the result says so in
``attrs["method"] == "char_bigram"`` (catalog key ``satisfaction.comments.bigram_fallback``), so
the page can tell the reader. English is split into words. Stopwords, punctuation and numbers are
removed; negations (不, 没, not, no) are kept because they carry the complaint.

All comments are joined and segmented in one pass — jieba's per-call overhead dominates on many
short texts. For very large waves, pass a sample.
"""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from crm_core.satisfaction.segmenting import segmenter

ZH_STOPWORDS = frozenset(
    ["的", "了", "是", "我", "你", "他", "她", "它", "我们", "你们", "他们", "很", "也", "都", "就", "和", "与", "及", "在", "有", "这", "那", "这个", "那个", "一个", "还", "又", "把", "被", "给", "对", "吧", "吗", "呢", "啊", "呀", "哦", "嗯", "着", "过", "地", "得", "之", "而", "或", "等", "挺", "比较", "非常", "特别", "真", "太", "就是", "还是", "因为", "所以", "但是", "然后", "如果", "可以", "已经", "一下", "一些", "什么", "怎么"]
)
EN_STOPWORDS = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "i", "me", "my", "we", "our", "you", "your", "he", "she", "they", "them", "their", "his", "her", "very", "really", "so", "too", "just", "also", "than", "then", "there", "here", "have", "has", "had", "do", "does", "did", "will", "would", "can", "could", "should", "about", "into", "over", "more", "most", "some", "any", "all", "what", "which", "who", "when", "where", "how"]
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_EN_WORD = re.compile(r"[a-z][a-z']+")


def _jieba_cutter(distinct: list[str]):
    """Chinese tokens of one comment with jieba (see ``segmenting``), None without jieba."""
    try:
        cut = segmenter(distinct)
    except ImportError:
        return None
    return lambda text: [token for token in cut(text) if _HAN.search(token)]


def _bigram_tokens(text: str) -> list[str]:
    return [run[i:i + 2] for run in _HAN_RUN.findall(text) for i in range(max(len(run) - 1, 1))]


def _tokens(comments, lang_hint: str) -> tuple[Counter, str]:
    """Token counts (in order of first appearance) and the method. Each distinct comment is
    segmented once and its tokens counted as often as it occurs: segmenting the joined text gives
    the same tokens (jieba, the bigrams and the English words never cross the line break between
    two comments), but a wave repeats short comments ("送货太慢") thousands of times."""
    said = pd.Series(comments, dtype=object).dropna().map(str)
    if lang_hint not in ("auto", "zh", "en"):
        raise ValueError(f"lang_hint must be 'auto', 'zh' or 'en'; got {lang_hint!r}")
    times = said.value_counts(sort=False)  # distinct comments in order of first appearance
    distinct, weights = list(times.index), times.to_numpy().tolist()
    english = _weighted([[w for w in _EN_WORD.findall(c.lower()) if w not in EN_STOPWORDS] for c in distinct], weights)
    if lang_hint == "en" or not any(_HAN.search(c) for c in distinct):
        return english, "words"
    cut = _jieba_cutter(distinct)
    method, cut = ("jieba", cut) if cut is not None else ("char_bigram", _bigram_tokens)
    chinese = _weighted([[t for t in cut(c) if t not in ZH_STOPWORDS] for c in distinct], weights)
    chinese.update(english)  # Chinese words first, then English, as in the joined text
    return chinese, method


def _weighted(token_lists: list[list[str]], weights: list[int]) -> Counter:
    counts: Counter = Counter()
    for tokens, weight in zip(token_lists, weights):
        for token in tokens:
            counts[token] += weight
    return counts


def top_words(comments, lang_hint: str = "auto", top: int = 20) -> pd.DataFrame:
    """The ``top`` most frequent words: columns ``word``, ``count``, ``share`` (% of word tokens).

    ``lang_hint``: "zh", "en" or "auto" (Chinese segmentation when any Han character occurs;
    English words are counted in either case). ``attrs["method"]`` is "jieba", "char_bigram"
    (jieba unavailable) or "words". Missing comments are skipped.
    """
    tokens, method = _tokens(comments, lang_hint)
    counts = tokens.most_common(top)
    total = sum(tokens.values())
    table = pd.DataFrame(counts, columns=["word", "count"])
    table["share"] = 100.0 * table["count"] / total if total else pd.Series(dtype=float)
    table.attrs["method"] = method
    return table


def word_contrast(dissatisfied_comments, satisfied_comments, lang_hint: str = "auto",
                  top: int = 20) -> dict[str, pd.DataFrame]:
    """Top words of dissatisfied and of satisfied comments: ``{"dissatisfied": …, "satisfied": …}``,
    each as :func:`top_words` returns it, so the two lists can be shown side by side.
    """
    return {"dissatisfied": top_words(dissatisfied_comments, lang_hint, top),
            "satisfied": top_words(satisfied_comments, lang_hint, top)}
