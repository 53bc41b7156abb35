import threading

import pytest

from corpus.japanese.tokenizer import get_tokenizer


def test_sudachi_content_words_normalised() -> None:
    tokens = get_tokenizer("sudachi").tokenize("東京都の人口は約1400万人です。")
    assert tokens == ["東京都", "人口", "約", "14000000", "人"]


def test_spelling_variants_meet() -> None:
    tok = get_tokenizer("sudachi")
    assert tok.tokenize("ｶﾀｶﾅ") == tok.tokenize("カタカナ")
    assert tok.tokenize("ＡＢＣ") == tok.tokenize("abc")
    assert tok.tokenize("読込む") == tok.tokenize("読み込む")


def test_particles_symbols_and_whitespace_are_dropped() -> None:
    tokens = get_tokenizer("sudachi").tokenize("工房で、はんだごてを　使いました！")
    assert "で" not in tokens and "を" not in tokens and "、" not in tokens and " " not in tokens
    assert "使う" in tokens


def test_not_whitespace_tokenisation() -> None:
    assert len(get_tokenizer("sudachi").tokenize("保護めがねを必ずかけてください")) > 1


def test_tokens_string_has_no_inner_spaces() -> None:
    text = "Raspberry Pi と Arduino を使う講座"
    tokens = get_tokenizer("sudachi").tokens_string(text).split(" ")
    assert all(tokens)


def test_long_input_is_fed_in_pieces() -> None:
    text = "工房の案内です。" * 20000  # far over Sudachi's per-call input limit
    assert len(get_tokenizer("sudachi").tokenize(text)) >= 20000


def test_char_bigrams() -> None:
    assert get_tokenizer("char-bigram").tokenize("京都 AI") == ["京", "都", "京都", "ai"]


def test_thread_safety() -> None:
    tok = get_tokenizer("sudachi")
    expected = tok.tokenize("レーザーカッターの予約は前日までです。")
    errors: list[object] = []

    def work() -> None:
        for _ in range(50):
            if tok.tokenize("レーザーカッターの予約は前日までです。") != expected:
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []


def test_unknown_tokenizer() -> None:
    with pytest.raises(ValueError, match="sudachi"):
        get_tokenizer("mecab")


def test_sudachi_with_bigrams_marks_its_bigrams_and_finds_what_the_dictionary_splits() -> None:
    from corpus.japanese.tokenizer import BIGRAM_MARK, words_only
    from corpus.stores.bm25 import BM25Index

    tok = get_tokenizer("sudachi+bigram")
    tokens = tok.tokenize("電子レンジの予約")
    words = words_only(tokens)
    assert words == get_tokenizer("sudachi").tokenize("電子レンジの予約") == ["電子レンジ", "予約"]
    bigrams = [t for t in tokens if t.startswith(BIGRAM_MARK)]
    assert f"{BIGRAM_MARK}レン" in bigrams and f"{BIGRAM_MARK}予約" in bigrams
    assert "レン" not in tokens  # the marked bigram never equals a word
    # Sudachi keeps 電子レンジ whole, so a question about レンジ alone misses it on words; bigrams find it.
    docs = ["電子レンジの予約は前日まで。", "旋盤の使い方。"]
    assert BM25Index.build([get_tokenizer("sudachi").tokens_string(d) for d in docs]).search(["レンジ"], 1)[0].size == 0
    both = BM25Index.build([tok.tokens_string(d) for d in docs])
    assert both.search(tok.tokenize("レンジ"), 1)[0].tolist() == [0]
    assert tok.morphemes("レンジの予約") == get_tokenizer("sudachi").morphemes("レンジの予約")


def test_sudachi_with_bigrams_is_the_words_plus_the_marked_longer_character_tokens() -> None:
    """The direct bigram builder gives what the definition says: Sudachi's words, then every character token of
    `char-bigram` longer than one character (or ASCII), marked."""
    from corpus.japanese.tokenizer import BIGRAM_MARK

    for text in ["ＡＢＣ ｱｲｳ α αβ 東 京 x_y 3.14 Ω é", "保護めがねを受付で借りる", "ヴァイオリン　ｶﾀｶﾅ。第3回"]:
        characters = [t for t in get_tokenizer("char-bigram").tokenize(text) if len(t) > 1 or t.isascii()]
        expected = [*get_tokenizer("sudachi").tokenize(text), *(BIGRAM_MARK + t for t in characters)]
        assert get_tokenizer("sudachi+bigram").tokenize(text) == expected
        assert get_tokenizer("sudachi+bigram").tokens_string(text) == " ".join(expected)
