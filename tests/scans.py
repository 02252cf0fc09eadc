"""Scans made at test time: Chinese text drawn with a CJK font into an image, and image-only PDFs.

    image = render_text(["第一段……", "第二段……"])      # a PIL image, paragraphs indented
    raw = image_pdf([image])                           # a PDF without a text layer
"""

from __future__ import annotations

import functools
import io
import subprocess

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT_SIZE = 28
LINE = 46  # pixels from one line to the next
MARGIN = 60


@functools.cache
def cjk_font_path() -> str:
    """Debian's WenQuanYi Micro Hei (installed with chromium by `make chromium`)."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    paths = sorted(line.split(":")[0].strip() for line in listed.splitlines() if line.strip())
    if not paths:
        pytest.fail("no CJK font to draw test scans with: apt-get install fonts-wqy-microhei (make chromium does)")
    return next((p for p in paths if "wqy" in p), paths[0])


def font(size: int = FONT_SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(cjk_font_path(), size)


def wrap(draw: ImageDraw.ImageDraw, text: str, width: float, indent: float, face) -> list[str]:
    """The paragraph cut into lines that fit `width` pixels, the first one indented."""
    lines, line, room = [], "", width - indent
    for ch in text:
        if line and draw.textlength(line + ch, font=face) > room:
            lines.append(line)
            line, room = "", width
        line += ch
    return [*lines, line] if line else lines


def draw_column(draw: ImageDraw.ImageDraw, paragraphs: list[str], left: float, width: float, top: float,
                face, heading: bool = True) -> float:
    """Paragraphs set in a column (the first a heading when `heading`); returns the y below them."""
    y = top
    for i, paragraph in enumerate(paragraphs):
        indent = 0 if heading and i == 0 else 2 * FONT_SIZE
        for j, line in enumerate(wrap(draw, paragraph, width, indent, face)):
            draw.text((left + (indent if j == 0 else 0), y), line, font=face, fill="black")
            y += LINE
        y += LINE // 2  # space between paragraphs
    return y


def render_text(paragraphs: list[str], width: int = 1000, heading: bool = True) -> Image.Image:
    """A white page holding the paragraphs, as tall as they need."""
    face = font()
    probe = ImageDraw.Draw(Image.new("L", (width, 10)))
    lines = sum(len(wrap(probe, p, width - 2 * MARGIN, 2 * FONT_SIZE, face)) for p in paragraphs)
    image = Image.new("RGB", (width, 2 * MARGIN + lines * LINE + len(paragraphs) * LINE // 2), "white")
    draw_column(ImageDraw.Draw(image), paragraphs, MARGIN, width - 2 * MARGIN, MARGIN, face, heading)
    return image


def render_columns(title: str, left: list[str], right: list[str], width: int = 1240) -> Image.Image:
    """A title across the page, then two columns of paragraphs."""
    face = font()
    column = (width - 3 * MARGIN) / 2
    image = Image.new("RGB", (width, 1100), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), title, font=font(36), fill="black")
    top = MARGIN + 80
    bottom = max(
        draw_column(draw, left, MARGIN, column, top, face, heading=False),
        draw_column(draw, right, 2 * MARGIN + column, column, top, face, heading=False),
    )
    return image.crop((0, 0, width, int(bottom + MARGIN)))


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def image_pdf(images: list[Image.Image], dpi: int = 150) -> bytes:
    """A PDF whose pages are the images and nothing else: no text layer, as a scanner makes it."""
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()
