"""The assistant the UI, the API and evaluation talk to: question (+ history) in, Answer out.

Usage:
    assistant = Assistant(settings)
    answer = assistant.ask("2023年中国汽车出口多少辆？")
    for event in assistant.stream(question, history):   # one Found, str deltas, then one Answer
        ...
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

from index.errors import BusyError, ZhikuError
from index.records import Hit
from index.store import Where
from rag.chain import ChatModel, rewriter, stream_answer, yes_judge
from rag.components import open_retriever
from rag.conversation import Turn
from rag.evidence import REFUSAL_TEXT
from rag.extractive import extract_answer
from rag.found import found_for
from rag.grounding import EXTRACT_RULES, REFUSED, Grounded, ground
from rag.llm.status import LLMFailure, LLMHealth, LLMStatus, describe_failure
from rag.prepare import Prepared, prepare
from rag.records import Answer, Found
from rag.retrieval import Retriever, clean_query
from rag.settings import Settings
from rag.verification import verified

log = logging.getLogger(__name__)

__all__ = ["Assistant", "Turn"]

# how long a question waits for a newer index version to load before it goes on with the old one
RELOAD_WAIT_S = 5.0

NOTICE_EXTRACTED = "未使用生成模型：以下为从资料中摘录的原句。"
NOTICE_LLM_TIMEOUT = "生成模型没有及时回答，以下为从资料中摘录的原句。"
NOTICE_LLM_BROKEN = "生成模型出错，暂时无法使用（{reason}）；以下为从资料中摘录的原句。管理员可运行 zhiku doctor 查看原因。"


class Assistant:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever | None = None,
        chat_model: ChatModel | None = None,
    ):
        """`chat_model` overrides the LLM (tests pass a fake one); by default the LLM runtime
        starts the local server, or uses settings.llm_base_url, on the first LLM answer."""
        self.settings = settings
        self._retriever = retriever
        self._chat_model = chat_model
        self._runtime = None
        # the status of a chat model passed in (tests); the runtime keeps its own
        self._health = LLMHealth("ready" if chat_model is not None else "idle")
        self._lock = threading.Lock()
        self._reload: tuple[float, threading.Event] | None = None  # a newer index loading: (began, done)
        # a 2-core machine generates one answer at a time well; the rest wait, boundedly
        self._llm_slots = threading.BoundedSemaphore(settings.llm_concurrency)

    # --- public ------------------------------------------------------------------------------

    def ask(self, question: str, history: list[Turn] | None = None, answerer: str | None = None,
            hits: list[Hit] | None = None, where: Where | None = None) -> Answer:
        """The whole answer at once (see `stream`)."""
        answer = None
        for event in self.stream(question, history, answerer, hits, where=where):
            if isinstance(event, Answer):
                answer = event
        return answer

    def stream(self, question: str, history: list[Turn] | None = None, answerer: str | None = None,
               hits: list[Hit] | None = None, where: Where | None = None) -> Iterator[Found | str | Answer]:
        """What retrieval found (one `Found`: the passages and the extracted answer) before the model
        is asked, then text deltas as the model writes them, then the final Answer with verified
        citations. A question the articles cannot answer gets no Found: its refusal comes at once.

        `answerer` overrides settings.answerer ("llm" or "extractive"); `hits` skips retrieval and
        answers from exactly those passages (the RGB benchmark does this); `where` limits the search
        in the store, before ranking (the knowledge bases the asker may read).
        The final Answer's text may differ from the streamed text: citations are repaired at the end.
        """
        started = time.perf_counter()
        question = clean_query(question)
        answerer = answerer or self.settings.answerer
        if answerer not in ("llm", "extractive"):
            raise ZhikuError(f"unknown answerer {answerer!r}: use llm or extractive")
        chat_model, failure = self._chat_or_failure(answerer)
        prepared = prepare(question, history, self.settings, self.retriever.scoped(where) if hits is None else None,
                           hits=hits, rewrite=rewriter(chat_model) if chat_model is not None else None)
        timings = dict(prepared.timings_ms)
        if not prepared.answerable:
            yield self._first(REFUSAL_TEXT, timings, started)
            yield self._answer(prepared, REFUSED, answerer, timings, started)
            return
        extract = extract_answer(prepared.standalone, prepared.passages)
        found = found_for(prepared, extract)
        if chat_model is None:  # extractive by choice, or because the model could not even start
            yield self._shown(found, timings, started)
            yield from self._extract(prepared, extract, failure, timings, started)
            return
        # the slot first: "busy" is then an error before anything is shown (a clean 503 for the API)
        self._take_llm_slot(timings)
        try:
            yield self._shown(found, timings, started)
            text = yield from self._generate(chat_model, prepared, timings, started)
        except Exception as exc:  # timeout, connection refused, server crash, a client bug: answer anyway
            text, failure = "", self._record_failure(exc)
        finally:
            self._llm_slots.release()
        if not text:
            failure = failure or LLMFailure(False, "the model returned no text")
            yield from self._extract(prepared, extract, failure, timings, started)
            return
        grounded = ground(text, prepared)
        if self.settings.verify:
            grounded = self._verified(chat_model, grounded, prepared, timings)
        yield self._answer(prepared, grounded, "llm", timings, started)

    def reload_if_changed(self, wait_s: float = RELOAD_WAIT_S) -> bool:
        """Switch to a newer published index version, if any; True when it switched.

        The new version loads in a background thread while questions go on with the one they
        have: at a million chunks a load takes about a minute (docs/BENCHMARKS.md, edit_scale).
        Callers wait for it only until `wait_s` after the load began, so a small index switches
        before the next answer and a large one never holds more than the first few questions.
        Answers in flight keep the snapshot they started with; the old one is dropped after.
        """
        old = self._retriever
        if old is None or not old.stale():
            return False
        with self._lock:
            if self._reload is None:
                self._reload = (time.monotonic(), threading.Event())
                threading.Thread(target=self._load_new_version, args=(old, self._reload[1]),
                                 name="zhiku-index-reload", daemon=True).start()
            began, done = self._reload
        done.wait(max(0.0, began + wait_s - time.monotonic()))
        return self._retriever is not old

    def _load_new_version(self, old: Retriever, done: threading.Event) -> None:
        try:
            new = open_retriever(self.settings, old.embedder, getattr(old.store, "tokenizer", None))
            with self._lock:
                self._retriever = new
        except Exception:  # a damaged or half-copied version: keep answering from the one we have
            log.exception("could not open the new index version; answering from the previous one")
        finally:
            with self._lock:
                self._reload = None
            done.set()

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = open_retriever(self.settings)
            return self._retriever

    @property
    def llm_status(self) -> LLMStatus:
        """The LLM's state for /healthz and the chat banner (a test's own chat model is ready)."""
        return self._runtime.status if self._runtime is not None else self._health.status

    @property
    def embedder_loaded(self) -> bool:
        retriever = self._retriever
        return retriever is not None and getattr(retriever.embedder, "loaded", True)  # test embedders: loaded

    def warm_up(self) -> None:
        """Load the retriever (and its embedder) and start the LLM in the background, so the first
        question is answered at the usual speed; progress shows in `llm_status`."""

        def load() -> None:
            try:
                self.retriever.embedder.embed_query("预热")
            except ZhikuError as exc:
                log.warning("not warmed up: %s", exc)
            if self.settings.answerer == "llm" and self._chat_model is None:
                try:
                    self._ensure_runtime().warm_up().join()
                except Exception as exc:
                    self._record_failure(exc)

        threading.Thread(target=load, name="zhiku-warm-up", daemon=True).start()

    @property
    def llm_description(self) -> str:
        if self.settings.llm_base_url:
            return f"{self.settings.llm_model} @ {self.settings.llm_base_url}"
        return self.settings.llm_gguf_path or "Qwen2.5-Coder-1.5B-Instruct (packaged, local llama.cpp)"

    def close(self) -> None:
        """Stop what the assistant started (the local LLM server)."""
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None

    # --- steps ---------------------------------------------------------------------------------

    def _chat(self) -> ChatModel:
        if self._chat_model is not None:
            return self._chat_model
        return self._ensure_runtime().chat_model()

    def _ensure_runtime(self):
        with self._lock:
            if self._runtime is None:
                from rag.llm.client import LLMRuntime

                self._runtime = LLMRuntime(self.settings)
            return self._runtime

    def _record_failure(self, exc: BaseException) -> LLMFailure:
        failure = describe_failure(exc)
        (self._runtime.health if self._runtime is not None else self._health).failed(failure)
        return failure

    def _chat_or_failure(self, answerer: str) -> tuple[ChatModel | None, LLMFailure | None]:
        """The chat model when the LLM answers; when it cannot even be started, why not."""
        if answerer != "llm":
            return None, None
        try:
            return self._chat(), None
        except Exception as exc:  # the model could not be started: answer from the passages, and say so
            return None, self._record_failure(exc)

    def _take_llm_slot(self, timings: dict) -> None:
        """Wait for a free LLM slot, boundedly; the caller releases it."""
        waiting = time.perf_counter()
        if not self._llm_slots.acquire(timeout=self.settings.llm_queue_wait_s):
            raise BusyError("the assistant is busy answering other questions; please try again in a moment")
        timings["queue_ms"] = round((time.perf_counter() - waiting) * 1000, 1)

    def _generate(self, chat_model: ChatModel, prepared: Prepared, timings: dict, started: float):
        """Streams the model's deltas; returns the whole text. The caller holds an LLM slot."""
        parts: list[str] = []
        llm_started = time.perf_counter()
        for delta in stream_answer(chat_model, prepared, self.settings.llm_timeout_s):
            if not parts:
                timings["first_token_ms"] = round((time.perf_counter() - started) * 1000, 1)
            parts.append(delta)
            yield delta
        timings["llm_ms"] = round((time.perf_counter() - llm_started) * 1000, 1)
        (self._runtime.health if self._runtime is not None else self._health).succeeded()
        return "".join(parts).strip()

    def _verified(self, chat_model: ChatModel, grounded: Grounded, prepared: Prepared, timings: dict) -> Grounded:
        """The model's yes/no check of the cited sentence (rag/verification.py), timed."""
        checking = time.perf_counter()
        grounded = verified(grounded, prepared, yes_judge(chat_model), self.settings.verify_threshold)
        timings["verify_ms"] = round((time.perf_counter() - checking) * 1000, 1)
        return grounded

    def _extract(self, prepared: Prepared, text: str, failure: LLMFailure | None, timings: dict, started: float):
        """The extractive answer: chosen (settings or `answerer`), or instead of a failed model, with
        a notice that tells a slow model from a broken one."""
        if failure is None:
            notice = NOTICE_EXTRACTED
            yield self._first(text or REFUSAL_TEXT, timings, started)
        else:
            notice = NOTICE_LLM_TIMEOUT if failure.timed_out else NOTICE_LLM_BROKEN.format(reason=failure.reason)
            if text:
                yield "\n\n" + notice + "\n" + text
        grounded = ground(text, prepared, EXTRACT_RULES) if text else REFUSED
        yield self._answer(prepared, grounded, "extractive", timings, started, notice=notice)

    @staticmethod
    def _answer(prepared: Prepared, grounded: Grounded, answerer: str, timings: dict, started: float,
                notice: str = "") -> Answer:
        timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return Answer(
            question=prepared.question,
            text=REFUSAL_TEXT if grounded.refused else grounded.text,
            citations=grounded.citations,
            hits=prepared.hits,
            refused=grounded.refused,
            answerer=answerer,
            notice=grounded.notice or ("" if grounded.refused else notice),
            standalone_question=prepared.standalone,
            missing=grounded.missing,
            timings_ms=timings,
        )

    @staticmethod
    def _shown(found: Found, timings: dict, started: float) -> Found:
        timings["first_content_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return found

    @staticmethod
    def _first(text: str, timings: dict, started: float) -> str:
        now = round((time.perf_counter() - started) * 1000, 1)
        timings.setdefault("first_token_ms", now)
        timings.setdefault("first_content_ms", now)  # a refusal is the first (and only) content
        return text
