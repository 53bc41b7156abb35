import pytest

from corpus.japanese.chunker import chunk_text

DOC = """# 利用案内

モノづくり塾の工房は平日の午後4時から9時まで開いています。土曜日は午前10時から午後5時までです。日曜日と祝日はお休みです。

## 料金

会員は無料です。ビジターは1回500円です! 材料費は別にかかります。

| 機材 | 予約 | 料金 |
|---|---|---|
| 3Dプリンター | 必要 | 1時間100円 |
| レーザーカッター | 必要 | 1時間300円 |
| はんだごて | 不要 | 無料 |

## 安全

作業のときは保護めがねをかけてください。"""


def test_sentences_are_never_cut_and_chunks_respect_the_size() -> None:
    chunks = chunk_text(DOC, chunk_size=80, overlap=30)
    sentences = [
        "土曜日は午前10時から午後5時までです。",
        "ビジターは1回500円です!",
        "作業のときは保護めがねをかけてください。",
    ]
    for sentence in sentences:
        assert any(sentence in c.content for c in chunks)
    for chunk in chunks:
        body = chunk.content
        if not body.startswith("|"):  # table chunks may exceed by the repeated header
            assert len(body) <= 80 + 10


def test_headings_stay_with_their_text_and_give_the_section_path() -> None:
    chunks = chunk_text(DOC, chunk_size=80, overlap=30)
    for chunk in chunks:
        assert not chunk.content.rstrip().split("\n")[-1].startswith("#"), chunk.content
    safety = next(c for c in chunks if "保護めがね" in c.content)
    assert safety.content.startswith("## 安全")
    assert safety.heading == "利用案内 > 安全"
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_table_rows_are_whole_and_continuations_repeat_the_header() -> None:
    chunks = chunk_text(DOC, chunk_size=80, overlap=30)
    table_chunks = [c for c in chunks if "| 必要 |" in c.content or "| 不要 |" in c.content]
    assert len(table_chunks) >= 2
    for chunk in table_chunks:
        assert chunk.content.startswith("| 機材 | 予約 | 料金 |\n|---|---|---|")
        for line in chunk.content.split("\n"):
            assert line.startswith("|") and line.endswith("|")
    rows = [line for c in table_chunks for line in c.content.split("\n")[2:]]
    assert sorted(set(rows)) == sorted(
        [
            "| 3Dプリンター | 必要 | 1時間100円 |",
            "| レーザーカッター | 必要 | 1時間300円 |",
            "| はんだごて | 不要 | 無料 |",
        ]
    )


def test_overlap_repeats_whole_sentences() -> None:
    text = "".join(f"これは{i}番目の文で、長さをそろえるための文章です。" for i in range(12))
    chunks = chunk_text(text, chunk_size=100, overlap=40)
    assert len(chunks) > 2
    for previous, current in zip(chunks, chunks[1:], strict=False):
        first_sentence = current.content.split("。")[0] + "。"
        assert first_sentence in previous.content  # the new chunk starts with the previous one's last sentence


def test_no_overlap_partitions_the_text() -> None:
    text = "".join(f"文{i}です。" for i in range(50))
    chunks = chunk_text(text, chunk_size=30, overlap=0)
    assert "".join(c.content for c in chunks) == text


def test_a_sentence_longer_than_the_limit_is_split() -> None:
    long_sentence = "あ" * 250 + "。"
    chunks = chunk_text(long_sentence, chunk_size=100, overlap=0)
    assert [len(c.content) for c in chunks] == [100, 100, 51]


def test_closing_brackets_stay_with_their_sentence() -> None:
    chunks = chunk_text("彼は「行きます。」と言った。次の文です。", chunk_size=12, overlap=0)
    assert chunks[0].content == "彼は「行きます。」"


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (10, 10), (10, -1)])
def test_bad_parameters(size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="chunk_size|overlap"):
        chunk_text("本文。", chunk_size=size, overlap=overlap)


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("") == []
