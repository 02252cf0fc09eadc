"""Bad input to ingestion: each kind of bad file sits beside good ones in a folder that is indexed
with `IndexBuilder.build` (a hash embedder, so no model). Every bad file is either indexed
correctly or skipped with a clear reason in the report; none stops the build or loses a good file.
"""

from __future__ import annotations

import builtins
import codecs
import errno
import io
import os
import random
import shutil
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from index.builder import BuildReport, IndexBuilder
from index.pipeline import ChunkingConfig
from index.snapshot import load_snapshot
from index.tokenizer import Tokenizer
from tests.conftest import FIXTURE_ARTICLES
from tests.fakes import HashEmbedder
from tests.scans import jpeg, png
from tests.test_loaders import PDF_LINES, blank_pdf, make_pdf

GOOD = sorted(p.name for p in FIXTURE_ARTICLES.iterdir())  # auto_exports.txt, culture.md, finance.txt
ARTICLE = "区图书馆通知\n\n区图书馆暑期开放时间调整为每天上午九点至晚上八点，周一闭馆。\n"
CHUNK_SIZE = 350


@dataclass(frozen=True)
class Indexed:
    source: str
    needles: tuple[str, ...]  # texts the indexed chunks of `source` must contain


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str  # the start of the reason in the report


Maker = Callable[[Path, pytest.MonkeyPatch], None]


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return Tokenizer()  # jieba loads its dictionary once for the whole module


def build(folder: Path, index_dir: Path, tokenizer: Tokenizer) -> BuildReport:
    return IndexBuilder(index_dir, HashEmbedder(), ChunkingConfig(chunk_size=CHUNK_SIZE), tokenizer=tokenizer).build(folder)


# --- the bad files -----------------------------------------------------------------------------------


def write(name: str, data: bytes | str) -> Maker:
    def make(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return make


def pdf_bytes(lines: list[str], user_password: str | None = None, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(lines))))
    if user_password is not None:
        # RC4: pypdf does it without the optional `cryptography` package (AES needs it)
        writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_of_junk() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"\x00\xffnot xml at all")
        z.writestr("word/document.xml", random.Random(1).randbytes(2000))
    return out.getvalue()


def docx_without_text() -> bytes:
    document = docx.Document()
    for _ in range(5):
        document.add_paragraph("   ")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SCRIPTS_ONLY = """<!doctype html><html><head><style>body { color: red } .x:after { content: "样式里的字" }</style>
<script>var secret = "脚本里的中文不是正文"; document.write(secret);</script></head>
<body><script src="app.js"></script><noscript></noscript><style>p{}</style></body></html>"""

HTML_WITH_PAYLOAD = """<html><head><title>招聘公告</title><script>alert("脚本内容不入库")</script></head>
<body><article><h1>招聘公告</h1><p>信息中心招聘两名数据分析师，报名截止日期为六月三十日。</p>
<p onclick="steal()">联系人：王老师，电话在官网公布。</p><img src=x onerror="alert(1)"></article></body></html>"""


def fifty_megabytes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = ("档案馆年度统计数据，" * 1000 + "\n").encode("utf-8")
    with open(folder / "huge.txt", "wb") as fh:
        for _ in range(50 * 2**20 // len(block) + 1):
            fh.write(block)


def symlink(name: str, target: Callable[[Path], Path]) -> Maker:
    def make(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target(folder), folder / name)

    return make


def outside_file(folder: Path) -> Path:
    secret = folder.parent / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("机密\n\n工资表：张三月薪九万元。\n", encoding="utf-8")
    return secret


def outside_folder(folder: Path) -> Path:
    return outside_file(folder).parent


def read_fails(name: str, error: int) -> Maker:
    """The file exists, but opening it fails as it would for another user (tests run as root)."""

    def make(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        path = folder / name
        path.write_text(ARTICLE, encoding="utf-8")
        previous = io.open  # builtins.open and io.open are one function (Path.read_bytes uses io.open)

        def fake_open(file, *args, **kwargs):
            if not isinstance(file, int) and Path(file) == path:
                raise OSError(error, os.strerror(error), str(file))
            return previous(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(io, "open", fake_open)

    return make


def parser_crash(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A parser bug (not a LoadError) on one file must not stop the run."""
    (folder / "crash.docx").write_bytes(docx_without_text())
    import index.loaders

    def docx_content(raw: bytes, read_image=None):
        raise RecursionError("maximum recursion depth exceeded in the docx parser")

    monkeypatch.setattr(index.loaders, "docx_content", docx_content)  # Word files' one parser (index/word.py)


GB_TEXT = "财经\n\n央行下调存款准备金率\n\n中国人民银行决定下调金融机构存款准备金率0.25个百分点，释放长期资金约5000亿元。\n"
RARE = "姓名：𠮷田、䶮、㵘，均为 GB18030 四字节编码的汉字。"

CASES: list = [
    pytest.param(write("empty.txt", b""), Skipped("empty.txt", "empty: no text"), id="empty file"),
    pytest.param(write("blank.md", " \n\t\r\n\u3000\u00a0\n\n"), Skipped("blank.md", "empty: no text"),
                 id="whitespace only"),
    pytest.param(write("invisible.txt", "\ufeff\u200b\u200d\u2060\u200b"), Skipped("invisible.txt", "empty: no text"),
                 id="zero-width characters only"),
    pytest.param(write("zwsp.txt", "\u200b".join("反爬虫网页\n\n每个字之间都夹着零宽空格，复制下来的正文照样能读。")),
                 Indexed("zwsp.txt", ("复制下来的正文照样能读",)), id="zero-width space between every character"),
    pytest.param(write("garbage.txt", random.Random(7).randbytes(64 * 1024)),
                 Skipped("garbage.txt", "binary or unknown encoding"), id="binary garbage named .txt"),
    pytest.param(write("photo.md", b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(8000)),
                 Skipped("photo.md", "binary or unknown encoding"), id="image named .md"),
    pytest.param(write("truncated.pdf", make_pdf(PDF_LINES)[:300]), Skipped("truncated.pdf", "corrupt or truncated PDF"),
                 id="truncated PDF"),
    pytest.param(write("locked.pdf", pdf_bytes(PDF_LINES, user_password="secret")),
                 Skipped("locked.pdf", "encrypted PDF: needs a password"), id="encrypted PDF (user password)"),
    pytest.param(write("no-print.pdf", pdf_bytes(PDF_LINES, user_password="")),
                 Indexed("no-print.pdf", ("exports grew 5.4%",)), id="encrypted PDF that opens without a password"),
    pytest.param(write("scanned.pdf", blank_pdf()), Skipped("scanned.pdf", "no text layer (scanned PDF?), and OCR found no text"),
                 id="PDF with no text layer"),
    pytest.param(write("cut.png", png(Image.new("RGB", (400, 300), "white"))[:120]),
                 Skipped("cut.png", "corrupt or unreadable image"), id="truncated image"),
    pytest.param(write("blank.jpg", jpeg(Image.new("RGB", (400, 300), "white"))),
                 Skipped("blank.jpg", "no text: OCR found none in the image"), id="image without text"),
    pytest.param(write("junk.docx", docx_of_junk()), Skipped("junk.docx", "corrupt Word file"), id="DOCX that is a ZIP of junk"),
    pytest.param(write("fake.docx", random.Random(9).randbytes(4096)), Skipped("fake.docx", "corrupt Word file"),
                 id="DOCX that is not a ZIP"),
    pytest.param(write("blank.docx", docx_without_text()), Skipped("blank.docx", "empty: no text"), id="DOCX without text"),
    pytest.param(write("app.html", SCRIPTS_ONLY), Skipped("app.html", "empty: no text"), id="HTML with only scripts and styles"),
    pytest.param(write("notice.html", HTML_WITH_PAYLOAD), Indexed("notice.html", ("两名数据分析师",)),
                 id="HTML with scripts beside its text"),
    pytest.param(write("gbk.txt", GB_TEXT.encode("gbk")), Indexed("gbk.txt", ("释放长期资金约5000亿元",)), id="GBK"),
    pytest.param(write("gb18030.txt", (GB_TEXT + "\n" + RARE + "\n").encode("gb18030")),
                 Indexed("gb18030.txt", ("𠮷田", "䶮")), id="GB18030 four-byte characters"),
    pytest.param(write("utf16le.txt", codecs.BOM_UTF16_LE + GB_TEXT.encode("utf-16-le")),
                 Indexed("utf16le.txt", ("存款准备金率",)), id="UTF-16 LE with BOM"),
    pytest.param(write("utf16be.md", codecs.BOM_UTF16_BE + GB_TEXT.encode("utf-16-be")),
                 Indexed("utf16be.md", ("存款准备金率",)), id="UTF-16 BE with BOM"),
    pytest.param(write("utf16-nobom.txt", GB_TEXT.encode("utf-16-le")),
                 Skipped("utf16-nobom.txt", "binary or unknown encoding"), id="UTF-16 without BOM (unsupported)"),
    pytest.param(write("bom.txt", codecs.BOM_UTF8 + GB_TEXT.encode("utf-8")), Indexed("bom.txt", ("存款准备金率",)),
                 id="UTF-8 with BOM"),
    pytest.param(write("mixed.txt", "混合编码\n\n前半部分是UTF-8：市图书馆新增自助借还机十台。\n".encode("utf-8")
                       + "后半部分是GBK：档案馆周六延长开放两小时。\n".encode("gbk")),
                 Indexed("mixed.txt", ("自助借还机十台", "周六延长开放两小时")), id="mixed UTF-8 and GBK in one file"),
    pytest.param(fifty_megabytes, Skipped("huge.txt", "too large (50.0 MB; the limit is 20 MB)"), id="50 MB text file"),
    pytest.param(write("oneline.txt", "长" * 300_000), Indexed("oneline.txt", ("长长长",)),
                 id="very long line without punctuation"),
    pytest.param(write("longline.txt", "标题\n\n" + "".join(f"第{i}条规定已经生效，" for i in range(40_000)) + "完。"),
                 Indexed("longline.txt", ("第39999条规定",)), id="very long line of clauses"),
    pytest.param(write("nul.txt", "工会通知\n\n".encode() + "本周五下午".encode() + b"\x00" + "举行羽毛球比赛。\n".encode()),
                 Indexed("nul.txt", ("本周五下午举行羽毛球比赛",)), id="a stray NUL byte"),
    pytest.param(write("nuls.txt", b"\x00" * 4096 + GB_TEXT.encode("utf-8")), Skipped("nuls.txt", "binary or unknown encoding"),
                 id="a block of NUL bytes"),
    pytest.param(write("ansi.txt", "运维日志\n\n" + "机房巡检一切正常，温度与湿度均在范围内。" * 5 + "服务器\x07在凌晨\x08两点\x1b重启。\n"),
                 Indexed("ansi.txt", ("服务器在凌晨两点重启",)), id="control characters and escape codes"),
    pytest.param(write("年度 报告 2023.txt", ARTICLE), Indexed("年度 报告 2023.txt", ("周一闭馆",)), id="name with spaces"),
    pytest.param(write("资料/图书馆通知.md", ARTICLE), Indexed("资料/图书馆通知.md", ("周一闭馆",)),
                 id="Chinese folder and file names"),
    pytest.param(write("a..b/报告..终稿.txt", ARTICLE), Indexed("a..b/报告..终稿.txt", ("周一闭馆",)), id="names containing .."),
    pytest.param(symlink("leak.txt", outside_file), Skipped("leak.txt", "link to outside the folder: not followed"),
                 id="symlink to a file outside the corpus"),
    pytest.param(symlink("sub/leakdir", outside_folder), Skipped("sub/leakdir", "link to outside the folder: not followed"),
                 id="symlink to a folder outside the corpus"),
    pytest.param(symlink("dangling.txt", lambda folder: folder / "gone.txt"),
                 Skipped("dangling.txt", "broken link: its target does not exist"), id="broken symlink"),
    pytest.param(read_fails("private.txt", errno.EACCES), Skipped("private.txt", "cannot read: Permission denied"),
                 id="unreadable permissions"),
    pytest.param(read_fails("vanished.txt", errno.ENOENT), Skipped("vanished.txt", "cannot read: No such file or directory"),
                 id="file gone between listing and reading"),
    pytest.param(write("tool.exe", b"MZ\x90\x00" * 100), Skipped("tool.exe", "unsupported type .exe"), id="unknown type"),
    pytest.param(parser_crash, Skipped("crash.docx", "unreadable (RecursionError: maximum recursion depth"),
                 id="a parser crashing on one file"),
]


@pytest.mark.parametrize(("make", "expected"), CASES)
def test_bad_file_is_indexed_or_skipped_with_a_reason_and_good_files_stay(tmp_path, monkeypatch, tokenizer, make, expected):
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    make(folder, monkeypatch)

    started = time.perf_counter()
    report = build(folder, tmp_path / "index", tokenizer)
    seconds = time.perf_counter() - started

    snap = load_snapshot(tmp_path / "index")
    texts: dict[str, str] = {}
    for chunk in snap.chunks:
        texts[chunk.source] = texts.get(chunk.source, "") + chunk.text
    assert set(GOOD) <= set(snap.manifest.files) and all(texts.get(name) for name in GOOD)
    assert "491万辆" in texts["auto_exports.txt"]
    reasons = {s.source: s.reason for s in report.skipped}
    if isinstance(expected, Skipped):
        assert expected.source in reasons, reasons
        assert reasons[expected.source].startswith(expected.reason), reasons[expected.source]
        assert "\n" not in reasons[expected.source]
        assert expected.source not in snap.manifest.files
        assert {"source": expected.source, "reason": reasons[expected.source]} in snap.manifest.skipped
    else:
        assert expected.source in snap.manifest.files, reasons
        for needle in expected.needles:
            assert needle in texts[expected.source], (needle, texts[expected.source][:300])
    assert set(snap.manifest.files) | set(reasons) >= set(GOOD)
    assert not any("outside" in source or "secret" in source for source in snap.manifest.files)
    assert all("工资表" not in chunk.text for chunk in snap.chunks)  # nothing from outside the folder
    assert seconds < 120  # a hang guard, not a speed test: no bad file may stall the run


def test_a_fifty_megabyte_file_is_skipped_without_being_read(tmp_path, monkeypatch, tokenizer):
    fifty_megabytes(tmp_path, monkeypatch)
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    shutil.move(tmp_path / "huge.txt", folder / "huge.txt")
    started = time.perf_counter()
    report = build(folder, tmp_path / "index", tokenizer)
    assert time.perf_counter() - started < 5
    assert [s.source for s in report.skipped] == ["huge.txt"] and sorted(report.added) == GOOD


def test_the_file_size_limit_is_a_setting(tmp_path, tokenizer):
    from rag.components import make_builder
    from rag.settings import Settings

    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    (folder / "two-mb.txt").write_text(("会议纪要第一段。" * 100 + "\n\n") * 900, encoding="utf-8")  # ~2.2 MB
    builder = make_builder(Settings(index_dir=tmp_path / "index", max_file_mb=1), HashEmbedder())
    assert builder.max_file_bytes == 2**20
    report = builder.build(folder)
    assert [(s.source, s.reason.split(" (")[0]) for s in report.skipped] == [("two-mb.txt", "too large")]


def test_very_long_lines_still_make_chunks_of_bounded_size(tmp_path, tokenizer):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "oneline.txt").write_text("长" * 300_000, encoding="utf-8")
    build(folder, tmp_path / "index", tokenizer)
    chunks = load_snapshot(tmp_path / "index").chunks
    assert len(chunks) > 300_000 // (2 * CHUNK_SIZE)
    assert max(len(c.text) for c in chunks) <= 2 * CHUNK_SIZE


def test_a_link_inside_the_corpus_is_read_once(tmp_path, tokenizer):
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    os.symlink(folder / "finance.txt", folder / "alias.txt")
    report = build(folder, tmp_path / "index", tokenizer)
    assert sorted(report.added) == GOOD and not report.skipped


@pytest.mark.skipif(os.geteuid() == 0, reason="runs as root: chmod 000 does not stop root reading "
                    "(test_bad_file_...[unreadable permissions] simulates the refusal instead)")
def test_a_file_without_read_permission_is_skipped(tmp_path, tokenizer):
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    (folder / "private.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "private.txt").chmod(0)
    report = build(folder, tmp_path / "index", tokenizer)
    assert [(s.source, s.reason) for s in report.skipped] == [("private.txt", "cannot read: Permission denied")]


def test_every_bad_file_at_once_in_one_build(tmp_path, monkeypatch, tokenizer):
    """All the kinds above in one folder: one build, every good file indexed, each bad one accounted for."""
    folder = tmp_path / "corpus"
    shutil.copytree(FIXTURE_ARTICLES, folder)
    for case in CASES:
        case.values[0](folder, monkeypatch)
    report = build(folder, tmp_path / "index", tokenizer)
    files = load_snapshot(tmp_path / "index").manifest.files
    skipped = {s.source for s in report.skipped}
    for case in CASES:
        expected = case.values[1]
        assert expected.source in (skipped if isinstance(expected, Skipped) else files), case.id
    assert set(GOOD) <= set(files)
    print(f"\nbad-input kinds: {len(CASES)}; indexed {len(files) - len(GOOD)}, skipped {len(skipped)} with reasons")
