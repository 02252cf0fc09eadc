"""OCR: character accuracy on demo-corpus paragraphs drawn as pages, and retrieval on a scanned article.

(a) accuracy: paragraphs of the demo corpus set in a CJK font (10.5 pt, A4 width) at 150 and
    300 dpi, clean, rotated 1.5° and with scanner noise (speckle and a slight blur), read by the
    OCR path indexing uses (OcrReader.image_pages); character accuracy = 1 − edit distance /
    reference length, whitespace ignored; seconds per page.
(b) retrieval: the demo article holding the most dev-set evidence, indexed once as text and once
    as an image-only PDF (200 dpi) beside the other digests; hit@5 for the dev questions on it and
    for cloze queries (each of its sentences with its figures taken out): a hit is a top-5 chunk
    of that article holding the sentence (for the scan, ≥ 90 % of its characters in order).

Usage: `python -m bench.ocr [--quick]`. Needs the `ocr` extra and a CJK font (`make chromium`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import DEMO_CORPUS, DEV_SET, loadavg, machine, parse_args, quiet_logs, read_jsonl, save, table

POINT_SIZE = 10.5
A4_WIDTH_IN = 8.27
_SPACE = re.compile(r"\s+")
_FIGURE = re.compile(r"[\d.,，%％]+")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, two rows at a time."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_accuracy(reference: str, read: str) -> float:
    reference, read = _SPACE.sub("", reference), _SPACE.sub("", read)
    return max(0.0, 1 - edit_distance(reference, read) / max(1, len(reference)))


def page(paragraphs: list[str], dpi: int, variant: str):
    """The paragraphs as a scanned page would show them."""
    from PIL import Image, ImageDraw, ImageFilter

    from tests.scans import font, wrap

    size = round(POINT_SIZE / 72 * dpi)
    width, margin = round(A4_WIDTH_IN * dpi), round(dpi * 0.8)
    face = font(size)
    probe = ImageDraw.Draw(Image.new("L", (width, 10)))
    lines = sum(len(wrap(probe, p, width - 2 * margin, 2 * size, face)) for p in paragraphs)
    image = Image.new("RGB", (width, 2 * margin + int(lines * size * 1.7 + len(paragraphs) * size)), "white")
    draw = ImageDraw.Draw(image)
    y = margin
    for paragraph in paragraphs:  # tests.scans spaces lines for one size; a page here scales with dpi
        for k, line in enumerate(wrap(draw, paragraph, width - 2 * margin, 2 * size, face)):
            draw.text((margin + (2 * size if k == 0 else 0), y), line, font=face, fill="black")
            y += int(size * 1.7)
        y += size
    if variant == "rotated":
        image = image.rotate(1.5, expand=True, fillcolor="white", resample=Image.BICUBIC)
    elif variant == "noisy":
        import random

        rng = random.Random(7)
        pixels = image.load()
        for _ in range(image.width * image.height // 200):  # 0.5 % speckle
            pixels[rng.randrange(image.width), rng.randrange(image.height)] = (0, 0, 0) if rng.random() < 0.5 else (255, 255, 255)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    return image


def paragraphs_of_demo(count: int) -> list[str]:
    """Body paragraphs of the demo articles (as indexing cleans them), 80–220 characters."""
    from index.loaders import load_paths

    found = []
    for doc in load_paths([DEMO_CORPUS]).documents:
        for paragraph in doc.text.split("\n"):
            paragraph = paragraph.strip()
            if 80 <= len(paragraph) <= 220 and not paragraph.startswith(("http", "www")):
                found.append(paragraph)
    step = max(1, len(found) // count)
    return found[::step][:count]


def accuracy(quick: bool) -> tuple[dict, str]:
    from index.ocr_reader import OcrReader
    from tests.scans import png

    per_page = 3
    texts = paragraphs_of_demo(3 if quick else 15)
    pages = [texts[i:i + per_page] for i in range(0, len(texts), per_page)]
    reader = OcrReader()
    results, rows = {}, []
    for dpi in (150, 300):
        for variant in ("clean", "rotated", "noisy"):
            scores, seconds = [], []
            for n, paragraphs in enumerate(pages):
                raw = png(page(paragraphs, dpi, variant))
                started = time.perf_counter()
                read = reader.image_pages(raw, f"bench-{dpi}-{variant}-{n}")[0]
                seconds.append(time.perf_counter() - started)
                scores.append(char_accuracy("".join(paragraphs), read))
            key = f"{dpi}dpi {variant}"
            results[key] = {"pages": len(pages), "char_accuracy": sum(scores) / len(scores),
                            "worst_page": min(scores), "s_per_page": sum(seconds) / len(seconds),
                            "load1": loadavg()[0]}
            r = results[key]
            rows.append([dpi, variant, len(pages), f"{r['char_accuracy']:.1%}", f"{r['worst_page']:.1%}",
                         f"{r['s_per_page']:.1f}", f"{r['load1']:.2f}"])
    return results, table(["dpi", "variant", "pages", "character accuracy", "worst page", "s / page", "load1"], rows)


def scanned_article(quick: bool, work: Path) -> tuple[dict, str]:
    """hit@5 of the same questions over the article as text and as a scan."""
    from bench.common import demo_index, settings_for
    from index.loaders import load_paths
    from index.pipeline import ChunkingConfig, chunk_document
    from rag.components import make_builder, open_retriever
    from tests.scans import image_pdf, render_text

    dev = read_jsonl(DEV_SET)
    docs = load_paths([DEMO_CORPUS]).documents
    best, best_doc, best_questions = None, None, []
    for doc in docs:
        for article in chunk_document(doc, ChunkingConfig())[0]:
            held = [q for q in dev if any(e and e in article.text for e in q.get("evidence") or [])]
            if best is None or len(held) > len(best_questions):
                best, best_doc, best_questions = article, doc, held
    sentences = [s for s in re.split(r"(?<=[。！？])", best.text.replace("\n", "")) if 25 <= len(s) <= 150]
    cloze = [(_FIGURE.sub("", s), s) for s in sentences][: 8 if quick else 40]
    probes = [(q["question"], e) for q in best_questions for e in q["evidence"][:1]] + cloze

    results, rows = {}, []
    for form in ("text", "scan"):
        corpus = work / form / "articles"
        corpus.mkdir(parents=True)
        for other in DEMO_CORPUS.iterdir():
            if other.name != Path(best_doc.source).name:
                shutil.copy(other, corpus / other.name)
        body = [best.title, *[p for p in best.text.split("\n") if p.strip()]]
        if form == "text":
            (corpus / "article.txt").write_text("\n\n".join(body), encoding="utf-8")
        else:
            per_page = 12
            images = [render_text(body[i:i + per_page], width=1654, heading=i == 0) for i in range(0, len(body), per_page)]
            (corpus / "article.pdf").write_bytes(image_pdf(images, dpi=200))
        settings = settings_for(work / form / "index")
        demo_index(settings.index_dir)  # the demo corpus's vectors, reused: only the article is embedded
        started = time.perf_counter()
        make_builder(settings).build(corpus)
        built_s = time.perf_counter() - started
        retriever = open_retriever(settings)
        hits = 0
        for query, wanted in probes:
            top = retriever.search(query, top_k=5)
            hits += any(h.chunk.source.startswith("article.") and _holds(h.chunk.text, wanted) for h in top)
        results[form] = {"probes": len(probes), "dev_questions": len(best_questions), "hit@5": hits / len(probes),
                         "index_update_s": round(built_s, 1)}
        rows.append([form, len(best_questions), len(cloze), f"{hits / len(probes):.1%}", f"{built_s:.0f}"])
    results["article"] = best.title
    return results, table(["article as", "dev questions", "cloze queries", "hit@5", "index update s"], rows)


def _holds(chunk_text: str, wanted: str) -> bool:
    """`wanted` is in the chunk, allowing OCR slips: 90 % of its characters in order."""
    import difflib

    chunk, wanted = _SPACE.sub("", chunk_text), _SPACE.sub("", wanted)
    if wanted in chunk:
        return True
    matcher = difflib.SequenceMatcher(None, chunk, wanted, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) >= 0.9 * len(wanted)


def main(argv=None) -> dict:
    args = parse_args(__doc__.splitlines()[0], argv)
    quiet_logs()
    from index.ocr import ocr_installed

    if not ocr_installed():
        raise SystemExit("bench.ocr needs the OCR extra: pip install -e '.[ocr]' (make setup installs it)")
    info = machine()
    work = Path(tempfile.mkdtemp(prefix="zhiku-bench-ocr-"))
    try:
        acc, acc_table = accuracy(args.quick)
        scan, scan_table = scanned_article(args.quick, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    notes = [f"scanned article: {scan['article']}",
             "hit@5 over the same probes; the scan's chunks come from OCR of an image-only PDF at 200 dpi"]
    save("ocr", args.quick, info, {"accuracy": acc, "scanned_article": scan},
         {"OCR character accuracy": acc_table, "a scanned article against its text": scan_table}, notes)
    return {"accuracy": acc, "scanned_article": scan}


if __name__ == "__main__":
    main()
