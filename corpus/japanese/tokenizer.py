"""BM25 tokens for Japanese: morphological analysis with SudachiPy, not whitespace.

Mode C (longest units: 東京都, 保護めがね), the dictionary's *normalised form* (ｶﾀｶﾅ/カタカナ → 片仮名,
読込/読み込み → 読み込む, 1400万 → 14000000) so spelling variants meet, lower-cased, and particles, auxiliary
verbs, symbols and whitespace dropped. Measured on `shared/eval/jsquad-dev` with `bench/retrieval.py` (see
README "Retrieval figures"): this and character uni+bigrams score within a point of each other, while Sudachi's
short posting lists make queries several times faster at 100k chunks; whitespace tokenisation fails completely.

Tokens are computed once at ingestion and stored with the chunk as a space-separated string, so both the embedded
store and Elasticsearch rank on identical terms.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache

DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白"})
# Sudachi refuses inputs over ~49 KB of UTF-8; we feed it sentence-sized pieces.
_PIECE = re.compile(r"[^\n。！？!?]{1,4000}[\n。！？!?]*")


class JapaneseTokenizer:
    """Sudachi-based tokenizer. Safe to share between threads (one Sudachi tokenizer per thread).

    ### Usage example
    ```python
    JapaneseTokenizer().tokenize("東京都の人口は約1400万人です。")
    # ['東京都', '人口', '約', '14000000', '人']
    ```
    """

    name = "sudachi-c-normalized"

    def __init__(self) -> None:
        self._local = threading.local()
        self._dictionary = None
        self._lock = threading.Lock()

    def _tokenizer(self):
        tok = getattr(self._local, "tokenizer", None)
        if tok is None:
            with self._lock:
                if self._dictionary is None:
                    from sudachipy import Dictionary

                    self._dictionary = Dictionary(dict="core")
                    dropped = self._dictionary.pos_matcher(lambda pos: pos[0] in DROPPED_POS)
                    self._dropped = dropped
            from sudachipy import SplitMode

            tok = self._dictionary.tokenizer(mode=SplitMode.C, fields={"pos", "normalized_form"})
            self._local.tokenizer = tok
        return tok

    def tokenize(self, text: str) -> list[str]:
        """Content-word tokens of `text` (normalised, lower-cased)."""
        return self.tokenize_normalized(unicodedata.normalize("NFKC", text))

    def tokenize_normalized(self, text: str) -> list[str]:
        """:meth:`tokenize` for text that is already NFKC (no second pass over it).

        Sudachi releases the GIL while it analyses, so threads tokenising different chunks run on several cores
        (see `pipelines/components/tokenizer.py`).
        """
        tokenizer = self._tokenizer()
        dropped = self._dropped
        out: list[str] = []
        for piece in _PIECE.findall(text):
            for morpheme in tokenizer.tokenize(piece):
                if dropped(morpheme):
                    continue
                form = morpheme.normalized_form().lower().strip()
                if form:
                    out.append(form)
        return out

    def tokens_string(self, text: str) -> str:
        """The stored form: tokens joined by single spaces (no token contains a space)."""
        return " ".join(t.replace(" ", "_") for t in self.tokenize(text))

    def morphemes(self, text: str) -> list[tuple[str, str | None]]:
        """Every piece of `text` as `(surface, token)`; `token` is None for what BM25 drops (particles …).

        Joining the surfaces gives the NFKC form of `text` back, so a caller can mark the pieces a query matched.
        """
        tokenizer = self._tokenizer()
        dropped = self._dropped
        out: list[tuple[str, str | None]] = []
        for piece in _PIECE.findall(unicodedata.normalize("NFKC", text)):
            for morpheme in tokenizer.tokenize(piece):
                form = None if dropped(morpheme) else (morpheme.normalized_form().lower().strip() or None)
                out.append((morpheme.surface(), form))
        return out


_CJK = "\u3041-\u3096\u30a1-\u30fa\u30fc\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_WORD_OR_CJK_RUN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+")
_CJK_OR_WORD = re.compile(rf"([{_CJK}]+)|([^\W{_CJK}_]+)")  # the same runs, the kind told by the group


class CharBigramTokenizer:
    """Character unigrams + bigrams over runs of kana/kanji, whole words for Latin letters and digits.

    Kept for comparison in `bench/` and as an option for corpora where a dictionary fails (rare names, dialect).
    """

    name = "char-uni-bigram"

    def tokenize(self, text: str) -> list[str]:
        """Unigrams and bigrams of each CJK run; Latin words and numbers whole."""
        out: list[str] = []
        for run in _WORD_OR_CJK_RUN.findall(unicodedata.normalize("NFKC", text).lower()):
            if _CJK_RUN.fullmatch(run):
                out.extend(run)
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                out.append(run)
        return out

    def tokens_string(self, text: str) -> str:
        """Tokens joined by spaces."""
        return " ".join(self.tokenize(text))

    def morphemes(self, text: str) -> list[tuple[str, str | None]]:
        """Pieces of `text` as `(surface, token)`: each character run as one piece (its token is the run itself)."""
        normal = unicodedata.normalize("NFKC", text)
        out: list[tuple[str, str | None]] = []
        last = 0
        for match in _WORD_OR_CJK_RUN.finditer(normal):
            if match.start() > last:
                out.append((normal[last : match.start()], None))
            out.append((match.group(0), match.group(0).lower()))
            last = match.end()
        if last < len(normal):
            out.append((normal[last:], None))
        return out


# Marks the character-bigram tokens of `sudachi+bigram`. NFKC turns "₂" into "2", so no word of normalised text can
# start with it: the two kinds of token never collide in one BM25 field.
BIGRAM_MARK = "\u2082"
# What a marked bigram's BM25 contribution counts against a word's, in both backends. Chosen on jsquad-dev (MRR@10 of
# BM25: 1.0 → 0.932, 0.5 → 0.934, 0.3 → 0.933, 0.1 → 0.931; words alone 0.924) and checked on documents not used for
# choosing: at 1.0 the bigrams that span kana endings (ます, ですか) outweighed the words of short conversational
# questions and the real-document sheet fell from MRR@5 0.982 to 0.946 (docs/retrieval.md §Lexical fields).
BIGRAM_WEIGHT = 0.3


class SudachiBigramTokenizer:
    """Sudachi's words plus the character bigrams of each kana/kanji run (marked with ₂), in one BM25 field.

    The bigrams find what the dictionary splits differently in the question and in the text (compounds, names,
    okurigana variants); the words keep their precision. Measured on jsquad-dev (MRR@10, BM25 alone, paragraphs):
    Sudachi 0.924, bigrams 0.922, both in one field 0.932 (two fields fused by normalised score: 0.934); on 4,000
    JaQuAD questions that were not used for choosing: 0.916 → 0.924 (docs/retrieval.md §Lexical fields).

    ### Usage example
    ```python
    SudachiBigramTokenizer().tokenize("保護めがね")   # ['保護', '眼鏡', '₂保護', '₂護め', '₂めが', '₂がね']
    ```
    """

    name = "sudachi+bigram"

    def __init__(self) -> None:
        self.words = get_tokenizer("sudachi")
        self.characters = get_tokenizer("char-bigram")

    def tokenize(self, text: str) -> list[str]:
        """Sudachi's tokens, then the marked bigrams (and Latin words and numbers, marked, as the bigram side has
        them)."""
        words, marked = self._parts(text)
        return [*words, *marked]

    def _parts(self, text: str) -> tuple[list[str], list[str]]:
        """`(words, marked bigrams)`. The bigrams of each kana/kanji run are built directly (the character
        tokenizer's unigrams would only be dropped again); a one-character run gives none, and a Latin word or
        number is kept whole, marked, unless it is a single non-ASCII letter."""
        normal = unicodedata.normalize("NFKC", text)
        mark = BIGRAM_MARK
        marked: list[str] = []
        for run, word in _CJK_OR_WORD.findall(normal.lower()):
            if run:
                marked.extend([mark + a + b for a, b in zip(run, run[1:], strict=False)])
            elif len(word) > 1 or word.isascii():
                marked.append(mark + word)
        return self.words.tokenize_normalized(normal), marked

    def tokens_string(self, text: str) -> str:
        """The stored form: tokens joined by single spaces (a bigram never holds one; a word's is made `_`)."""
        words, marked = self._parts(text)
        return " ".join([*(w.replace(" ", "_") for w in words), *marked])

    def morphemes(self, text: str) -> list[tuple[str, str | None]]:
        """Sudachi's pieces (marking and sentence scoring work on words; see :func:`words_only`)."""
        return self.words.morphemes(text)


def split_marked(tokens: list[str]) -> tuple[list[str], list[str]]:
    """`(words, marked bigrams)` of a token list."""
    words = [t for t in tokens if not t.startswith(BIGRAM_MARK)]
    return words, [t for t in tokens if t.startswith(BIGRAM_MARK)]


def words_only(tokens: list[str]) -> list[str]:
    """`tokens` without the marked bigrams of `sudachi+bigram` (for showing what was searched, and for measures
    defined on words such as the relevance gate)."""
    return [t for t in tokens if not t.startswith(BIGRAM_MARK)]


TOKENIZERS = {
    "sudachi": JapaneseTokenizer,
    "char-bigram": CharBigramTokenizer,
    "sudachi+bigram": SudachiBigramTokenizer,
}


@cache
def get_tokenizer(name: str = "sudachi") -> JapaneseTokenizer | CharBigramTokenizer | SudachiBigramTokenizer:
    """A shared tokenizer instance by name (`sudachi`, `char-bigram` or `sudachi+bigram`).

    :raises ValueError: for an unknown name (the message lists the valid ones).
    """
    if name not in TOKENIZERS:
        msg = f"Unknown tokenizer {name!r}; choose one of {sorted(TOKENIZERS)}"
        raise ValueError(msg)
    return TOKENIZERS[name]()
