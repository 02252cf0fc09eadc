"""The LangChain (LCEL) part of answering, and the only one in rag/ besides the chat-model client
(rag/llm/client.py): the answer chain, prompt | chat model | parser, and the follow-up rewriter.

Everything before the model (rag/prepare.py) and after it (rag/grounding.py) is plain Python
over records; any LangChain chat model fits here (the local server's, a gateway's, a test's fake).

Usage:
    for delta in stream_answer(chat_model, prepared, seconds=120): ...
    prepared = prepare(question, history, settings, retriever, rewrite=rewriter(chat_model))
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import Runnable

from rag.context import format_passages
from rag.conversation import Rewrite, Turn, shown_answer
from rag.prepare import Prepared
from rag.prompts import ANSWER_HUMAN, ANSWER_SYSTEM, CONDENSE_HUMAN, CONDENSE_SYSTEM, VERIFY_HUMAN, example_turns

ChatModel = BaseChatModel  # what answers: any LangChain chat model


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


def stream_answer(chat_model: ChatModel, prepared: Prepared, seconds: float) -> Iterator[str]:
    """The model's answer to `prepared`, delta by delta. The client's timeout bounds each read;
    the deadline of `seconds` bounds a model that never stops."""
    inputs = {
        "passages": format_passages(prepared.passages),
        "question": prepared.standalone,
        "history": history_messages(prepared.history),
    }
    return answer_chain(chat_model).stream(inputs, config={"callbacks": [Deadline(seconds)]})


def answer_chain(chat_model: ChatModel) -> Runnable:
    """{passages, question, history} -> the model's text."""
    return answer_prompt() | chat_model | StrOutputParser()


def rewriter(chat_model: ChatModel) -> Rewrite:
    """The model rewriting a follow-up as a standalone question (see rag.conversation)."""
    chain = condense_prompt() | chat_model | StrOutputParser()
    return lambda history, question: chain.invoke({"history": history, "question": question})


def yes_judge(chat_model: ChatModel) -> Callable[[str, str], float | None]:
    """(question, sentence) -> the model's probability that the sentence answers the question,
    from the logprobs of its first token (是 against 否); None when the model gives no logprobs
    (an endpoint without them, a test's fake model)."""
    judge = ChatPromptTemplate.from_messages([("human", VERIFY_HUMAN)]) | chat_model.bind(
        logprobs=True, top_logprobs=10, max_tokens=1, temperature=0)

    def probability(question: str, sentence: str) -> float | None:
        message = judge.invoke({"question": question, "sentence": sentence})
        content = ((getattr(message, "response_metadata", None) or {}).get("logprobs") or {}).get("content") or []
        if not content:
            return None
        yes = no = 0.0
        for option in content[0].get("top_logprobs") or []:
            token = option["token"].strip()
            if token in _YES:
                yes += math.exp(option["logprob"])
            elif token in _NO:
                no += math.exp(option["logprob"])
        return yes / (yes + no) if yes + no > 0 else None

    return probability


_YES = {"是", "是的", "对", "yes", "Yes"}
_NO = {"否", "不", "不是", "没有", "no", "No"}


def answer_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", ANSWER_SYSTEM), *example_messages(), MessagesPlaceholder("history"), ("human", ANSWER_HUMAN)]
    )


def condense_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("system", CONDENSE_SYSTEM), ("human", CONDENSE_HUMAN)])


def example_messages() -> list[BaseMessage]:
    """The worked examples as messages: as messages, their braces are never read as template fields."""
    return [m for user, assistant in example_turns() for m in (HumanMessage(user), AIMessage(assistant))]


def history_messages(history: list[Turn]) -> list[BaseMessage]:
    return [m for turn in history for m in (HumanMessage(turn.question), AIMessage(shown_answer(turn)))]
