"""The one chat-model client for every LLM, local or remote, and the runtime that owns it.

An OpenAI-compatible endpoint from settings wins; otherwise the embedded llama.cpp server starts
on first use, on `settings.llm_gguf_path` or the packaged Qwen2.5-Coder-1.5B GGUF.
Usage:
    with LLMRuntime(settings) as llm:
        llm.warm_up()                       # optional: start and try the model in the background
        answer = llm.chat_model().invoke("你好")
        llm.status                          # LLMStatus("ready") / ("starting") / ("failed", reason)
"""

from __future__ import annotations

import threading
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from langchain_openai import ChatOpenAI

from index.errors import LLMError
from rag.llm.server import LocalLLMServer
from rag.llm.status import LLMHealth, LLMStatus, describe_failure
from rag.llm.weights import assemble_packaged_gguf
from rag.settings import Settings


def make_chat_model(settings: Settings, base_url: str | None = None, api_key: str | None = None) -> ChatOpenAI:
    """A streaming ChatOpenAI on `base_url` (default: settings.llm_base_url) with the settings' limits."""
    url = base_url or settings.llm_base_url
    if not url:
        raise LLMError("no LLM endpoint: set ZHIKU_LLM_BASE_URL, or use LLMRuntime to start the local model")
    extra = {}
    if _is_loopback(url):
        # a proxy from HTTP_PROXY cannot reach our loopback; corporate machines often set one
        extra = {
            "http_client": httpx.Client(trust_env=False),
            "http_async_client": httpx.AsyncClient(trust_env=False),
        }
    return ChatOpenAI(
        base_url=url,
        model=settings.llm_model,
        api_key=api_key or settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_tokens=settings.llm_max_tokens,
        temperature=settings.llm_temperature,
        streaming=True,
        max_retries=1,
        **extra,
    )


def resolve_llm_base_url(settings: Settings, local_server: LocalLLMServer | None = None) -> str:
    """settings.llm_base_url if set, else the base URL of `local_server` (started, or reused)."""
    if settings.llm_base_url:
        return settings.llm_base_url
    if local_server is None:
        raise LLMError("no LLM endpoint: set ZHIKU_LLM_BASE_URL, or use LLMRuntime to start the local model")
    return local_server.base_url


def local_server_for(settings: Settings) -> LocalLLMServer:
    """The (not yet started) local server for settings.llm_gguf_path or the packaged GGUF."""
    if settings.llm_gguf_path:
        gguf = Path(settings.llm_gguf_path).expanduser()
        if not gguf.is_file():
            raise LLMError(f"ZHIKU_LLM_GGUF_PATH points to {gguf}, which is not a file")
    else:
        gguf = assemble_packaged_gguf(settings.cache_dir)
    return LocalLLMServer(
        gguf,
        n_ctx=settings.llm_ctx,
        threads=settings.llm_threads,
        slots=settings.llm_slots,
        prompt_cache_mib=settings.llm_cache_mib,
        alias=settings.llm_model,
        log_path=settings.cache_dir / "llm" / "server.log",
    )


class LLMRuntime:
    """Owns the LLM of one app: the local server (when no endpoint is configured) and the client.

    Nothing starts until `chat_model()` or `base_url` is first used; `close()` stops the server.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: LocalLLMServer | None = None
        self._chat: ChatOpenAI | None = None
        self._lock = threading.Lock()
        self.health = LLMHealth()

    @property
    def status(self) -> LLMStatus:
        return self.health.status

    def warm_up(self) -> threading.Thread:
        """Start the model and ask it for one token, in a background thread, so the first
        question does not pay the start-up; the outcome is in `status`."""
        thread = threading.Thread(target=self._try_one_token, name="llm-warm-up", daemon=True)
        thread.start()
        return thread

    def _try_one_token(self) -> None:
        self.health.starting()
        try:
            self.chat_model().invoke("你好", max_tokens=1)
        except Exception as exc:  # reported, never raised: the app answers extractively meanwhile
            self.health.failed(describe_failure(exc))
            return
        self.health.succeeded()

    @property
    def base_url(self) -> str:
        with self._lock:
            return self._resolve()

    @property
    def local_server(self) -> LocalLLMServer | None:
        """The embedded server once it has been needed; None with a configured endpoint."""
        return self._server

    def chat_model(self) -> ChatOpenAI:
        with self._lock:
            url = self._resolve()
            if self._chat is None or self._chat.openai_api_base != url:  # a restarted server has a new port
                key = self._server.api_key if self._server is not None else None
                self._chat = make_chat_model(self.settings, url, api_key=key)
            return self._chat

    def close(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
            self._server, self._chat = None, None

    def __enter__(self) -> LLMRuntime:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _resolve(self) -> str:
        if not self.settings.llm_base_url and self._server is None:
            self._server = local_server_for(self.settings)
        return resolve_llm_base_url(self.settings, self._server)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False
