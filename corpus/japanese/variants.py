"""Spelling variants of katakana words, added on the query side so a question finds text spelt the other way.

Loanwords and names are written in katakana with several accepted spellings (the 1991 Cabinet notice 「外来語の
表記」 allows both; JIS Z 8301 drops a word-final ー that everyday writing keeps): サーバー / サーバ, ヴァイオリン /
バイオリン, ウィルス / ウイルス. Sudachi's normalised form joins the spellings of words in its dictionary (both
サーバ and サーバー become サーバー), and the character bigrams of `sudachi+bigram` share most of their pairs, but a
word the dictionary does not have — a product, a machine, a person, a place — is stored exactly as the text spells
it, so a question spelt the other way misses it as a word.

:func:`word_variants` spells one katakana token the other ways these rules allow:

- ヴァ ヴィ ヴ ヴェ ヴォ → バ ビ ブ ベ ボ (every occurrence), and back (each occurrence alone, then all: which
  were ヴ is not known);
- ウィ ウェ ウォ ↔ ウイ ウエ ウオ;
- a word-final ー dropped (from four characters on) or added (from three characters, after the kana that end
  -er/-or/-ar and -y words: タ, ラ, リ, ィ …);

and every combination of them. The variants are searched as extra words of the query (full weight: they are the same
word), in both backends; the tokens shown to the user and the relevance gate's measure stay those of the question,
the gate counting a word as present when one of its variants is (`corpus.search`). A variant no chunk holds costs
nothing. Tokens that are not all katakana, or shorter than two characters, have none: kanji okurigana
(取り扱い / 取扱い) is left to Sudachi's normalised form, which covers the dictionary's words, and to the bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]{2,}")
_V_TO_B = {"ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ", "ヴ": "ブ"}
_B_TO_V = {"バ": "ヴァ", "ビ": "ヴィ", "ベ": "ヴェ", "ボ": "ヴォ", "ブ": "ヴ"}
_SMALL_TO_LARGE = {"ウィ": "ウイ", "ウェ": "ウエ", "ウォ": "ウオ"}
_LARGE_TO_SMALL = {v: k for k, v in _SMALL_TO_LARGE.items()}
# A final ー is added only after the kana that end the loanwords written both ways (-er/-or/-ar and -y: カッタ,
# メモリ, パーティ), not after ス, ト, ル … (ウィルス has no ウィルスー).
_LONG_AFTER = frozenset("アカガサザタダナハバパマヤラワァャ" + "イキギシジチヂニヒビピミリィ")
# At most this many variants of one word (a word with many バ-row kana could otherwise make dozens).
MAX_VARIANTS = 8


@cache
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a table's keys, longest first (ヴァ before ヴ)."""
    return re.compile("|".join(sorted(map(re.escape, keys), key=len, reverse=True)))


def _replace_all(word: str, table: dict[str, str]) -> str:
    return _pattern(tuple(table)).sub(lambda m: table[m.group(0)], word)


def _replace_each(word: str, table: dict[str, str]) -> list[str]:
    """`word` with one occurrence of a key replaced, for each occurrence (ブラザビル: ヴラザビル, ブラザヴィル), then
    with all of them: which バ-row kana were ヴ is not known, and a name rarely has more than one."""
    found = _pattern(tuple(table)).finditer(word)
    out = [word[: m.start()] + table[m.group(0)] + word[m.end() :] for m in found]
    return [*out, _replace_all(word, table)]


def _rules(word: str) -> list[Callable[[str], list[str]]]:
    """The rules that apply to `word`, each giving the other spellings of a spelling; the direction of each is
    decided on `word` itself, so combining them never turns a change back."""
    rules: list[Callable[[str], list[str]]] = []
    if "ヴ" in word:
        rules.append(lambda w: [_replace_all(w, _V_TO_B)])
    elif any(k in word for k in _B_TO_V):
        rules.append(lambda w: _replace_each(w, _B_TO_V))
    if any(k in word for k in _SMALL_TO_LARGE):
        rules.append(lambda w: [_replace_all(w, _SMALL_TO_LARGE)])
    elif any(k in word for k in _LARGE_TO_SMALL):
        rules.append(lambda w: [_replace_all(w, _LARGE_TO_SMALL)])
    if word.endswith("ー") and len(word) >= 4:
        rules.append(lambda w: [w[:-1]] if w.endswith("ー") else [])
    elif len(word) >= 3 and word[-1] in _LONG_AFTER:
        rules.append(lambda w: [w + "ー"] if w[-1] in _LONG_AFTER else [])
    return rules


def word_variants(word: str) -> list[str]:
    """The other spellings of a katakana token (not the token itself), in a stable order, at most `MAX_VARIANTS`;
    [] for any other token.

    ### Usage example
    ```python
    word_variants("サーヴァー")  # ['サーバー', 'サーヴァ', 'サーバ']
    ```
    """
    if not _KATAKANA_WORD.fullmatch(word):
        return []
    spellings = [word]
    for rule in _rules(word):
        for spelling in list(spellings):
            spellings.extend(s for s in rule(spelling) if s not in spellings)
    return spellings[1 : MAX_VARIANTS + 1]


def variant_tokens(tokens: list[str], text: str = "") -> list[str]:
    """The other spellings to search for a query: those of every katakana token in `tokens`, and those of every whole
    katakana run of the query's `text` — a word the dictionary lacks is one token in the stored text, while its other
    spelling in the question may be split into known pieces (ブラザビル → ブラザ + ビル; the text's ブラザヴィル is one
    unknown word). Tokens the query has already are left out; order is stable."""
    have = set(tokens)
    out: list[str] = []
    runs = _KATAKANA_WORD.findall(unicodedata.normalize("NFKC", text).lower()) if text else []
    for word in dict.fromkeys([*tokens, *runs]):
        for spelt in word_variants(word):
            if spelt not in have:
                have.add(spelt)
                out.append(spelt)
    return out
