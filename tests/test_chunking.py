"""Chinese-aware chunking on hand-made text and over the whole demo corpus."""

from __future__ import annotations

import re

from index.chunking import chunk_article, split_sentences
from index.records import Article

PUNCT = re.compile(r"^[，。、；：！？,.;:!?”’」』）)\]》…]")


def _article(text: str, start: int = 0) -> Article:
    return Article(source="a.txt", title="标题", text=text, start=start, end=start + len(text))


def test_sentences_end_at_chinese_marks_and_keep_closing_quotes():
    text = "他说：“行情不错。”随后离开！数据是5.4%；Hello world. 3.9 万亿元"
    pieces = [text[s.start : s.end] for s in split_sentences(text)]
    assert pieces == ["他说：“行情不错。”", "随后离开！", "数据是5.4%；", "Hello world.", "3.9 万亿元"]


def test_chunks_respect_size_overlap_and_offsets():
    text = "".join(f"第{i}句话讲的是一件不同的事情。" for i in range(40))
    article = _article(text, start=100)
    chunks = chunk_article(article, chunk_size=60, overlap=1)
    assert len(chunks) > 5
    assert all(len(c.text) <= 60 for c in chunks)
    for a, b in zip(chunks, chunks[1:]):
        assert b.start < a.end  # one sentence shared with the chunk before
    for c in chunks:
        assert text[c.start - 100 : c.end - 100] == c.text


def test_long_sentence_is_cut_at_commas_never_inside_a_number():
    text = "，".join(["中国汽车出口491万辆同比增长57.9%"] * 30) + "。"
    chunks = chunk_article(_article(text), chunk_size=80, overlap=0)
    assert len(chunks) > 3
    for c in chunks:
        assert not PUNCT.match(c.text)
        assert "491万辆" in c.text or "57.9%" in c.text
        assert not re.search(r"^\d|\d$", c.text.strip("，。")) or c.text.rstrip("，。").endswith("%")


def test_ids_are_stable_and_distinct():
    article = _article("第一句。第二句。第三句。" * 30)
    first = [c.id for c in chunk_article(article, chunk_size=50)]
    assert first == [c.id for c in chunk_article(article, chunk_size=50)]
    assert len(set(first)) == len(first)


def test_no_chunk_over_the_demo_corpus_starts_with_punctuation_or_is_blank(demo_chunks):
    assert len(demo_chunks) > 500
    bad = [c.text[:20] for c in demo_chunks if PUNCT.match(c.text) or not c.text.strip()]
    assert bad == []


def test_demo_chunks_keep_titles_and_sources(demo_chunks):
    assert all(c.title.strip() and c.source.endswith(".txt") for c in demo_chunks)
