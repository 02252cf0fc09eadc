"""The one server: JSON/SSE API, OpenAI-compatible endpoint, widget pages, and the Gradio chat at `/`.

Usage:
    app = create_app(Settings())            # uvicorn.run(app, host=..., port=...)
    create_app(settings, assistant)         # tests pass an assistant built on their own index
"""

from __future__ import annotations

import contextlib
import logging

from fastapi import FastAPI, Request
from fastapi_offline import FastAPIOffline
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import BusyError, ZhikuError
from rag.assistant import Assistant
from index.knowledge_base import KnowledgeBase, KnowledgeBases
from index.records import DEFAULT_COLLECTION
from rag.components import make_builder, make_embedder, make_registry, make_store, open_retriever
from rag.settings import Settings
from ui import api, api_access, api_admin, api_kb, openai_compat, preview
from ui.audit import AuditLog, audit_path
from ui.identity import Identity
from ui.page_access import PageAccess
from ui.signin import TOKEN_SCRUB
from ui.tokens import TokenStore, server_secret
from ui.widget_routes import add_widget_pages
from ui.access import BodyLimitMiddleware, install_access, normalise_origins
from ui.feedback import FeedbackStore
from ui.question_log import FILE_NAME, QuestionLog

log = logging.getLogger(__name__)
JSON_LIMIT = 2 * 1024 * 1024  # a 4,000-character question with 20 turns of history is far below this


def make_assistant(settings: Settings) -> Assistant:
    """An assistant whose retriever is open when an index exists (so the first answer is quick)."""
    try:
        return Assistant(settings, retriever=open_retriever(settings, make_embedder(settings)))
    except ZhikuError as exc:
        log.warning("%s; answering will fail until an index is built", exc)
        return Assistant(settings)


def create_app(settings: Settings, assistant: Assistant | None = None, warm_up: bool = False) -> FastAPI:
    """`assistant` is closed on shutdown only when this function made it; `warm_up` loads the
    embedder and starts the LLM in the background as the server starts (`zhiku serve` does)."""
    origins = normalise_origins(settings.allowed_origins)
    owned = assistant is None
    assistant = assistant or make_assistant(settings)
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    question_log = open_question_log(settings, feedback)
    registry = make_registry(settings)
    kbs = KnowledgeBases(make_builder(settings, _loaded_embedder(assistant)), registry, settings.upload_max_mb)
    kb = kbs.get(DEFAULT_COLLECTION)
    identity = Identity(settings, registry, TokenStore(settings.data_dir / "tokens.json"), server_secret(settings.data_dir))
    if registry.restricted() and not identity.required:
        log.warning("the knowledge bases %s are readable by some groups only, but no sign-in is configured "
                    "(ZHIKU_TOKEN, API tokens or ZHIKU_TRUSTED_USER_HEADER): nobody can read them here",
                    ", ".join(registry.restricted()))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if warm_up:
            assistant.warm_up()
        yield
        feedback.close()
        if question_log is not None:
            question_log.close()
        if owned:
            assistant.close()

    # /docs and /redoc from files inside an installed package: an intranet machine reaches no CDN
    app = FastAPIOffline(
        title="智库 zhiku",
        summary="Answers questions from the organisation's articles, every claim cited.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.feedback = feedback
    app.state.question_log = question_log
    app.state.kb = kb
    app.state.kbs = kbs
    app.state.registry = registry
    app.state.tokens = identity.tokens
    app.state.identity = identity
    app.state.audit = AuditLog(audit_path(settings))
    _add_error_handlers(app)
    app.include_router(api.router)
    app.include_router(openai_compat.router)
    app.include_router(api_kb.router)
    app.include_router(api_admin.router)
    app.include_router(api_access.router)
    app.include_router(preview.router)  # before the chat, which takes every other path
    _add_pages(app, settings, origins)

    app.add_middleware(BodyLimitMiddleware, limits={
        "/api/kb/upload": settings.upload_max_mb * 1024 * 1024 + 64 * 1024,  # + multipart framing
        "/api/": JSON_LIMIT,
        "/v1/": JSON_LIMIT,
    })
    install_access(app, identity, origins)  # before the mount: Gradio then keeps our CORS policy
    _mount_chat(app, settings, assistant, feedback, kb, PageAccess(identity, app.state.audit, kbs), question_log)
    return app


def open_question_log(settings: Settings, feedback: FeedbackStore) -> QuestionLog | None:
    """The question log (None with ZHIKU_QUESTION_LOG=off); thumbs given later find their question."""
    if not settings.question_log:
        return None
    question_log = QuestionLog(settings.data_dir / FILE_NAME, settings.question_log_days,
                               settings.question_log_max_rows)
    feedback.listeners.append(question_log.link_feedback)
    return question_log


class Health(BaseModel):
    status: str
    index: bool
    llm: str  # "ready", "starting", "idle" (not started yet), "failed: <reason>", or "off" (extractive answerer)
    embedder: bool  # the embedding model is loaded


class Readiness(BaseModel):
    ready: bool
    waiting_for: list[str]  # of "index", "embedder", "llm"
    llm: str


def _add_pages(app: FastAPI, settings: Settings, origins: list[str]) -> None:
    store = make_store(settings)  # for /healthz: whether an index was built, on either store

    @app.get("/healthz", response_model=Health, tags=["pages"], summary="Liveness and what is loaded; open without a token")
    def healthz(request: Request) -> dict:
        assistant: Assistant = request.app.state.assistant
        return {
            "status": "ok",
            "index": bool(store.version()),
            "llm": str(assistant.llm_status) if settings.answerer == "llm" else "off",
            "embedder": assistant.embedder_loaded,
        }

    @app.get("/readyz", response_model=Readiness, tags=["pages"],
             responses={503: {"model": Readiness, "description": "still loading, or nothing to answer from"}},
             summary="Readiness: 200 once questions are answered at full speed; open without a token")
    def readyz(request: Request) -> JSONResponse:
        assistant: Assistant = request.app.state.assistant
        llm = str(assistant.llm_status) if settings.answerer == "llm" else "off"
        waiting = [name for name, ready in (
            ("index", bool(store.version())),
            ("embedder", assistant.embedder_loaded),
            ("llm", llm in ("ready", "off") or llm.startswith("failed")),  # failed: answers fall back, not wait
        ) if not ready]
        body = {"ready": not waiting, "waiting_for": waiting, "llm": llm}
        return JSONResponse(body, status_code=200 if not waiting else 503, headers={"Cache-Control": "no-store"})

    add_widget_pages(app, settings, origins)


def _mount_chat(app: FastAPI, settings: Settings, assistant: Assistant, feedback: FeedbackStore,
                kb: KnowledgeBase, access: PageAccess, question_log: QuestionLog | None = None) -> None:
    import gradio as gr
    from fastapi.staticfiles import StaticFiles

    from ui.gradio_app import build_gradio_app
    from ui.gradio_i18n import gradio_i18n

    # evaluation reports (self-contained HTML, every text escaped) for the chat's 评测 tab;
    # mounted before the chat, which takes every other path under /
    app.mount("/eval-reports", StaticFiles(directory=settings.data_dir / "eval", check_dir=False),
              name="eval-reports")
    blocks = build_gradio_app(assistant, settings, feedback, kb, question_log, access)
    # no "Use via API 🚀" in a Chinese staff page: developers have /docs
    gr.mount_gradio_app(app, blocks, path="/", run_history=False, footer_links=[],
                        max_file_size=f"{settings.upload_max_mb}mb", head=TOKEN_SCRUB,
                        i18n=gradio_i18n(settings.language))  # Gradio's own words in ZHIKU_LANGUAGE


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
        described = [_describe(e) for e in errors]
        more = f" (and {len(described) - 3} more)" if len(described) > 3 else ""
        return _error(request, status, "; ".join(described[:3]) + more,
                      errors=[{"loc": list(e.get("loc", ())), "msg": d} for e, d in zip(errors, described)][:20])

    @app.exception_handler(ZhikuError)
    async def user_error(request: Request, exc: ZhikuError) -> JSONResponse:
        if isinstance(exc, BusyError):  # over capacity: a retryable 503, not the client's fault
            return _error(request, 503, str(exc), headers={"Retry-After": "5"})
        return _error(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(request, exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(request, 500, "internal error; the server log has the details")


def _describe(error: dict) -> str:
    loc = [str(p) for p in error.get("loc", ()) if p != "body"]
    kind = error.get("type", "")
    if kind == "json_invalid":
        return f"the body is not valid JSON ({error.get('ctx', {}).get('error', 'decode error')})"
    if kind == "extra_forbidden":
        return f"{'.'.join(loc)}: unknown field"
    if kind == "missing" and not loc:
        return "a JSON body is required"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{'.'.join(loc)}: {message}" if loc else message


def _error(request: Request, status: int, detail: str, headers: dict | None = None, **extra) -> JSONResponse:
    content = {"detail": detail, **extra}
    if request.url.path.startswith("/v1/"):  # what OpenAI clients read
        kind = "invalid_request_error" if status < 500 else "server_error"
        content["error"] = {"message": detail, "type": kind, "code": status}
    return JSONResponse(content, status_code=status, headers=headers)


def _loaded_embedder(assistant: Assistant):
    """The assistant's embedder, so uploads do not load a second copy of the model."""
    try:
        return assistant.retriever.embedder
    except ZhikuError:
        return None
