"""RGB's Chinese benchmark (Chen et al. 2024, "Benchmarking LLMs in Retrieval-Augmented Generation"),
scored the way the paper scores it, beside the paper's own figures.

(a) retrieval: index corpus.jsonl in a temporary folder, rank documents for each question of
    questions.jsonl, score R@1/5/10 and MRR@10 against `positive_doc_ids`;
(b) generation: answer each line of gen/noise_X.jsonl from exactly its 5 passages; correct when
    every answer group has one of its strings in the answer; at noise 1.0, count rejections.

The data is CC BY-NC-SA: it is read from where it lies and never copied; the per-question file
written here holds ids, our answers and scores, not the questions or passages.
Usage: `run_rgb(Path("../shared/bench/rgb_zh"), Path("data/eval/rgb"), settings, assistant, embedder)`.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from index.errors import ZhikuError
from index.records import Chunk, Hit
from index.text import overlap, terms
from eval import runs
from eval.metrics import contains_any, looks_like_refusal, reciprocal_rank
from rag.evidence import question_terms

log = logging.getLogger(__name__)

NOISE_LEVELS = ("0.0", "0.2", "0.4", "0.6", "0.8", "1.0")
MODES = ("hybrid", "dense", "bm25")
# RGB paper, Table 1 and Table 3 (ChatGPT, Chinese): accuracy by noise ratio, rejection rate
PAPER_ACCURACY = {"0.0": 0.9567, "0.2": 0.9467, "0.4": 0.9100, "0.6": 0.8767, "0.8": 0.7067}
PAPER_REJECTION = 0.4333  # judged by ChatGPT in the paper; ours is phrase-matched
REFERENCE_FILE = "bm25_jieba_results.json"
REFERENCE_KEYS = ("R@1", "R@5", "R@10", "MRR@10")
CHUNKS_PER_QUERY = 50  # chunks fetched to find 10 distinct documents
ANSWERS_FILE = "rgb_answers.jsonl"
RGB_REJECTION = "信息不足"  # what RGB's prompt asks a model to say when the passages lack the answer


def load_jsonl(path: Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise ZhikuError(f"{path} does not exist: point --dir at the rgb_zh folder")
    records = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError as exc:
                raise ZhikuError(f"{path}, line {lineno}: {exc}") from None
    return records


# --- scoring (pure) ------------------------------------------------------------------------


def rgb_correct(answer: str, answer_groups: list[list[str]]) -> bool:
    """RGB's accuracy: every group has at least one of its strings in the answer (normalised)."""
    return bool(answer_groups) and all(contains_any(answer, group) for group in answer_groups)


def is_rejection(answer: str, refused: bool = False) -> bool:
    """The answer declines: the assistant's flag, RGB's own phrase, or the assistant's refusal check."""
    return refused or RGB_REJECTION in answer or looks_like_refusal(answer)


def doc_ranking(hits: list[Hit], n: int = 10) -> list[str]:
    """Distinct document ids in hit order: a chunk's source is `<doc_id>.txt`."""
    ranked: list[str] = []
    for hit in hits:
        doc_id = Path(hit.chunk.source).stem
        if doc_id not in ranked:
            ranked.append(doc_id)
        if len(ranked) == n:
            break
    return ranked


def retrieval_scores(rankings: list[list[str]], positives: list[list[str]]) -> dict[str, float]:
    """R@1/5/10 (a positive document among the first k) and MRR@10, over all questions."""
    ranks = []
    for ranked, pos in zip(rankings, positives):
        wanted = set(pos)
        ranks.append(next((i for i, d in enumerate(ranked, start=1) if d in wanted), None))
    n = len(ranks) or 1
    scores = {f"R@{k}": sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 5, 10)}
    scores["MRR@10"] = sum(reciprocal_rank(r, 10) for r in ranks) / n
    return scores


def visible_text(text: str) -> str:
    """Web-scraped text without control, format and private-use characters (icon-font glyphs,
    zero-width joiners), which make the loader take a document for binary."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs"))


def passage_hits(docs: list[dict], question: str = "") -> list[Hit]:
    """RGB's passages as hits, ranked by the share of the question's terms each holds (ties keep
    RGB's order), as a search would rank them.

    RGB's files are not shuffled: the passages holding the answer come first at noise 0.4 (299
    of 300 lines) and last at noise 0.8 (the first holds it in 0 of 300). In file order the
    context budget, not the model, decided the score: at 900 characters the answer was shown
    for 67 of 300 noise-0.8 lines; ranked, for 275.
    """
    wanted = question_terms(question) if question else {}
    order = sorted(range(len(docs)), key=lambda i: -overlap(wanted, terms(docs[i]["text"])))
    hits = []
    for rank, i in enumerate(order, start=1):
        doc = docs[i]
        text = doc["text"]
        chunk = Chunk(id=doc["doc_id"], source=doc["doc_id"], title="", text=text, start=0, end=len(text))
        hits.append(Hit(chunk=chunk, score=1.0, retriever="rgb", rank=rank))
    return hits


# --- the two benchmarks ----------------------------------------------------------------------


def retrieval_benchmark(bench_dir: Path, settings, embedder, modes=MODES, limit: int | None = None,
                        progress: bool = True, index_dir: Path | None = None) -> dict:
    """Index corpus.jsonl and score every retrieval mode.

    The index goes to a temporary folder, or to `index_dir` to keep it: embedding the whole corpus
    takes long on a CPU, and the next run then only re-embeds what changed.
    """
    from rag.components import make_builder, open_retriever

    bench_dir = Path(bench_dir)
    questions = load_jsonl(bench_dir / "questions.jsonl")[:limit]
    corpus = load_jsonl(bench_dir / "corpus.jsonl")
    if limit is not None:  # a quick run indexes only its questions' documents: easier than the real task
        wanted = {d for q in questions for d in (*q["positive_doc_ids"], *q.get("negative_doc_ids", []))}
        corpus = [d for d in corpus if d["doc_id"] in wanted]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zhiku-rgb-") as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        for doc in corpus:
            (folder / f"{doc['doc_id']}.txt").write_text(visible_text(doc["text"]), encoding="utf-8")
        # on Milvus, a collection of its own: the organisation's index in the same database stays as it is
        local = settings.model_copy(update={"index_dir": Path(index_dir or Path(tmp) / "index"), "corpus_dir": folder,
                                            "milvus_collection": f"{settings.milvus_collection}_rgb"})
        report = make_builder(local, embedder, progress=progress).build(folder)
        retriever = open_retriever(local, embedder)
        build_s = time.perf_counter() - started
        results = {}
        for mode in modes:
            rankings = [
                doc_ranking(retriever.search(q["question"], top_k=CHUNKS_PER_QUERY, mode=mode))
                for q in _progress(questions, f"rgb retrieval {mode}", progress)
            ]
            results[mode] = retrieval_scores(rankings, [q["positive_doc_ids"] for q in questions])
    reference = {}
    if (bench_dir / REFERENCE_FILE).is_file():
        ref = runs.read_json(bench_dir / REFERENCE_FILE)
        reference = {k: ref.get(k) for k in REFERENCE_KEYS}
    return {
        "modes": results,
        "reference_bm25_jieba": reference,
        "n_questions": len(questions),
        "n_docs": len(corpus),
        "n_skipped": len(report.skipped),  # documents the loader refused (e.g. only a photo caption)
        "full_corpus": limit is None,
        "index_seconds": round(build_s, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def generation_benchmark(bench_dir: Path, assistant, noise_levels=NOISE_LEVELS, limit: int | None = None,
                         answerer: str | None = None, progress: bool = True, sink=None) -> dict:
    """Answer every gen/noise_X.jsonl line from its passages; accuracy (and rejections at 1.0).

    `sink`, a text file, receives one JSON line per answer (ids and scores, no benchmark text).
    """
    results = {}
    for noise in noise_levels:
        lines = load_jsonl(Path(bench_dir) / "gen" / f"noise_{noise}.jsonl")[:limit]
        correct = rejected = errors = 0
        started = time.perf_counter()
        for line in _progress(lines, f"rgb noise {noise}", progress):
            text, refused, error = _answer(assistant, line, answerer)
            ok = rgb_correct(text, line["answer_groups"])
            rejection = not error and is_rejection(text, refused)
            correct += ok
            rejected += rejection
            errors += bool(error)
            if sink is not None:
                record = {"id": line["id"], "noise": noise, "correct": ok, "rejected": rejection, "answer": text}
                sink.write(json.dumps({**record, "error": error} if error else record, ensure_ascii=False) + "\n")
        n = len(lines) or 1
        seconds = time.perf_counter() - started
        results[noise] = {
            "n": len(lines),
            "accuracy": correct / n,
            "rejection_rate": rejected / n,
            "errors": errors,
            "seconds": round(seconds, 1),
            "mean_ms": round(seconds * 1000 / n, 1),
        }
    return results


def _answer(assistant, line: dict, answerer: str | None) -> tuple[str, bool, str]:
    try:
        answer = assistant.ask(line["question"], hits=passage_hits(line["docs"], line["question"]), answerer=answerer)
    except Exception as exc:  # one failing question must not end a long benchmark; it is recorded
        log.warning("RGB %s failed: %s", line.get("id"), exc)
        return "", False, f"{type(exc).__name__}: {exc}"
    if answer is None:
        return "", False, "no answer"
    return answer.text or "", bool(answer.refused or answer.missing), ""


def run_rgb(bench_dir: Path, out_dir: Path, settings, assistant=None, embedder=None, retrieval_only: bool = False,
            limit: int | None = None, noise_levels=NOISE_LEVELS, answerer: str | None = None, modes=MODES,
            progress: bool = True, index_dir: Path | None = None) -> dict:
    """Both benchmarks; writes out_dir/{run.json,rgb.json,rgb.html,rgb_answers.jsonl}.

    `retrieval_only` skips the answers; no `modes` skips retrieval (and its long indexing).
    """
    from eval.rgb_report import render_rgb_report
    from rag.components import make_embedder

    bench_dir, out_dir = Path(bench_dir), Path(out_dir)
    if not (bench_dir / "questions.jsonl").is_file():
        raise ZhikuError(f"no questions.jsonl in {bench_dir}: point --dir at the rgb_zh folder")
    unknown = [x for x in noise_levels if x not in NOISE_LEVELS]
    if unknown:
        raise ZhikuError(f"unknown noise level {', '.join(unknown)}: use some of {', '.join(NOISE_LEVELS)}")
    if not retrieval_only and assistant is None:
        raise ZhikuError("answers need an assistant: pass one, or run with --retrieval-only")
    if retrieval_only and not modes:
        raise ZhikuError("nothing to run: --retrieval-only with no retrieval modes")
    out_dir.mkdir(parents=True, exist_ok=True)
    run = {
        "kind": "rgb",
        "created": runs.now_iso(),
        "dataset": str(bench_dir.resolve()),
        "n": len(load_jsonl(bench_dir / "questions.jsonl")[:limit]),
        "answerer": answerer or settings.answerer,
        "retrieval_only": retrieval_only,
        "limit": limit,
        "noise": list(noise_levels),
        "settings": runs.settings_record(settings),
    }
    runs.write_json(out_dir / runs.RUN_FILE, run)
    result = {"run": run, "paper": {"accuracy": PAPER_ACCURACY, "rejection_rate": PAPER_REJECTION}}
    if modes and embedder is None:
        embedder = make_embedder(settings)
    result["retrieval"] = retrieval_benchmark(bench_dir, settings, embedder, modes, limit, progress, index_dir) if modes else {}
    result["generation"] = {}
    if not retrieval_only:
        with open(out_dir / ANSWERS_FILE, "w", encoding="utf-8") as sink:
            result["generation"] = generation_benchmark(bench_dir, assistant, noise_levels, limit, answerer, progress, sink)
    run["finished"] = runs.now_iso()
    runs.write_json(out_dir / runs.RUN_FILE, run)
    runs.write_json(out_dir / runs.RGB_FILE, result)
    (out_dir / runs.RGB_REPORT_FILE).write_text(render_rgb_report(result), encoding="utf-8")
    return result


def _progress(items, label: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="q", file=sys.stderr, disable=not enabled or len(items) < 2)
