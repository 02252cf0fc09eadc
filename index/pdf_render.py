"""PDF pages as images (pypdfium2), and where a passage stands on a page's text layer.

OCR reads a page from its image; the source preview shows the page with the cited span marked.

    with PdfPages(raw) as pdf:
        image = pdf.render(3, long_side=2000)          # page 3 (1-based) as a PIL image
        boxes = pdf.find(3, "汽车出口491万辆", image)     # [(left, top, right, bottom)] in its pixels
"""

from __future__ import annotations

from index.errors import LoadError

Box = tuple[float, float, float, float]


class PdfPages:
    def __init__(self, raw: bytes):
        import pypdfium2 as pdfium

        try:
            self._pdf = pdfium.PdfDocument(raw)
        except Exception as exc:  # PdfiumError on damaged or locked files
            raise LoadError(f"corrupt or truncated PDF ({type(exc).__name__})") from exc

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, *exc) -> None:
        self._pdf.close()

    def __len__(self) -> int:
        return len(self._pdf)

    def render(self, page: int, long_side: int, max_dpi: float = 200):
        """The page scaled so its longer side is `long_side` pixels (a small page: `max_dpi`)."""
        pdf_page = self._pdf[page - 1]
        width, height = pdf_page.get_size()  # in points, 72 to the inch
        scale = min(long_side / max(width, height, 1), max_dpi / 72)
        return pdf_page.render(scale=scale).to_pil().convert("RGB")

    def find(self, page: int, quote: str, image) -> list[Box]:
        """Boxes of the characters of `quote` on the page's text layer, in `image`'s pixels.

        Spaces and line breaks are ignored on both sides: the PDF breaks lines where the cleaned
        text does not."""
        import pypdfium2.raw as pdfium_c

        pdf_page = self._pdf[page - 1]
        width, height = pdf_page.get_size()
        scale = image.width / width
        textpage = pdf_page.get_textpage()
        try:
            indices, chars = [], []
            for i in range(textpage.count_chars()):
                ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
                if not ch.isspace():
                    indices.append(i)
                    chars.append(ch)
            wanted = "".join(quote.split())
            at = "".join(chars).find(wanted) if wanted else -1
            if at < 0:
                return []
            boxes = []
            for i in indices[at : at + len(wanted)]:
                left, bottom, right, top = textpage.get_charbox(i)
                boxes.append((left * scale, (height - top) * scale, right * scale, (height - bottom) * scale))
            return boxes
        finally:
            textpage.close()
