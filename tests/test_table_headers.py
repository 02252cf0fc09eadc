"""A table's header row travels with its rows: each passage holding rows can be read alone, and
Word and web-page tables take the text tables' path (one row a line, cells tab-separated)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from index.builder import IndexBuilder
from index.loaders import load_file
from index.pipeline import ChunkingConfig, chunk_document
from index.snapshot import load_snapshot
from index.tables import header_above, pipe_rows_to_cells
from rag.retrieval import Retriever

HEADER = "年份\t上证综指\t深证综指\t沪深300\t创业板指\t上证50\t科创50"
ROWS = [
    "2023年\t-3.7\t-6.97\t-11.38\t-19.41\t-11.73\t-11.24",
    "2022年\t-15.13\t-21.92\t-21.63\t-29.37\t-19.52\t-31.35",
    "2021年\t4.8\t8.62\t-5.2\t12.02\t-10.06\t0.37",
    "2020年\t13.87\t35.2\t27.21\t64.96\t18.85\t39.3",
    "2019年\t22.3\t35.89\t36.07\t43.79\t33.58\t--",
    "2018年\t-24.59\t-33.25\t-25.31\t-28.65\t-19.83\t--",
    "2017年\t6.56\t-3.54\t21.78\t-10.67\t25.08\t--",
    "2016年\t-12.31\t-14.72\t-11.28\t-27.71\t-5.53\t--",
]
INDEX_TABLE = (
    "A股十年主要股指涨跌幅\n\n"
    "回顾过去十年，A股主要指数走势分化明显，成长风格与价值风格轮番占优，下表列出各年涨跌幅。\n\n"
    "单位：%\n\n" + "\n".join([HEADER, *ROWS]) + "\n\n"
    "数据来源：交易所公开信息。指数涨跌不代表个股表现，投资者应理性看待短期波动。\n"
)


def test_a_passage_beginning_below_the_header_row_carries_it(tmp_path):
    path = tmp_path / "指数.txt"
    path.write_text(INDEX_TABLE, encoding="utf-8")
    _, chunks = chunk_document(load_file(path), ChunkingConfig(chunk_size=120, overlap=0))
    with_rows = [c for c in chunks if any(row in c.text for row in ROWS)]
    assert len(with_rows) >= 3  # the table is cut over several passages
    assert all(c.text.count(HEADER) == 1 for c in with_rows)  # each with the header once
    kc50 = next(c for c in with_rows if ROWS[1] in c.text)
    assert kc50.text.startswith(HEADER + "\n\n")
    # a passage beginning above the table holds the header where it stands, and gets no second one
    assert chunks[0].text.startswith("A股十年主要股指涨跌幅") and chunks[0].text.count(HEADER) <= 1


def test_only_a_row_below_its_header_gets_one():
    text = "说明文字。\n\n表头\t列一\t列二\n甲\t1\t2\n乙\t3\t4\n\n表后文字。"
    assert header_above(text, text.index("乙")) == "表头\t列一\t列二"
    assert header_above(text, text.index("甲")) == "表头\t列一\t列二"
    assert header_above(text, text.index("表头")) == ""  # the header itself
    assert header_above(text, text.index("说明")) == "" and header_above(text, text.index("表后")) == ""


@pytest.mark.model
def test_the_row_for_kc50_is_retrieved_with_its_column_names(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "指数.txt").write_text(INDEX_TABLE, encoding="utf-8")
    (corpus / "图书馆.txt").write_text("区图书馆通知\n\n区图书馆暑期每天上午九点开放，周一闭馆。\n", encoding="utf-8")
    IndexBuilder(tmp_path / "index", embedder, ChunkingConfig(chunk_size=120, overlap=0)).build(corpus)
    hits = Retriever(load_snapshot(tmp_path / "index"), embedder).search("2022年科创50指数的涨跌幅是多少？", top_k=3)
    best = next(h.chunk.text for h in hits if ROWS[1] in h.chunk.text)
    # the row, and the column names that say its seventh figure is 科创50's
    assert HEADER in best and best.index(HEADER) < best.index(ROWS[1])


def test_word_tables_are_tab_separated_rows_whose_header_travels(tmp_path):
    document = docx.Document()
    document.add_heading("主要股指涨跌幅", level=1)
    document.add_paragraph("下表列出近年主要股指的涨跌幅，单位为百分比，数据来自交易所公开信息。")
    table = document.add_table(rows=len(ROWS) + 1, cols=7)
    for r, line in enumerate([HEADER, *ROWS]):
        for c, cell in enumerate(line.split("\t")):
            table.cell(r, c).text = cell
    path = tmp_path / "指数.docx"
    document.save(path)
    doc = load_file(path)
    assert HEADER in doc.text.split("\n\n") and ROWS[1] in doc.text.split("\n\n")
    _, chunks = chunk_document(doc, ChunkingConfig(chunk_size=120, overlap=0))
    assert HEADER in next(c for c in chunks if ROWS[5] in c.text).text


def test_web_page_tables_are_tab_separated_rows(tmp_path):
    cells = "".join(f"<tr>{''.join(f'<td>{v}</td>' for v in row.split(chr(9)))}</tr>" for row in ROWS[:2])
    head = "".join(f"<th>{v}</th>" for v in HEADER.split("\t"))
    page = (f"<html><head><title>指数</title></head><body><article><h1>主要股指涨跌幅</h1>"
            f"<p>下表列出近年主要股指的涨跌幅，单位为百分比，数据来自交易所公开信息，仅供参考。</p>"
            f"<table><tr>{head}</tr>{cells}</table><p>以上数据仅供参考，不构成投资建议，投资需谨慎。</p></article></body></html>")
    path = tmp_path / "指数.html"
    path.write_text(page, encoding="utf-8")
    paragraphs = load_file(path).text.split("\n\n")
    assert [p for p in paragraphs if "\t" in p] == [HEADER, *ROWS[:2]]
    assert not any("|" in p for p in paragraphs)


def test_markdown_pipe_rows_become_cells_and_the_rule_under_the_header_goes():
    text = "前文\n| 年份 | 科创50 | 创业板指 | \n|---|:---:|---|\n| 2022年 | -31.35 | -29.37 |\n后文"
    assert pipe_rows_to_cells(text) == "前文\n年份\t科创50\t创业板指\n2022年\t-31.35\t-29.37\n后文"
