"""The embedded LLM: llama.cpp's OpenAI-compatible server on loopback, in a child process.

A child process, not a thread: a crash or an out-of-memory kill of llama.cpp cannot take the app
down, and its memory is returned when it stops. The child (`llm_worker.py`) exits when its stdin
closes, so it dies with the app even when the app is killed.
With `slots` > 1 the server decodes that many answers together (llama.cpp's parallel slots with
continuous batching); llama.cpp divides its context among the slots, so it is given
`n_ctx * slots` and every answer keeps `n_ctx` tokens.
Usage:
    with LocalLLMServer(gguf_path, n_ctx=4096, threads=2, slots=2) as server:
        chat = make_chat_model(settings, server.base_url, api_key=server.api_key)
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from index.errors import LLMError

logger = logging.getLogger(__name__)

_WORKER = Path(__file__).with_name("llm_worker.py")  # its name tells the process list what it is


class LocalLLMServer:
    """One llama.cpp server process serving one GGUF file on 127.0.0.1 (a free port).

    Starts on first use of `base_url` (or `start()`); starting again reuses the running process.
    Stopped by `stop()`, on leaving a `with` block, or at interpreter exit.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 4096,
        threads: int = 2,
        slots: int = 1,
        alias: str = "local",
        log_path: Path | None = None,
        start_timeout_s: float = 180.0,
        prompt_cache_mib: int = 256,
    ) -> None:
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.threads = threads
        self.slots = slots
        self.alias = alias  # the model name the server answers to
        self.log_path = log_path  # llama.cpp's own log; None = a temporary file
        self.start_timeout_s = start_timeout_s
        self.prompt_cache_mib = prompt_cache_mib
        # a random key per server: other local users and browser pages cannot use it
        self.api_key = secrets.token_urlsafe(24)
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[bytes] | None = None
        self._address = ""
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`, starting the server if it is not running."""
        return self.start()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running else None

    def start(self) -> str:
        """Start the server unless it is running; returns its base URL."""
        with self._lock:
            if self.running:
                return self._address + "/v1"
            if self._proc is not None:
                logger.warning("local LLM server (pid %d) exited with code %s; restarting", self._proc.pid, self._proc.poll())
                self._cleanup()
            if not self.model_path.is_file():
                raise LLMError(f"GGUF model file not found: {self.model_path}")
            began = time.perf_counter()
            try:
                self._launch()
                self._wait_ready()
            except BaseException:
                self._kill()
                self._cleanup()
                raise
            atexit.register(self.stop)
            logger.info(
                "local LLM server pid %d on %s ready in %.1f s (%s, %d slots of n_ctx %d, %d threads)",
                self._proc.pid, self._address, time.perf_counter() - began, self.model_path.name, self.slots, self.n_ctx,
                self.threads,
            )
            return self._address + "/v1"

    def stop(self) -> None:
        """Stop the server process (idempotent)."""
        with self._lock:
            atexit.unregister(self.stop)
            if self._proc is None:
                return
            if self._proc.poll() is None:
                try:
                    self._proc.stdin.close()  # the worker's signal to shut down cleanly
                    self._proc.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    self._kill()
            self._cleanup()

    def __enter__(self) -> LocalLLMServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _launch(self) -> None:
        self._log = open(self.log_path, "w+b") if self.log_path else tempfile.TemporaryFile()  # noqa: SIM115
        self._proc = subprocess.Popen(
            [sys.executable, str(_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )
        config = {
            "model": str(self.model_path),
            "n_ctx": self.n_ctx * self.slots,  # llama.cpp splits it among the slots
            "slots": self.slots,
            "threads": self.threads,
            "api_key": self.api_key,
            "alias": self.alias,
            "cache_ram_mib": self.prompt_cache_mib,
        }
        self._proc.stdin.write(json.dumps(config) + "\n")
        self._proc.stdin.flush()

    def _wait_ready(self) -> None:
        # the worker answers with one line once the model is loaded; read it off-thread for the timeout
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self._proc.stdout.readline()), daemon=True).start()
        try:
            reply = json.loads(lines.get(timeout=self.start_timeout_s) or "{}")
        except queue.Empty:
            raise self._start_error(f"no answer within {self.start_timeout_s:.0f} s") from None
        except ValueError:
            reply = {}
        if "address" not in reply:
            if "error" in reply:
                raise self._start_error(reply["error"])
            try:
                code = self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            raise self._start_error(f"the process exited with code {code}")
        self._address = reply["address"]
        request = urllib.request.Request(self._address + "/v1/models", headers={"Authorization": f"Bearer {self.api_key}"})
        no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # HTTP_PROXY cannot reach loopback
        try:
            with no_proxy.open(request, timeout=10) as response:
                json.load(response)
        except (OSError, ValueError) as exc:
            raise self._start_error(f"{self._address}/v1/models did not answer: {exc}") from None

    def _start_error(self, reason: str) -> LLMError:
        return LLMError(
            f"the local LLM server could not start on {self.model_path}: {reason.rstrip('.')}. "
            f"Is it a GGUF file llama.cpp can load, and is `xllamacpp` installed (`pip install xllamacpp==2026.10.11549`)? "
            f"llama.cpp's log ends with:\n{self._log_tail()}"
        )

    def _log_tail(self, limit: int = 1500) -> str:
        if self._log is None:
            return ""
        try:
            fd = self._log.fileno()
            size = os.fstat(fd).st_size
            return os.pread(fd, limit, max(0, size - limit)).decode("utf-8", "replace")
        except OSError:
            return ""

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def _cleanup(self) -> None:
        for stream in (self._proc.stdin, self._proc.stdout) if self._proc else ():
            try:
                stream.close()
            except OSError:
                pass
        if self._log is not None:
            self._log.close()
        self._proc, self._log, self._address = None, None, ""
