"""The notices rag/ writes beside an answer, as the page's language shows them. rag/ writes them in
Chinese, the language of the answers themselves (and the question log keys refusal reasons on
them); an English page shows the same notice in English. Keyed by rag/'s own constants, so a
notice reworded there falls back to the Chinese text rather than to a wrong translation.

Usage: `notice_in("en", answer.notice)`.
"""

from __future__ import annotations

from rag.answer_edits import NOTICE_NEAR_MISS, NOTICE_REBOUND
from rag.answer_in_hand import NOTICE_IN_HAND_INVENTED
from rag.asked_kind import NOTICE_NOT_GIVEN
from rag.assistant import NOTICE_EXTRACTED, NOTICE_LLM_BROKEN, NOTICE_LLM_TIMEOUT
from rag.grounding import (
    NOTICE_IN_HAND,
    NOTICE_INVENTED,
    NOTICE_MODEL_DECLINED,
    NOTICE_PARTLY_INVENTED,
    NOTICE_UNCITED,
)
from rag.near_miss import NOTICE_OTHER_TIME
from rag.parts import NOTICE_PART_ADDED
from rag.verification import NOTICE_UNVERIFIED

EN = {
    NOTICE_EXTRACTED: "No generative model was used: the sentences below are quoted from the articles.",
    NOTICE_LLM_TIMEOUT: "The generative model did not answer in time; the sentences below are quoted from the articles.",
    NOTICE_MODEL_DECLINED: ("The generative model found the articles do not answer this; the passages it searched "
                            "are still listed under the sources."),
    NOTICE_IN_HAND: ("The generative model found the articles insufficient, but this sentence of the first passage "
                     "meets every condition of the question: it is quoted above."),
    NOTICE_IN_HAND_INVENTED: ("The generative model's answer held figures or names the articles do not; it was not used. "
                              "This sentence of the first passage meets every condition of the question: it is quoted above."),
    NOTICE_INVENTED: ("The generative model's answer held figures or names the articles do not; it was not used. "
                      "The passages searched are still listed under the sources."),
    NOTICE_PARTLY_INVENTED: "Figures or names the articles do not hold were removed from the model's answer (with their clauses).",
    NOTICE_NEAR_MISS: ("The articles do not give exactly what was asked; above is the closest they give. "
                       "Mind the difference."),
    NOTICE_OTHER_TIME: ("One figure of the generative model's answer belongs, in the articles, to another year or period; "
                        "it was removed, and the answer says which period it is."),
    NOTICE_REBOUND: ("The model's figure belongs to another subject in the articles; above is the sentence that "
                     "answers the question instead."),
    NOTICE_UNVERIFIED: ("On checking, the model found the articles' sentence does not directly answer the question; "
                        "above is the closest sentence in the articles. Judge for yourself."),
    NOTICE_NOT_GIVEN: ("The generative model's answer did not give the date, figure, reason, role or name asked for; above is the closest "
                       "sentence in the articles. Judge for yourself."),
    NOTICE_UNCITED: ("No passage of the articles holds the generative model's answer; above is the closest sentence "
                     "in the articles. Judge for yourself."),
    NOTICE_PART_ADDED: ("The generative model left a part of the question unanswered; the articles' sentence for it "
                        "is added above, or it is said that the articles do not give it."),
}
LLM_BROKEN_EN = ("The generative model is failing and cannot be used for now ({reason}); the sentences below are "
                 "quoted from the articles. An administrator can run `zhiku doctor` to see why.")


def notice_in(language: str, notice: str) -> str:
    """`notice` as a page in `language` shows it (unchanged in Chinese, or when not known)."""
    if language == "zh" or not notice:
        return notice
    if notice in EN:
        return EN[notice]
    before, after = NOTICE_LLM_BROKEN.split("{reason}")
    if notice.startswith(before) and notice.endswith(after):
        return LLM_BROKEN_EN.format(reason=notice[len(before) : len(notice) - len(after)])
    return notice
