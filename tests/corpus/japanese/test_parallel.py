"""Tokenising a large batch in worker processes gives exactly the in-process tokens, in order; a worker that dies
costs only speed, and one that cannot start switches the workers off instead of being retried for every batch."""

import sys

import pytest

from corpus.japanese import parallel
from corpus.japanese.tokenizer import get_tokenizer

TEXTS = [
    f"第{i}回の講座では、レーザーカッターで{i}ミリのアクリル板を切ります。保護めがねを必ずかけてください。ｶﾀｶﾅ ABC-{i}"
    for i in range(400)
]


@pytest.fixture
def pool(monkeypatch):
    fresh = parallel._Pool()
    monkeypatch.setattr(parallel, "_pool", fresh)
    yield fresh
    fresh.close()


def expected(name: str, texts: list[str]) -> list[str]:
    tokenizer = get_tokenizer(name)
    return [tokenizer.tokens_string(t) for t in texts]


def test_slices_are_contiguous_and_balanced_by_characters() -> None:
    texts = ["あ" * 10, "い" * 10, "う" * 10, "え" * 30]
    parts = parallel._slices(texts, 2)
    assert [t for part in parts for t in part] == texts
    assert parts == [texts[:3], texts[3:]]
    assert parallel._slices(["x"], 3) == [["x"], [], []]


def test_a_large_batch_gives_the_in_process_tokens_in_order(pool) -> None:
    assert sum(map(len, TEXTS)) >= parallel.MIN_PARALLEL_CHARS
    assert parallel.tokens_strings("sudachi+bigram", TEXTS, workers=1) == expected("sudachi+bigram", TEXTS)
    assert len(pool._idle) == 1 and pool._idle[0].answered  # the batch really went through a worker
    # the same worker serves the next batch, with another tokenizer
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == expected("sudachi", TEXTS)
    assert pool._started == 1


def test_text_the_tokenizer_refuses_raises_the_same_error_and_keeps_the_worker(pool) -> None:
    texts = [*TEXTS, "壊れた文字\udc80を含む文"]  # a lone surrogate: Sudachi refuses it in any process
    with pytest.raises(UnicodeEncodeError):
        get_tokenizer("sudachi").tokens_string(texts[-1])
    with pytest.raises(UnicodeEncodeError):
        parallel.tokens_strings("sudachi", texts, workers=1)
    assert not pool.disabled and pool._idle and pool._idle[0].alive()
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == expected("sudachi", TEXTS)


def test_a_small_batch_stays_in_process(pool) -> None:
    assert parallel.tokens_strings("sudachi", TEXTS[:3], workers=1) == expected("sudachi", TEXTS[:3])
    assert pool._started == 0


def test_a_dead_worker_costs_only_that_batch_its_speed(pool) -> None:
    want = expected("sudachi", TEXTS)
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == want
    first = pool._idle[0]
    first.process.kill()
    first.process.wait()
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == want  # found dead: a new worker does it
    assert pool._idle and pool._idle[0] is not first and not pool.disabled
    # one that dies while working: its slice is done here, and the next batch gets a fresh worker
    worker = pool._idle[0]
    worker.send = lambda name, part: worker.process.kill()
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == want
    assert not pool.disabled and worker not in pool._idle
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == want
    assert pool._idle and pool._idle[0] is not worker


def test_a_worker_that_cannot_start_switches_the_workers_off(pool, monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    assert parallel.tokens_strings("sudachi", TEXTS, workers=1) == expected("sudachi", TEXTS)
    assert pool.disabled
    assert pool.take(1, 1) == []  # no second try for every later batch


def test_setting_zero_keeps_it_in_process(monkeypatch) -> None:
    from tokka.settings import load_settings

    monkeypatch.setenv("TOKKA_TOKENIZE_WORKERS", "0")
    assert load_settings().tokenize_workers == 0
    monkeypatch.setenv("TOKKA_TOKENIZE_WORKERS", "3")
    assert load_settings().tokenize_workers == 3
