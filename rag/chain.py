"""The LangChain (LCEL) runnables of answering.

    prepare:  {question, history} -> condense -> retrieve (part by part) -> select passages -> assess evidence
    answer:   {passages, question, history} -> prompt -> chat model -> text (streams)

The Assistant streams `answer` and then checks citations; keeping the two runnables apart lets
the expensive LLM call be skipped when the evidence already says "not in the articles".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from index.records import Hit
from rag.answer_type import prefer_answer_type
from rag.context import format_passages, select_passages
from rag.conversation import Turn, history_messages, history_text, naive_standalone, needs_condensing
from rag.evidence import assess_evidence
from rag.prompts import answer_prompt, condense_prompt
from rag.subquestions import search_by_parts


class Deadline(BaseCallbackHandler):
    """Stops a model still writing `seconds` after the start: `chain.stream(x, config={"callbacks": [Deadline(60)]})`.

    Raised from inside the model's stream, so its HTTP response is closed at once; closing the
    chain's stream from outside would make LangChain read the rest of the answer first."""

    raise_error = True

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def on_llm_new_token(self, token: str, **kwargs) -> None:
        if time.monotonic() > self.until:
            raise TimeoutError(f"the LLM wrote for more than {self.seconds:g} s")


def _timed(name: str, fn: Callable[[dict], object]) -> Runnable:
    """Run `fn(inputs)` and record its wall time in inputs['timings'][name] (ms)."""

    def step(inputs: dict) -> object:
        started = time.perf_counter()
        result = fn(inputs)
        inputs["timings"][name] = round((time.perf_counter() - started) * 1000, 1)
        return result

    return RunnableLambda(step)


def make_condenser(chat_model: BaseChatModel | None) -> Callable[[dict], str]:
    """Follow-ups become standalone questions: with the LLM when there is one, else naively."""
    rewrite = condense_prompt() | chat_model | StrOutputParser() if chat_model is not None else None

    def condense(inputs: dict) -> str:
        question, history = inputs["question"], inputs["history"]
        if not needs_condensing(question, history):
            return question
        if rewrite is None:
            return naive_standalone(question, history)
        try:
            text = rewrite.invoke({"history": history_text(history), "question": question}).strip()
        except Exception:  # a failing LLM must not stop retrieval
            return naive_standalone(question, history)
        first_line = text.splitlines()[0].strip() if text else ""
        return first_line[:300] or naive_standalone(question, history)

    return condense


def build_prepare_chain(
    search: Callable[[str], list[Hit]],
    chat_model: BaseChatModel | None,
    context_chars: int,
    top_k: int = 5,
) -> Runnable:
    """{question, history: list[Turn], hits: list[Hit] | None, timings: dict} -> the same, plus
    standalone, hits, passages, evidence."""

    def retrieve(inputs: dict) -> list[Hit]:
        if inputs.get("hits") is not None:
            return inputs["hits"]
        return search_by_parts(lambda q: prefer_answer_type(q, search(q)), inputs["standalone"], top_k)

    return (
        RunnablePassthrough.assign(standalone=_timed("condense_ms", make_condenser(chat_model)))
        | RunnablePassthrough.assign(hits=_timed("retrieve_ms", retrieve))
        | RunnablePassthrough.assign(passages=lambda x: select_passages(x["hits"], context_chars))
        | RunnablePassthrough.assign(evidence=lambda x: assess_evidence(x["standalone"], x["hits"]))
    )


def build_answer_chain(chat_model: BaseChatModel) -> Runnable:
    """{passages, standalone, history} -> the model's text, streamed."""

    def to_prompt_inputs(inputs: dict) -> dict:
        history: list[Turn] = inputs["history"]
        return {
            "passages": format_passages(inputs["passages"]),
            "question": inputs["standalone"],
            "history": history_messages(history),
        }

    return RunnableLambda(to_prompt_inputs) | answer_prompt() | chat_model | StrOutputParser()
