"""The LLM's health as the rest of zhiku sees it: ready, starting, failed (and why).

A failed call is told apart as a timeout (the model is slow: a warning) or a fault (the model is
broken: an error said once, with what to do), so the fallback notice and /healthz tell the truth.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import httpx
import openai

log = logging.getLogger(__name__)

DOCTOR_HINT = "run `zhiku doctor` to see what is wrong and how to fix it"


@dataclass(frozen=True)
class LLMStatus:
    """What the LLM is doing now, for /healthz and the chat's banner.

    state: "idle" (not needed yet), "starting", "ready" or "failed" (then `reason` says why).
    """

    state: str
    reason: str = ""
    since: float = field(default_factory=time.monotonic, compare=False)  # when this state began

    @property
    def seconds(self) -> int:
        """How long it has been in this state (the chat shows how long the model has been starting)."""
        return int(time.monotonic() - self.since)

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


class LLMHealth:
    """The LLM's status as its calls start, succeed and fail; a broken model is said once at
    ERROR with what to do, a slow one is only a warning (it may answer the next question)."""

    def __init__(self, state: str = "idle") -> None:
        self.status = LLMStatus(state)
        self._logged_reason = ""

    def starting(self) -> None:
        if self.status.state not in ("ready", "starting"):  # a second caller keeps the first start time
            self.status = LLMStatus("starting")

    def succeeded(self) -> None:
        self.status = LLMStatus("ready")

    def failed(self, failure: LLMFailure) -> None:
        if failure.timed_out:
            log.warning("the LLM did not answer in time (%s); answering from the passages", failure.reason)
            if self.status.state == "starting":  # a timeout at start-up leaves it unusable, not ready
                self.status = LLMStatus("failed", failure.reason)
            return
        self.status = LLMStatus("failed", failure.reason)
        if failure.reason != self._logged_reason:
            self._logged_reason = failure.reason
            log.error("the LLM is not working (%s): answers are extracted from the passages until it is; %s",
                      failure.reason, DOCTOR_HINT)
