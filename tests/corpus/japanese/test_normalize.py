from corpus.japanese.normalize import normalize_text


def test_nfkc_and_ideographic_space() -> None:
    assert normalize_text("ＡＢＣ\u3000１２３　ｶﾀｶﾅ") == "ABC 123 カタカナ"


def test_paragraphs_are_kept_and_blank_runs_collapsed() -> None:
    assert normalize_text("一段落目です。\r\n\r\n\r\n\r\n二段落目です。") == "一段落目です。\n\n二段落目です。"


def test_hard_wrapped_lines_are_joined_without_space_in_japanese() -> None:
    text = (
        "これは固定幅で折り返された長い文章の例であり、途中で改行が入って\n"
        "いますが本当は一つの文です。次の行も同じように長く折り返された\n"
        "文章になっていて、最後にはちゃんと句点で終わります。\n"
    )
    out = normalize_text(text)
    assert "入っています" in out
    assert "折り返された文章" in out
    assert out.count("\n") == 0


def test_short_lines_lists_and_tables_are_not_joined() -> None:
    text = (
        "開館時間のお知らせです。平日と土曜日で時間が違いますので注意してください\n"
        "- 平日: 午後4時から\n- 土曜日: 午前10時から\n| 区分 | 料金 |\n|---|---|\n| 会員 | 無料 |\n短い行\n別の行"
    )
    lines = normalize_text(text).split("\n")
    assert "- 平日: 午後4時から" in lines
    assert "| 会員 | 無料 |" in lines
    assert "短い行" in lines and "別の行" in lines


def test_latin_words_get_a_space_when_joined() -> None:
    text = (
        "The workshop opens at four in the afternoon on weekdays and the\n"
        "reservation page closes at nine in the evening the day before use.\n"
        "Bring your own materials when you come to the wood workshop sessions.\n"
    )
    assert "and the reservation" in normalize_text(text)
