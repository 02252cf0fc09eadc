"""The admin API over the question log, and each user's own history.

Every /api/admin route answers 403 to a non-admin (ui/admin.py decides) before it reads a filter;
filters are validated (unknown, malformed or oversized → 422 with a message).

    curl -s 'localhost:7860/api/admin/questions?refused=true&since=7d'
    curl -s 'localhost:7860/api/admin/insights?since=2026-01-01'
    curl -s 'localhost:7860/api/admin/gaps.csv' -o gaps.csv
    curl -s localhost:7860/api/admin/testcases -H 'Content-Type: application/json' \
         -d '{"log_id": 42, "testset": "staff", "unanswerable": true}'
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from eval.collect import append_case, case_id, evidence_in, reviewed_case, testset_path
from index.errors import ZhikuError
from ui import insights
from ui.admin import is_admin, user_name
from ui.api import check_text
from ui.question_groups import QuestionGrouper
from ui.question_hooks import question_log_of

MAX_FILTER_TEXT = 200


def require_admin(request: Request) -> None:
    if not is_admin(request, request.app.state.settings):
        raise HTTPException(403, "the question log is for admins only")


router = APIRouter(tags=["admin"])
admin = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(require_admin)])


class QuestionFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refused: bool | None = Field(None, description="true: refused only; false: answered only")
    disliked: bool | None = Field(None, description="true: thumbs-down only")
    slow_ms: float | None = Field(None, ge=0, le=3_600_000, description="took at least this many ms")
    since: str | None = Field(None, max_length=20, description="a date (2026-01-31) or a span back: 7d, 12h, 2w")
    until: str | None = Field(None, max_length=20, description="a date (inclusive) or a span back")
    collection: str | None = Field(None, max_length=100, pattern=r"^[\w.\-]+$")
    text: str | None = Field(None, max_length=MAX_FILTER_TEXT, description="in the question or answer")
    user: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=insights.MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)

    @field_validator("since", "until")
    @classmethod
    def _when(cls, value: str | None, info) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return insights.parse_since(value, end=info.field_name == "until")
        except ZhikuError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("text", "user")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return check_text(value) or None if value is not None else None

    def filters(self) -> insights.Filters:
        return insights.Filters(**self.model_dump())


Filters = Annotated[QuestionFilters, Query()]


class TestCaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    log_id: int = Field(ge=1)
    testset: str = Field(max_length=64, description="file data/testsets/<testset>.jsonl")
    unanswerable: bool = Field(False, description="a content gap: the articles do not answer it")
    question: Annotated[str, Field(max_length=4000)] = Field("", description="default: the question as asked")
    answer: Annotated[str, Field(max_length=4000)] = ""
    keywords: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=10)
    evidence: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=5)
    evidence_chunk_id: str = Field("", max_length=200, description="the retrieved passage the evidence is in")
    type: Literal["factoid", "numeric", "multi_hop", "comparison", "summary"] = "factoid"


def logged_or_404(request: Request):
    question_log = question_log_of(request)
    if question_log is None:
        raise HTTPException(404, "the question log is off (ZHIKU_QUESTION_LOG=off)")
    return question_log


@admin.get("/questions", summary="Logged questions, newest first, with per-day figures")
def questions(f: Filters, request: Request) -> dict:
    question_log = logged_or_404(request)
    total, rows = insights.find(question_log, f.filters())
    return {"total": total, "questions": rows, "summary": insights.summary(question_log, f.filters())}


@admin.get("/questions/{log_id}", summary="One logged question")
def question(log_id: int, request: Request) -> dict:
    row = insights.get(logged_or_404(request), log_id)
    if row is None:
        raise HTTPException(404, f"no logged question {log_id}")
    return row


@admin.get("/insights", summary="Figures, the most asked questions, and the unanswered and disliked queues")
def insight(f: Filters, request: Request) -> dict:
    question_log = logged_or_404(request)
    return report(request.app.state, question_log, f.filters())


@admin.get("/gaps.csv", summary="The unanswered questions, for a content team (CSV)")
def gaps(f: Filters, request: Request) -> Response:
    text = insights.gaps_csv(logged_or_404(request), f.filters())
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",  # BOM: Excel reads it as UTF-8
                    headers={"Content-Disposition": 'attachment; filename="content-gaps.csv"'})


@admin.post("/testcases", summary="Turn a logged question into a test case of data/testsets/<name>.jsonl")
def add_test_case(body: TestCaseRequest, request: Request) -> dict:
    question_log = logged_or_404(request)
    row = insights.get(question_log, body.log_id)
    if row is None:
        raise HTTPException(404, f"no logged question {body.log_id}")
    settings = request.app.state.settings
    path = testset_path(settings.data_dir, body.testset)
    case = build_case(row, body.question, body.answer, body.keywords, body.evidence, body.evidence_chunk_id,
                      body.unanswerable, body.type)
    append_case(path, case)
    question_log.mark_test_case(row["id"], f"{path.stem}#{case_id(row['id'])}")
    return {"testset": str(path), "case": case}


@router.get("/api/history", tags=["ask"], summary="Your own latest questions (needs the trusted user header)")
def own_history(request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    question_log = question_log_of(request)
    settings = request.app.state.settings
    user = user_name(request, settings)
    if question_log is None or not (user or is_admin(request, settings)):
        return {"user": user, "questions": []}  # an anonymous user has no history of their own
    return {"user": user, "questions": insights.history(question_log, user, limit)}


def build_case(row: dict, question: str, answer: str, keywords: list[str], evidence: list[str], chunk_id: str,
               unanswerable: bool, type_: str) -> dict:
    """The reviewed case; evidence must lie in the chosen retrieved passage (or any, if none chosen)."""
    hits = row.get("hits") or []
    chosen = [h for h in hits if h["chunk_id"] == chunk_id] if chunk_id else hits
    if chunk_id and not chosen:
        raise ZhikuError(f"passage {chunk_id!r} was not retrieved for this question")
    if not unanswerable:
        for span in evidence:
            if not any(evidence_in(span, h.get("text", "")) for h in chosen):
                raise ZhikuError(f"evidence {span[:40]!r} is not in the chosen passage: pick a span of its text")
    sources = sorted({h["source"] for h in chosen if any(evidence_in(s, h.get("text", "")) for s in evidence)})
    return reviewed_case(row["id"], question.strip() or row["question"], answer=answer,
                         keywords=keywords, evidence=evidence, sources=sources, unanswerable=unanswerable,
                         type_=type_)


def report(state, question_log, f: insights.Filters) -> dict:
    """Everything the insights tab shows, as JSON (`state`: the app's, or anything with an
    `assistant` and a `question_grouper` slot)."""
    return {
        "summary": insights.summary(question_log, f),
        "top_questions": top_questions(state, question_log, f),
        "unanswered": insights.unanswered(question_log, f),
        "disliked": insights.disliked(question_log, f),
    }


def top_questions(state, question_log, f: insights.Filters, n: int = 20) -> list[dict]:
    grouper = getattr(state, "question_grouper", None)
    if grouper is None:
        try:
            grouper = state.question_grouper = QuestionGrouper(state.assistant.retriever.embedder)
        except ZhikuError:  # no index yet, so no embedder: nothing to group with
            return []
    return grouper.top(insights.asked(question_log, f), n)


router.include_router(admin)
