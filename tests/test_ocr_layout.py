"""Reading order and paragraphs from OCR line boxes (no OCR engine: the boxes are written here)."""

from __future__ import annotations

from index.ocr import OcrLine
from index.ocr_layout import page_text

H = 30  # line height in pixels
STEP = 45  # from one line's top to the next


def line(text: str, left: float, row: int, width: float | None = None, score: float = 0.99, top: float = 0) -> OcrLine:
    y = top + row * STEP
    return OcrLine(text, score, left, y, left + (width if width is not None else H * len(text)), y + H)


def test_wrapped_lines_join_and_an_indent_or_a_short_line_starts_a_paragraph():
    lines = [
        line("区图书馆通知", 60, 0),
        line("本馆暑期开放时间调整为每天上午九点至晚", 120, 1, width=540),  # indented: a new paragraph
        line("上八点，周一闭馆。读者可凭身份证办理借阅", 60, 2, width=600),  # justified: all end at 660
        line("证。", 60, 3),  # short: the paragraph ends here
        line("每人每次可借图书五册，借期三十天，可续借", 120, 4, width=540),
        line("一次。", 60, 5),
    ]
    assert page_text(lines, width=700).split("\n") == [
        "区图书馆通知",
        "本馆暑期开放时间调整为每天上午九点至晚上八点，周一闭馆。读者可凭身份证办理借阅证。",
        "每人每次可借图书五册，借期三十天，可续借一次。",
    ]


def test_a_wider_gap_starts_a_paragraph_even_without_an_indent():
    lines = [line("第一段的第一行文字写到了这一行的最末尾处", 60, 0), line("第一段结束。", 60, 1)]
    lines += [line("第二段没有缩进但与上一段之间空了一行距离", 60, 3), line("第二段结束。", 60, 4)]
    assert page_text(lines, width=700).split("\n") == [
        "第一段的第一行文字写到了这一行的最末尾处第一段结束。",
        "第二段没有缩进但与上一段之间空了一行距离第二段结束。",
    ]


def test_two_columns_are_read_one_after_the_other_with_the_title_first():
    title = line("两栏排版的标题横跨整个页面宽度", 60, 0, width=900)
    left = [line(t, 60, r, width=400) for r, t in enumerate(["左栏第一行文字内容很长", "左栏第二行文字内容很长", "左栏第三行，左栏结束。"], 1)]
    right = [line(t, 540, r, width=400) for r, t in enumerate(["右栏第一行文字内容很长", "右栏第二行文字内容很长", "右栏第三行，右栏结束。"], 1)]
    # the recogniser returns lines row by row across the page
    across = [title] + [x for pair in zip(left, right) for x in pair]
    assert page_text(across, width=1000).split("\n") == [
        "两栏排版的标题横跨整个页面宽度",
        "左栏第一行文字内容很长左栏第二行文字内容很长左栏第三行，左栏结束。",
        "右栏第一行文字内容很长右栏第二行文字内容很长右栏第三行，右栏结束。",
    ]


def test_cells_side_by_side_are_a_table_row_not_two_columns():
    rows = [("指数", "2022年", "涨跌幅"), ("科创50", "2022", "−31.35%"), ("创业板指", "2022", "−29.37%"), ("上证指数", "2022", "−15.13%")]
    lines = [line(cell, 60 + 300 * c, r, width=H * 3) for r, row in enumerate(rows) for c, cell in enumerate(row)]
    assert page_text(lines, width=1000).split("\n") == ["\t".join(row) for row in rows]


def test_lines_the_recogniser_is_unsure_of_are_dropped():
    lines = [line("清楚的一行文字。", 60, 0), line("淇楚旳一彳亍文宇", 60, 1, score=0.42), line("又一行清楚的文字。", 60, 2)]
    text = page_text(lines, width=700)
    assert "淇楚" not in text
    assert "清楚的一行文字。" in text and "又一行清楚的文字。" in text


def test_latin_words_keep_their_space_when_a_line_wraps():
    lines = [line("The export volume reached 4.91 million", 60, 0, width=640), line("vehicles in 2023.", 60, 1, width=280)]
    assert page_text(lines, width=700) == "The export volume reached 4.91 million vehicles in 2023."


def test_no_lines_no_text():
    assert page_text([], width=700) == ""
