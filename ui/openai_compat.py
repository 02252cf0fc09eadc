"""An OpenAI-compatible chat endpoint, so existing OpenAI clients and chat front ends work.

The last user message is the question; earlier user/assistant pairs are the history; system
messages are ignored (the assistant's rules are its own). Citations ride along as an extra
top-level `citations` list, in the response and in the final stream chunk, which also carries
`answer`: the final text, whose markers may be renumbered from the streamed ones.

    client = openai.OpenAI(base_url="http://127.0.0.1:7860/v1", api_key=token or "none")
    client.chat.completions.create(model="zhiku", messages=[{"role": "user", "content": "..."}])
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from itertools import chain
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from index.errors import ZhikuError
from rag.assistant import Turn
from rag.records import Answer, Found
from ui.api import MAX_ANSWER, MAX_QUESTION, MAX_TURNS, CitationOut, StrictModel, assistant_for, check_text, scope_of
from ui.question_hooks import log_answer, logged_stream
from ui.serialize import answer_to_dict

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["openai"])
MODEL = "zhiku"
MAX_MESSAGES = 200  # front ends resend the whole chat; only the last MAX_TURNS pairs are used


class ContentPart(StrictModel):
    type: Literal["text"]
    text: Annotated[str, Field(max_length=MAX_ANSWER)]


class ChatMessage(BaseModel):
    # tool and function-call fields from front ends are tolerated and ignored
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: Annotated[str, Field(max_length=MAX_ANSWER)] | list[ContentPart] | None = None
    name: str | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatRequest(StrictModel):
    model: str = MODEL
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_MESSAGES)
    stream: bool = False
    # sampling and bookkeeping options OpenAI clients send: accepted, not used
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    n: Literal[1] | None = None
    stop: str | list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    user: str | None = None
    metadata: dict[str, str | list[str]] | None = Field(
        None, description='zhiku: {"collections": "hr,default"} searches only these knowledge bases')
    stream_options: dict[str, Any] | None = None


class ChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: ChoiceMessage
    finish_reason: str = "stop"


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)
    citations: list[CitationOut] = Field(description="zhiku extension: the passages the markers [n] point at")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "zhiku"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


STREAM_DOC = {
    200: {
        "description": "JSON, or with `stream: true` `data:` chunks of `chat.completion.chunk` ending in `data: [DONE]`; "
        "the last chunk carries `citations` and `answer` (the final text).",
        "content": {"text/event-stream": {}},
    }
}


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The last user message, and the user/assistant pairs before it (oldest first)."""
    talk = [m for m in messages if m.role in ("user", "assistant")]
    if not talk or talk[-1].role != "user":
        raise ZhikuError("the last message must be the user's question")
    question = check_text(talk[-1].text())
    if not question:
        raise ZhikuError("the question is empty: type a question")
    if len(question) > MAX_QUESTION:
        raise ZhikuError(f"the question is {len(question)} characters long; the limit is {MAX_QUESTION}")
    history: list[Turn] = []
    pending = ""
    for message in talk[:-1]:
        if message.role == "user":
            pending = check_text(message.text())[:MAX_QUESTION]
        elif pending:
            history.append(Turn(pending, check_text(message.text())[:MAX_ANSWER]))
            pending = ""
    return question, history[-MAX_TURNS:]


@router.get("/models", response_model=ModelList, summary="The one model: zhiku")
def models() -> dict:
    return {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "zhiku"}]}


@router.post("/chat/completions", response_model=ChatCompletion, responses=STREAM_DOC,
             summary="OpenAI-compatible chat completion (streaming or not)")
def chat_completions(body: ChatRequest, request: Request):
    question, history = question_and_history(body.messages)
    assistant = assistant_for(request)
    completion_id = "chatcmpl-" + uuid.uuid4().hex[:24]
    created = int(time.time())
    reader, where = scope_of(request, narrowed_collections(body.metadata))
    if not body.stream:
        answer = assistant.ask(question, history, where=where)
        request.app.state.audit.record(reader, where, answer, "openai")
        log_answer(request, answer, "openai", where=where)
        return completion(answer, completion_id, created)
    events = request.app.state.audit.audited(assistant.stream(question, history, where=where), reader, where, "openai")
    # OpenAI clients know only text deltas: the evidence shown first (Found) is not theirs
    events = (event for event in logged_stream(request, events, "openai", where=where) if not isinstance(event, Found))
    first = next(events)  # errors before the first delta are a 4xx, not a broken stream
    return StreamingResponse(stream_chunks(chain([first], events), completion_id, created), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def narrowed_collections(metadata: dict | None) -> list[str] | None:
    """`metadata.collections` as a list ("a,b" or ["a", "b"]); None when not given."""
    value = (metadata or {}).get("collections")
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    return [n.strip() for n in names if n.strip()][:50] or None


def completion(answer: Answer, completion_id: str, created: int) -> dict:
    data = answer_to_dict(answer)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": data["answer"]}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": data["citations"],
    }


def stream_chunks(events: Iterator[str | Answer], completion_id: str, created: int) -> Iterator[str]:
    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        body = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        for event in events:
            if isinstance(event, Answer):
                data = answer_to_dict(event)
                yield chunk({}, "stop", citations=data["citations"], answer=data["answer"])
            elif event:
                yield chunk({"content": event})
    except Exception as exc:  # the openai client raises APIError on a chunk with "error"
        message = str(exc) if isinstance(exc, ZhikuError) else "answering failed on the server; try again"
        if not isinstance(exc, ZhikuError):
            log.exception("answering failed midway")
        yield f"data: {json.dumps({'error': {'message': message, 'type': 'server_error'}}, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
