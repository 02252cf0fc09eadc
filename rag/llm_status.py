"""The LLM's health as the rest of zhiku sees it: ready, starting, failed (and why).

A failed call is told apart as a timeout (the model is slow: a warning) or a fault (the model is
broken: an error said once, with what to do), so the fallback notice and /healthz tell the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import openai

DOCTOR_HINT = "run `zhiku doctor` to see what is wrong and how to fix it"


@dataclass(frozen=True)
class LLMStatus:
    """What the LLM is doing now, for /healthz and the chat's banner.

    state: "idle" (not needed yet), "starting", "ready" or "failed" (then `reason` says why).
    """

    state: str
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.state}: {self.reason}" if self.reason else self.state


@dataclass(frozen=True)
class LLMFailure:
    """One failed LLM call, told apart: a timeout is the model being slow, anything else is broken."""

    timed_out: bool
    reason: str  # one line, for the log, the notice and /healthz


def describe_failure(exc: BaseException) -> LLMFailure:
    timed_out = isinstance(exc, (TimeoutError, httpx.TimeoutException, openai.APITimeoutError))
    text = " ".join(str(exc).split()) or "no message"
    reason = f"{type(exc).__name__}: {text}"
    return LLMFailure(timed_out, reason[:240])
