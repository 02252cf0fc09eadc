"""load_file / load_paths on real files of every kind, made in tmp_path."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from index.errors import LoadError, ZhikuError
from index.loaders import load_file, load_paths

ARTICLE = "中国汽车出口491万辆，同比增长5.4%。全国交通固定资产投资完成3.9万亿元。"


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica, so ASCII text)."""

    def escape(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({escape(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def make_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("季度报告", level=1)
    document.add_paragraph(ARTICLE)
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "指标", "数值", "同比"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "汽车出口", "491万辆", "57.9%"
    document.add_paragraph("表格之后的段落，说明数据来源")
    document.add_paragraph("最后一段。")
    document.save(path)


def blank_pdf(encrypt: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if encrypt:
        writer.encrypt(encrypt, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# a sentence wrapped over three lines, then the page number
PDF_LINES = ["Zhiku loader test: exports grew 5.4% to 4.9 million", "vehicles in 2023, a record for the", "industry.", "7"]


def test_pdf_text_layer_is_read_and_cleaned(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(make_pdf(PDF_LINES))
    doc = load_file(path)
    assert doc.kind == "pdf"
    assert doc.text == (
        "Zhiku loader test: exports grew 5.4% to 4.9 million vehicles in 2023, a record for the industry."
    )


def test_docx_paragraphs_tables_and_headings_are_read_in_order(tmp_path):
    path = tmp_path / "report.docx"
    make_docx(path)
    doc = load_file(path)
    assert doc.kind == "docx"
    assert doc.text.split("\n\n") == [
        # table rows as text tables have them: one a line, cells tab-separated
        "# 季度报告", ARTICLE, "指标\t数值\t同比", "汽车出口\t491万辆\t57.9%", "表格之后的段落，说明数据来源", "最后一段。",
    ]


def test_html_main_text_is_extracted_without_navigation(tmp_path):
    paragraphs = "".join(f"<p>{ARTICLE}第{n}段：业内人士认为这一趋势还将持续，出口结构也在优化。</p>" for n in range(1, 5))
    page = f"""<html><head><meta charset="utf-8"><title>汽车出口</title></head><body>
    <nav><a href="/">首页</a> | <a href="/news">新闻中心</a></nav>
    <article><h1>中国汽车出口创新高</h1>{paragraphs}</article>
    <footer>版权所有 © 某某机构</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = load_file(path)
    assert doc.kind == "html"
    assert doc.text.split("\n\n")[:2] == ["# 中国汽车出口创新高", f"{ARTICLE}第1段：业内人士认为这一趋势还将持续，出口结构也在优化。"]
    assert "新闻中心" not in doc.text and "版权所有" not in doc.text


def test_html_falls_back_to_plain_text_when_trafilatura_finds_nothing(tmp_path, monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    path = tmp_path / "page.htm"
    page = f"<html><head><title>标题</title><script>var x = 1;</script></head><body><p>{ARTICLE}</p></body></html>"
    path.write_text(page, encoding="utf-8")
    assert load_file(path).text == f"# 标题\n\n{ARTICLE}"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_files_in_common_chinese_encodings_are_decoded(tmp_path, encoding):
    path = tmp_path / f"article-{encoding}.txt"
    path.write_bytes(f"经济观察\n\n{ARTICLE}\n".encode(encoding))
    doc = load_file(path)
    assert doc.text == f"经济观察\n\n{ARTICLE}"


def test_gb18030_only_characters_are_decoded(tmp_path):
    text = "吉祥物𠮷与欧元符号€同时出现。" + ARTICLE
    path = tmp_path / "rare.txt"
    path.write_bytes(text.encode("gb18030"))
    assert load_file(path).text == text


def test_markdown_keeps_its_blocks(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# 会议纪要\n\n- 第一项，讨论内容比较长的一项\n- 第二项\n\n结论已经形成。\n", encoding="utf-8")
    assert load_file(path).text.split("\n\n") == ["# 会议纪要", "- 第一项，讨论内容比较长的一项", "- 第二项", "结论已经形成。"]


def test_sha256_is_the_hash_of_the_raw_bytes(tmp_path):
    raw = ARTICLE.encode("gbk")
    path = tmp_path / "a.txt"
    path.write_bytes(raw)
    assert load_file(path).sha256 == hashlib.sha256(raw).hexdigest()


def test_source_is_the_posix_path_under_root_or_the_file_name(tmp_path):
    path = tmp_path / "2024" / "march" / "a.txt"
    path.parent.mkdir(parents=True)
    path.write_text(ARTICLE, encoding="utf-8")
    assert load_file(path, root=tmp_path).source == "2024/march/a.txt"
    assert load_file(path).source == "a.txt"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.xyz", b"some text", "unsupported type .xyz"),
        ("empty.txt", b"", "empty: no text"),
        ("blank.md", " \n\t\n".encode() + "\u3000".encode(), "empty: no text"),
        ("binary.txt", bytes(range(256)) * 8, "binary or unknown encoding"),
        ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "corrupt or truncated PDF"),
        ("truncated.pdf", make_pdf(PDF_LINES)[:300], "corrupt or truncated PDF"),
        ("scanned.pdf", blank_pdf(), "no text layer (scanned PDF?)"),
        ("locked.pdf", blank_pdf(encrypt="secret"), "encrypted PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "corrupt Word file"),
    ],
)
def test_unreadable_files_raise_load_error_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as error:
        load_file(path)
    assert str(error.value).startswith(reason)
    assert "\n" not in str(error.value)
    assert isinstance(error.value, ZhikuError)


def test_a_folder_loads_what_it_can_and_skips_the_rest_with_reasons(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_bytes(ARTICLE.encode("gbk"))
    (folder / "a.pdf").write_bytes(make_pdf(PDF_LINES))
    (folder / "sub" / "c.docx").write_bytes(b"")
    make_docx(folder / "sub" / "d.docx")
    (folder / "sub" / "e.html").write_text(f"<html><body><p>{ARTICLE}</p></body></html>", encoding="utf-8")
    (folder / "z.pdf").write_bytes(b"%PDF-1.7 broken")
    (folder / "y.csv").write_text("a,b\n1,2\n")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / ".upload-1.part").write_bytes(b"half")

    report = load_paths([folder])

    assert [d.source for d in report.documents] == ["a.pdf", "b.txt", "sub/d.docx", "sub/e.html"]
    assert [d.kind for d in report.documents] == ["pdf", "txt", "docx", "html"]
    assert {s.source: s.reason for s in report.skipped} == {
        "sub/c.docx": "empty: no text",
        "y.csv": "unsupported type .csv",
        "z.pdf": "corrupt or truncated PDF (PdfStreamError)",
    }


def test_files_and_folders_can_be_mixed_and_each_file_is_read_once(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.md").write_text("# 笔记\n\n" + ARTICLE, encoding="utf-8")
    report = load_paths([tmp_path / "b.md", tmp_path, tmp_path / "missing.txt"])
    assert [d.source for d in report.documents] == ["b.md", "a.txt"]
    assert [(s.source, s.reason) for s in report.skipped] == [("missing.txt", "not found")]


def test_sources_are_relative_to_the_given_root(tmp_path):
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    report = load_paths([tmp_path / "uploads" / "a.txt"], root=tmp_path)
    assert [d.source for d in report.documents] == ["uploads/a.txt"]
