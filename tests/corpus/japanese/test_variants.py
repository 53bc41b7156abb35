"""Katakana spelling variants searched on the query side (corpus/japanese/variants.py)."""

from __future__ import annotations

from corpus.japanese.variants import MAX_VARIANTS, variant_tokens, word_variants


def test_each_rule_both_ways() -> None:
    assert word_variants("ヴァイオリン") == ["バイオリン"]
    assert word_variants("バイオリン") == ["ヴァイオリン"]
    assert word_variants("ウィルス") == ["ウイルス"]
    assert word_variants("ウイルス") == ["ウィルス"]
    assert word_variants("コンピューター") == ["コンピュータ"]
    assert word_variants("コンピュータ") == ["コンピューター"]
    assert word_variants("パーティ") == ["パーティー"]
    assert word_variants("メモリ") == ["メモリー"]


def test_rules_combine_and_stay_bounded() -> None:
    assert word_variants("サーヴァー") == ["サーバー", "サーヴァ", "サーバ"]
    assert word_variants("ブラザビル") == ["ヴラザビル", "ブラザヴィル", "ヴラザヴィル"]  # each occurrence, then all
    assert set(word_variants("サーバ")) == {"サーバー", "サーヴァ", "サーヴァー"}
    many = word_variants("ヴィウィーバー")
    assert len(many) <= MAX_VARIANTS and "ヴィウィーバー" not in many and len(set(many)) == len(many)


def test_words_with_no_other_spelling() -> None:
    for word in ("ミシン", "テスト", "ウィルスー"[:-1] + "ス", "ペン", "東京", "保護", "3d", "ー", "カー"):
        assert "ー" + word not in word_variants(word)
    assert word_variants("ミシン") == []  # ends in ン: no final ー
    assert word_variants("テスト") == []  # ト does not take a final ー
    assert word_variants("東京") == [] and word_variants("3d") == [] and word_variants("ヴ") == []
    assert word_variants("ルー") == []  # too short to drop its ー


def test_variant_tokens_from_tokens_and_from_whole_runs_of_the_text() -> None:
    # Where Sudachi splits a question's unknown run into known words (ブラザ + ビル), the run as a whole still gives
    # the spelling the text stores as one word.
    tokens = ["ブラザ", "ビル", "人口"]
    found = variant_tokens(tokens, "ブラザビルの人口は？")
    assert "ブラザヴィル" in found and "ヴィル" in found
    assert not set(found) & set(tokens)
    assert variant_tokens(["サーバー", "サーバ"]) == ["サーヴァー", "サーヴァ"]  # a spelling already asked is not added
    assert variant_tokens(["人口"], "人口は？") == []
    assert variant_tokens(["サーバー"], "ｻｰﾊﾞｰ") == ["サーヴァー", "サーバ", "サーヴァ"]  # the text is NFKC first
