"""The words of the 洞察 (insights) tab, in ZHIKU_LANGUAGE: Chinese by default, English with "en".

Usage: `w = InsightsWords(settings.language); w("refresh")`, `w("no_row", id=12)`.
"""

from __future__ import annotations

ZH = {
    "tab": "洞察",
    "since": "时间范围（7d、2w 或 2026-01-31 起）",
    "text": "问题或回答包含",
    "refresh": "刷新",
    "per_day": "每天的提问（已回答 + 未回答）",
    "rates": "未回答率与差评率",
    "rates_one_day": "未回答率与差评率（仅一天的数据）",
    "latency": "回答耗时（p50 / p95，毫秒）",
    "latency_one_day": "回答耗时（p50 / p95，毫秒；仅一天的数据）",
    "unanswered": "#### 未回答（点一行，转为测试用例）",
    "gaps_csv": "导出内容缺口 CSV",
    "disliked": "#### 差评（点一行，转为测试用例）",
    "case": "#### 转为测试用例",
    "log_id": "日志编号",
    "load": "载入",
    "testset": "测试集名称（data/testsets/<名称>.jsonl）",
    "question": "问题",
    "answer_then": "当时的回答",
    "expected": "期望答案",
    "keywords": "关键词（用、或逗号分隔：正确答案必须包含每一个）",
    "passage": "证据所在的检索段落",
    "passage_text": "段落原文（选中一段文字即填入证据）",
    "evidence": "证据（段落中的原文片段）",
    "unanswerable": "资料中没有答案（内容缺口：期望拒答）",
    "save": "加入测试集",
    "figures": "**提问** {asked} · **未回答率** {refusal} · **差评率** {down}（{thumbs_down} / {rated} 条评价）· "
               "**耗时** p50 {p50}，p95 {p95}",
    "answered_series": "已回答",
    "refused_series": "未回答",
    "refusal_series": "未回答率",
    "down_series": "差评率",
    "no_row": "没有编号为 {id} 的记录。",
    "already_case": "已转为测试用例：{case}",
    "standalone": "结合上文理解为：{text}",
    "note_sep": "；",
    "choose_row": "请先选择一条记录。",
    "saved": "✅ 已加入 {path}（{id}，{kind}）",
    "expect_refusal": "期望拒答",
    "expect_answer": "期望回答",
    "admins_only": "仅管理员可用。",
    "no_comment": "（无评论）",
    "col_id": "编号", "col_time": "时间", "col_question": "问题", "col_why": "原因或评论", "col_closest": "最接近的文章",
    "reason_evidence": "检索到的资料不足",
    "reason_model_declined": "模型判断资料不足",
    "reason_invented_figures": "回答含资料中没有的数字",
    "reason_kind_not_given": "回答没有给出所问的日期或数字",
    "reason_near_miss": "资料只有相近的内容",
    "no_questions": "还没有提问。",
    "also_asked": "（另有说法：{variants}）",
    "top_questions": "最常问的问题（相近的说法合并计数）",
    "list_sep": "；",
}

EN = {
    "tab": "Insights",
    "since": "Since (7d, 2w or 2026-01-31)",
    "text": "Question or answer contains",
    "refresh": "Refresh",
    "per_day": "Questions per day (answered + unanswered)",
    "rates": "Unanswered and thumbs-down rates",
    "rates_one_day": "Unanswered and thumbs-down rates (one day of data)",
    "latency": "Answer time (p50 / p95, ms)",
    "latency_one_day": "Answer time (p50 / p95, ms; one day of data)",
    "unanswered": "#### Unanswered (click a row to make it a test case)",
    "gaps_csv": "Export content gaps (CSV)",
    "disliked": "#### Thumbs down (click a row to make it a test case)",
    "case": "#### Make a test case",
    "log_id": "Log number",
    "load": "Load",
    "testset": "Test set name (data/testsets/<name>.jsonl)",
    "question": "Question",
    "answer_then": "The answer given then",
    "expected": "Expected answer",
    "keywords": "Keywords (separated by 、 or commas: a right answer holds each)",
    "passage": "Retrieved passage holding the evidence",
    "passage_text": "The passage (select text in it to fill in the evidence)",
    "evidence": "Evidence (a span of the passage)",
    "unanswerable": "The articles hold no answer (a content gap: a refusal is expected)",
    "save": "Add to the test set",
    "figures": "**Asked** {asked} · **unanswered** {refusal} · **thumbs down** {down} ({thumbs_down} / {rated} rated) · "
               "**time** p50 {p50}, p95 {p95}",
    "answered_series": "answered",
    "refused_series": "unanswered",
    "refusal_series": "unanswered rate",
    "down_series": "thumbs-down rate",
    "no_row": "No log entry numbered {id}.",
    "already_case": "Already a test case: {case}",
    "standalone": "Read with the conversation as: {text}",
    "note_sep": "; ",
    "choose_row": "Choose a log entry first.",
    "saved": "✅ Added to {path} ({id}, {kind})",
    "expect_refusal": "refusal expected",
    "expect_answer": "answer expected",
    "admins_only": "For administrators only.",
    "no_comment": "(no comment)",
    "col_id": "No.", "col_time": "Time", "col_question": "Question", "col_why": "Reason or comment",
    "col_closest": "Closest articles",
    "reason_evidence": "too little in the articles retrieved",
    "reason_model_declined": "the model found the articles insufficient",
    "reason_invented_figures": "the answer had figures no article holds",
    "reason_kind_not_given": "the answer gave no date or figure where one was asked",
    "reason_near_miss": "the articles hold only something close",
    "no_questions": "No questions yet.",
    "also_asked": "(also asked as: {variants})",
    "top_questions": "Most asked questions (rewordings counted together)",
    "list_sep": "; ",
}


class InsightsWords:
    def __init__(self, language: str = "zh"):
        self._words = EN if language == "en" else ZH

    def __call__(self, key: str, **values) -> str:
        text = self._words.get(key) or ZH[key]
        return text.format(**values) if values else text

    def columns(self) -> list[str]:
        return [self(k) for k in ("col_id", "col_time", "col_question", "col_why", "col_closest")]
