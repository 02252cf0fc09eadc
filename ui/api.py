"""The JSON API: ask, ask as Server-Sent Events, and feedback.

Request models forbid unknown fields and check every text (length, no control characters), so
bad input is a 4xx with a message, never a 500. The assistant's blocking work runs in the
threadpool (sync endpoints; Starlette iterates sync streams in the threadpool too).

    curl -s localhost:7860/api/ask -H 'Content-Type: application/json' -d '{"question": "2023年中国汽车出口多少辆？"}'
"""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterator
from itertools import chain
from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from index.errors import ZhikuError
from rag.assistant import Assistant, Turn
from rag.records import Answer, Found
from index.store import Where
from ui.identity import Reader, reader_of
from ui.feedback import produced_by
from ui.question_hooks import log_answer, logged_stream
from ui.serialize import answer_to_dict, found_to_dict

log = logging.getLogger(__name__)
router = APIRouter()

MAX_QUESTION = 4000
MAX_ANSWER = 20000
MAX_TURNS = 20
_ALLOWED_CONTROLS = "\n\t\r"


def check_text(value: str) -> str:
    """Stripped text without control characters (newline, tab, CR allowed) or lone surrogates."""
    for ch in value:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise ValueError(f"contains the control character U+{ord(ch):04X}; remove it")
    return value.strip()


def text_field(limit: int, required: bool = False):
    """A validator: clean text of at most `limit` characters (after stripping)."""

    def validate(value: str) -> str:
        value = check_text(value)
        if required and not value:
            raise ValueError("is empty: type a question")
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters long; the limit is {limit}")
        return value

    return AfterValidator(validate)


Question = Annotated[str, text_field(MAX_QUESTION, required=True)]
Text = Annotated[str, text_field(MAX_ANSWER)]
ConversationId = Annotated[str, Field(max_length=100, pattern=r"^[A-Za-z0-9_.:\-]*$")]
Collections = Annotated[list[Annotated[str, Field(max_length=40)]] | None, Field(max_length=50)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HistoryTurn(StrictModel):
    question: Annotated[str, text_field(MAX_QUESTION)]
    answer: Text


class AskRequest(StrictModel):
    question: Question
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_TURNS,
                                       description=f"earlier turns, oldest first (at most {MAX_TURNS})")
    conversation_id: ConversationId | None = None
    answerer: Literal["llm", "extractive"] | None = Field(None, description="overrides the server's setting")
    collections: Collections = Field(None, description="search only these knowledge bases (of those you may read)")

    def turns(self) -> list[Turn]:
        return [Turn(t.question, t.answer) for t in self.history]


class CitationOut(BaseModel):
    n: int
    title: str
    source: str
    section: str
    quote: str
    chunk_id: str
    text: str
    page: int | None = Field(None, description="PDFs: the page the passage is on (1-based); null for other files")
    last_page: int | None = Field(None, description="the page it ends on, when it runs over a page break")
    ocr: bool = Field(False, description="the passage was read from a scan or an image by OCR")
    preview: str = Field("", description="the passage in its document, relative to the server: open it in a browser")


class HitOut(BaseModel):
    rank: int
    score: float
    title: str
    source: str
    chunk_id: str
    text: str
    page: int | None = None
    last_page: int | None = None
    ocr: bool = False
    preview: str = ""


class AnswerOut(BaseModel):
    answer: str = Field(description="text with verified citation markers [n]")
    refused: bool = Field(description="the articles do not hold the answer")
    missing: str = Field("", description="a near miss: what the question asks that the articles do not give "
                                         "(the answer then quotes the closest figure they do give)")
    answerer: str
    notice: str
    standalone_question: str
    citations: list[CitationOut]
    hits: list[HitOut] = Field(description="every passage retrieved, cited or not")
    timings_ms: dict[str, float]


class CitationIn(StrictModel):
    n: int
    title: Annotated[str, Field(max_length=500)] = ""
    source: Annotated[str, Field(max_length=500)] = ""
    section: Annotated[str, Field(max_length=200)] = ""
    quote: Annotated[str, Field(max_length=MAX_ANSWER)] = ""
    chunk_id: Annotated[str, Field(max_length=200)] = ""
    text: Annotated[str, Field(max_length=MAX_ANSWER)] = ""
    # what /api/ask returns comes back as it is
    page: Annotated[int, Field(ge=1)] | None = None
    last_page: Annotated[int, Field(ge=1)] | None = None
    ocr: bool = False
    preview: Annotated[str, Field(max_length=4 * MAX_ANSWER)] = ""


class FeedbackRequest(StrictModel):
    rating: Literal["up", "down"]
    question: Question
    answer: Text
    citations: list[CitationIn] = Field(default_factory=list, max_length=50)
    comment: Annotated[str, text_field(2000)] = ""
    answerer: Literal["llm", "extractive"] | None = None
    conversation_id: ConversationId | None = None
    channel: Literal["api", "widget", "chat"] = "api"


class FeedbackOut(BaseModel):
    id: int


SSE_DOC = {
    200: {
        "description": "Events in this order:\n\n"
        "1. `event: passages` with `{\"passages\": [...], \"standalone_question\": ...}`: what retrieval found, "
        "sent before the model is asked. Each passage is shaped like a citation (`n`, `title`, `source`, `section`, "
        "`page`, `quote`: its sentence closest to the question, to highlight, `text`, `preview`…) and `n` is its "
        "number in the model's prompt, so the `[n]` markers of the streamed tokens point at it.\n"
        "2. `event: extract` with `{\"text\": ...}`: the answer extracted from the passages (their own "
        "sentences, cited `[n]` as in `passages`; empty when none matches). Show it labelled as an extract "
        "(摘录), not as the model's answer, until tokens arrive.\n"
        "3. `event: token` with `{\"text\": delta}` (repeated): the answer as it is written.\n"
        "4. `event: answer` with the full Answer JSON (as `/api/ask` returns it), last: its citations are "
        "renumbered 1..m and its text may differ from the streamed one; it replaces both.\n\n"
        "A question the articles do not answer gets no `passages`/`extract`: its refusal comes at once as a "
        "token and the answer. `event: error` with `{\"message\": ...}` if answering fails midway.",
        "content": {"text/event-stream": {}},
    }
}


@router.post("/api/ask", response_model=AnswerOut, tags=["ask"], summary="Answer a question, with citations")
def ask(body: AskRequest, request: Request) -> dict:
    assistant = assistant_for(request)
    reader, where = scope_of(request, body.collections)
    answer = assistant.ask(body.question, body.turns(), answerer_for(body, request), where=where)
    request.app.state.audit.record(reader, where, answer, "api")
    log_answer(request, answer, "api", body.conversation_id, where)
    return answer_to_dict(answer)


@router.post("/api/ask/stream", response_class=StreamingResponse, responses=SSE_DOC, tags=["ask"],
             summary="Answer a question as Server-Sent Events: the passages and an extract first, then the answer")
def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
    """Evidence first: `event: passages` (what retrieval found, numbered as the model reads it) and
    `event: extract` (the passages' own sentences, to show labelled 摘录) come before the model is
    asked; then `event: token` deltas replace the extract; `event: answer` (the `/api/ask` JSON)
    comes last and replaces both. The 200 response below gives each event's data."""
    reader, where = scope_of(request, body.collections)
    events = assistant_for(request).stream(body.question, body.turns(), answerer_for(body, request), where=where)
    events = request.app.state.audit.audited(events, reader, where, "widget" if reader.via == "widget" else "api")
    events = logged_stream(request, events, "stream", body.conversation_id, where)
    first = next(events)  # here, so a bad question or a missing index is a 4xx, not a broken stream
    return StreamingResponse(sse_events(chain([first], events)), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/api/feedback", response_model=FeedbackOut, tags=["feedback"], summary="Thumbs up or down on an answer")
def feedback(body: FeedbackRequest, request: Request) -> dict:
    state = request.app.state
    record_id = state.feedback.record(
        body.rating,
        body.question,
        body.answer,
        [c.model_dump() for c in body.citations],
        comment=body.comment,
        produced_by=produced_by(state.settings, body.answerer or "", state.assistant.llm_description),
        user=reader_of(request).user,
        conversation_id=body.conversation_id or "",
        channel=body.channel,
    )
    return {"id": record_id}


def sse_events(events: Iterator[Found | str | Answer]) -> Iterator[str]:
    try:
        for event in events:
            if isinstance(event, Answer):
                yield _sse("answer", answer_to_dict(event))
            elif isinstance(event, Found):
                found = found_to_dict(event)
                yield _sse("passages", {"passages": found["passages"], "standalone_question": found["standalone_question"]})
                yield _sse("extract", {"text": found["extract"]})
            elif event:
                yield _sse("token", {"text": event})
    except ZhikuError as exc:
        yield _sse("error", {"message": str(exc)})
    except Exception:
        log.exception("answering failed midway")
        yield _sse("error", {"message": "answering failed on the server; try again"})


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answerer_for(body: AskRequest, request: Request) -> str | None:
    """A client may ask for the extractive answer, but not start an LLM the server was set up without."""
    if body.answerer == "llm" and request.app.state.settings.answerer != "llm":
        raise ZhikuError('this server answers without a language model (ZHIKU_ANSWERER=extractive): '
                         'leave out "answerer" or use "extractive"')
    return body.answerer


def scope_of(request: Request, narrowed: list[str] | None) -> tuple[Reader, Where]:
    """Who asks, and the store filter of what they may read (narrowed to `narrowed` if given)."""
    reader = reader_of(request)
    return reader, reader.where(narrowed)


def assistant_for(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    assistant.reload_if_changed()  # a rebuilt index switches in without a restart
    return assistant
