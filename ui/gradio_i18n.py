"""Gradio's own words (the trash icon's tooltip, "Drop File Here", Like/Dislike…) in the product's
language, whatever language the browser asks for.

Gradio's frontend picks its built-in strings by the browser's locale (navigator.language) and
merges `gr.I18n` translations into each locale's dictionary. A flat key such as
"upload_text.drop_file" is looked up before Gradio's nested one (svelte-i18n checks the whole key
first), so giving every locale Gradio knows the same flat dictionary pins the page to
ZHIKU_LANGUAGE: a zh page in an English browser shows 将文件拖放到此处, an en page in a Chinese
browser shows "Drop File Here".

Usage: `demo.launch(i18n=gradio_i18n("zh"))` or `gr.mount_gradio_app(app, demo, "/", i18n=…)`.
"""

from __future__ import annotations

import gradio as gr

# the locales of gradio/templates/frontend/assets (Gradio 6.31's lang/*.json); a browser asking
# for any other language gets Gradio's fallback, "en", which is covered too
GRADIO_LOCALES = ("ar", "ca", "ckb", "de", "en", "es", "et", "eu", "fa", "fi", "fr", "he", "hi", "id", "ja",
                  "ko", "lt", "nb", "nl", "pl", "pt-BR", "pt", "ro", "ru", "sv", "ta", "th", "tr", "uk", "ur",
                  "uz", "zh-CN", "zh-TW")

# the keys the chat, knowledge-base, evaluation and insights tabs can show
ZH = {
    "chatbot.like": "有帮助",
    "chatbot.dislike": "没帮助",
    "chatbot.clear": "新对话",
    "chatbot.retry": "重新生成",
    "chatbot.undo": "撤销",
    "chatbot.edit": "编辑",
    "chatbot.submit": "发送",
    "chatbot.cancel": "取消",
    "chatbot.complete": "完成",
    "chatbot.copy_message": "复制回答",
    "chatbot.copied_message": "已复制",
    "common.clear": "清除",
    "common.complete": "完成",
    "common.logo": "标志",
    "common.upload": "上传",
    "common.submit": "提交",
    "common.loading": "加载中",
    "common.error": "错误",
    "common.or": "或",
    "common.remove": "移除",
    "common.download": "下载",
    "common.download_all": "全部下载",
    "common.edit": "编辑",
    "common.empty": "空",
    "common.undo": "撤销",
    "common.share": "分享",
    "common.settings": "设置",
    "common.language": "语言",
    "common.display_theme": "显示主题",
    "common.progress": "进度",
    "common.built_with_gradio": "使用 Gradio 构建",
    "upload_text.click_to_upload": "点击上传",
    "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.drop_csv": "将 CSV 文件拖放到此处",
    "upload_text.paste_clipboard": "从剪贴板粘贴",
    "file.uploading": "正在上传……",
    "dropdown.dropdown": "下拉菜单",
    "radio.radio": "单选框",
    "checkbox.checkbox": "复选框",
    "checkbox.checkbox_group": "复选框组",
    "label.label": "标签",
    "number.number": "数字",
    "plot.plot": "图表",
    "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "blocks.connection_can_break": "在手机上，切换标签页或锁屏可能会断开连接，需要重新排队。",
    "blocks.lost_connection": "离开页面后连接已断开，正在重新排队……",
    "blocks.long_requests_queue": "排队的请求较多，请稍候。",
    "blocks.waiting_for_inputs": "文件仍在上传，请稍后再试。",
    "dataframe.new_row": "新行",
    "dataframe.add_row_above": "在上方添加行",
    "dataframe.add_row_below": "在下方添加行",
    "dataframe.delete_row": "删除行",
    "dataframe.delete_column": "删除列",
    "dataframe.new_column": "添加列",
    "dataframe.sort_column": "排序列",
    "dataframe.sort_ascending": "升序排序",
    "dataframe.sort_descending": "降序排序",
    "dataframe.clear_sort": "清除排序",
    "dataframe.filter": "筛选",
    "dataframe.clear_filter": "清除筛选",
}

EN = {
    "chatbot.like": "Helpful",
    "chatbot.dislike": "Not helpful",
    "chatbot.clear": "New conversation",
    "chatbot.retry": "Regenerate",
    "chatbot.undo": "Undo",
    "chatbot.edit": "Edit",
    "chatbot.submit": "Send",
    "chatbot.cancel": "Cancel",
    "chatbot.complete": "Done",
    "chatbot.copy_message": "Copy answer",
    "chatbot.copied_message": "Copied",
    "common.clear": "Clear",
    "common.complete": "Done",
    "common.logo": "logo",
    "common.upload": "Upload",
    "common.submit": "Submit",
    "common.loading": "Loading",
    "common.error": "Error",
    "common.or": "or",
    "common.remove": "Remove",
    "common.download": "Download",
    "common.download_all": "Download all",
    "common.edit": "Edit",
    "common.empty": "Empty",
    "common.undo": "Undo",
    "common.share": "Share",
    "common.settings": "Settings",
    "common.language": "Language",
    "common.display_theme": "Display theme",
    "common.progress": "Progress",
    "common.built_with_gradio": "Built with Gradio",
    "upload_text.click_to_upload": "Click to upload",
    "upload_text.drop_file": "Drop a file here",
    "upload_text.drop_csv": "Drop a CSV file here",
    "upload_text.paste_clipboard": "Paste from the clipboard",
    "file.uploading": "Uploading…",
    "dropdown.dropdown": "Dropdown",
    "radio.radio": "Options",
    "checkbox.checkbox": "Checkbox",
    "checkbox.checkbox_group": "Checkboxes",
    "label.label": "Label",
    "number.number": "Number",
    "plot.plot": "Plot",
    "status.queue_position": "In queue: {position} of {size}",
    "blocks.connection_can_break": "On a phone, the connection can break when this tab is in the background.",
    "blocks.lost_connection": "Connection lost when the page was left; rejoining the queue…",
    "blocks.long_requests_queue": "Many requests are waiting; please hold on.",
    "blocks.waiting_for_inputs": "Files are still uploading; please try again in a moment.",
    "dataframe.new_row": "New row",
    "dataframe.add_row_above": "Add row above",
    "dataframe.add_row_below": "Add row below",
    "dataframe.delete_row": "Delete row",
    "dataframe.delete_column": "Delete column",
    "dataframe.new_column": "Add column",
    "dataframe.sort_column": "Sort column",
    "dataframe.sort_ascending": "Sort ascending",
    "dataframe.sort_descending": "Sort descending",
    "dataframe.clear_sort": "Clear sort",
    "dataframe.filter": "Filter",
    "dataframe.clear_filter": "Clear filters",
}

STRINGS = {"zh": ZH, "en": EN}


def gradio_strings(language: str) -> dict[str, str]:
    return STRINGS.get(language, ZH)


def gradio_i18n(language: str) -> gr.I18n:
    """One dictionary for every locale: the page speaks `language` in any browser."""
    strings = gradio_strings(language)
    return gr.I18n(**{locale: strings for locale in GRADIO_LOCALES})
