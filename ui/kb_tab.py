"""The knowledge-base tab: what is indexed and with what; upload and removal of files.

File names and titles come from users: everything shown goes through render.escape_text.
"""

from __future__ import annotations

import logging
from pathlib import Path

import gradio as gr

from index.errors import ZhikuError
from index.knowledge_base import ALLOWED_TYPES, KnowledgeBase
from rag.assistant import Assistant
from rag.settings import Settings
from ui.i18n import UIText
from ui.page_access import PageAccess
from ui.render import escape_text

log = logging.getLogger(__name__)


def build_kb_tab(assistant: Assistant, settings: Settings, kb: KnowledgeBase, t: UIText,
                 access: PageAccess | None = None) -> gr.Tab:
    """The tab, inside the current Blocks context, with its events wired. Its contents load when
    it is opened (loading the index's statistics is not free), and after each change."""
    with gr.Tab(t("tab_kb"), id="kb") as tab:
        _layout_and_wire(tab, assistant, settings, kb, t, access or PageAccess(None))
    return tab


def _layout_and_wire(tab: gr.Tab, assistant: Assistant, settings: Settings, kb: KnowledgeBase, t: UIText,
                     access: PageAccess) -> None:
    with gr.Row():
        # which knowledge base the tab shows and changes: those the reader may read (admins: all)
        collection = gr.Dropdown([(kb.collection, kb.collection)], value=kb.collection, label=t("kb_collection"),
                                 visible=False, allow_custom_value=True, elem_id="zk-kb-collection")
    summary = gr.HTML(elem_id="zk-kb-summary")
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown(f"#### {t('kb_upload')}")
            gr.Markdown(t("kb_upload_hint", types=" ".join(ALLOWED_TYPES), mb=settings.upload_max_mb))
            files = gr.File(file_count="multiple", file_types=list(ALLOWED_TYPES), type="filepath",
                            label=t("kb_upload"), show_label=False, elem_id="zk-upload")
            upload = gr.Button(t("kb_upload_button"), variant="primary")
        with gr.Column():
            gr.Markdown(f"#### {t('kb_remove')}")
            choice = gr.Dropdown([], label=t("kb_remove_choice"), interactive=True)
            remove = gr.Button(t("kb_remove_button"), variant="stop")
    with gr.Accordion(t("kb_create"), open=False, visible=False) as create_box:
        with gr.Row():
            new_name = gr.Textbox(label=t("kb_create_name"), placeholder="hr")
            new_title = gr.Textbox(label=t("kb_create_title"), placeholder=t("kb_create_title_example"))
            new_folder = gr.Textbox(label=t("kb_create_folder"), placeholder="/srv/docs/hr")
            new_groups = gr.Textbox(label=t("kb_create_groups"), value="*")
        create = gr.Button(t("kb_create_button"))
    log_box = gr.HTML(elem_id="zk-kb-log")
    refresh = gr.Button(t("kb_refresh"), size="sm")
    files_table = gr.HTML(elem_id="zk-kb-files")

    def chosen(name: str | None, request) -> KnowledgeBase:
        return access.knowledge_base(request, name or kb.collection, kb)

    def view(name=None, request: gr.Request = None):
        try:
            stats = _stats(chosen(name, request))
        except ZhikuError:
            stats = {}
        return summary_html(stats, assistant, settings, t), files_html(stats, t), gr.update(
            choices=sorted(stats.get("files", {})), value=None
        )

    def opened(name=None, request: gr.Request = None):
        names = [n for _title, n in access.choices(request)] or [kb.collection]
        name = name if name in names else names[0]
        admin = access.reader(request).is_admin and access.identity is not None
        picker = gr.update(choices=[(f"{title}（{n}）", n) for title, n in access.choices(request)] or [(name, name)],
                           value=name, visible=len(names) > 1)
        return (picker, gr.update(visible=admin), *view(name, request))

    def on_upload(paths, name=None, request: gr.Request = None, progress=gr.Progress()):
        target = name or kb.collection
        if not access.may_write(request, target):
            return (_log_html([t("kb_not_allowed")]), *view(name, request), None)
        paths = [p for p in (paths or []) if p]
        if not paths:
            return (_log_html([t("kb_upload_none")]), *view(name, request), gr.skip())
        lines = []
        for i, path in enumerate(paths):
            progress((i, len(paths)), desc=t("kb_indexing", name=Path(path).name))
            lines.append(_upload_one(chosen(name, request), Path(path), t))
        progress((len(paths), len(paths)), desc=t("kb_indexing", name=""))
        assistant.reload_if_changed()
        return (_log_html(lines), *view(name, request), None)

    def on_remove(source, name=None, request: gr.Request = None):
        if not access.may_write(request, name or kb.collection):
            return (_log_html([t("kb_not_allowed")]), *view(name, request))
        if not source:
            return (_log_html([t("kb_remove_none")]), *view(name, request))
        try:
            chosen(name, request).remove(source)
            assistant.reload_if_changed()
            line = t("kb_removed", name=source)
        except ZhikuError as exc:
            line = t("kb_upload_failed", name=source, message=str(exc))
        return (_log_html([line]), *view(name, request))

    def on_create(name, title, folder, groups, request: gr.Request = None):
        created = None
        try:
            created = access.create_collection(request, name.strip(), folder.strip(), groups, title)
            assistant.reload_if_changed()
            line = t("kb_created", name=created)
        except ZhikuError as exc:
            line = t("kb_upload_failed", name=name, message=str(exc))
        return (_log_html([line]), *opened(created, request))

    outputs = [summary, files_table, choice]
    upload.click(on_upload, inputs=[files, collection], outputs=[log_box, *outputs, files], concurrency_limit=1,
                 api_name="upload")
    remove.click(on_remove, inputs=[choice, collection], outputs=[log_box, *outputs], concurrency_limit=1,
                 api_name="remove")
    create.click(on_create, inputs=[new_name, new_title, new_folder, new_groups],
                 outputs=[log_box, collection, create_box, *outputs], concurrency_limit=1, api_name=False)
    refresh.click(view, inputs=[collection], outputs=outputs, api_name=False)
    collection.change(view, inputs=[collection], outputs=outputs, api_name=False)
    tab.select(opened, inputs=[collection], outputs=[collection, create_box, *outputs], api_name=False)


def _upload_one(kb: KnowledgeBase, path: Path, t: UIText) -> str:
    name = path.name
    try:
        safe = kb.check_upload(name, path.stat().st_size)  # before reading: size and type first
        report = kb.upload(name, path.read_bytes())
    except ZhikuError as exc:
        return t("kb_upload_failed", name=name, message=str(exc))
    except OSError as exc:
        log.warning("upload of %s failed: %s", name, exc)
        return t("kb_upload_failed", name=name, message=str(exc))
    if not report.added and not report.updated and not report.full_rebuild_reason:
        return t("kb_unchanged", name=safe)
    source = kb.source_of(safe)
    chunks = _stats(kb).get("files", {}).get(source, {}).get("chunks", 0)
    return t("kb_uploaded", name=safe, chunks=chunks, seconds=report.seconds)


def _stats(kb: KnowledgeBase) -> dict:
    try:
        return kb.stats()
    except ZhikuError as exc:  # an unreadable index: shown as none, the log says why
        log.warning("knowledge base stats: %s", exc)
        return {}


def summary_html(stats: dict, assistant: Assistant, settings: Settings, t: UIText) -> str:
    answerer = t("kb_answerer_llm") if settings.answerer == "llm" else t("kb_answerer_extractive")
    rows, details = [], []
    if stats.get("chunks"):
        rows += [
            (t("kb_documents"), stats.get("documents", 0)),
            (t("kb_articles"), stats.get("articles", 0)),
            (t("kb_chunks"), stats.get("chunks", 0)),
            (t("kb_built_at"), _when(stats.get("built_at", ""))),
        ]
        details.append((t("kb_model"), f"{stats.get('model', '')} ({stats.get('dimension', '')}d, {stats.get('index_type', '')})"))
    # model names and retrieval modes mean nothing to most staff: folded away, not gone
    details += [
        (t("kb_llm"), assistant.llm_description),
        (t("kb_answerer"), answerer),
        (t("kb_retrieval"), f"{settings.retrieval_mode}, top {settings.top_k}"),
    ]
    empty = "" if stats.get("chunks") else f'<p class="zk-notice zk-notice-info">{escape_text(t("kb_no_index"))}</p>'
    return (f'<div class="zk-kb"><h3>{escape_text(t("kb_heading"))}</h3>{empty}'
            f'<table class="zk-eval-table">{_rows(rows)}</table>'
            f'<details class="zk-details"><summary>ⓘ {escape_text(t("kb_details"))}</summary>'
            f'<table class="zk-eval-table">{_rows(details)}</table></details></div>')


def _rows(rows: list[tuple[str, object]]) -> str:
    return "".join(f"<tr><th>{escape_text(str(k))}</th><td>{escape_text(str(v))}</td></tr>" for k, v in rows)


def _when(stamp: str) -> str:
    """"2026-12-04T19:00:12+00:00" as people read it: the date and the minute (UTC said once)."""
    text = str(stamp or "")
    return text[:16].replace("T", " ") + (" UTC" if text.endswith(("+00:00", "Z")) else "") if text else ""


def files_html(stats: dict, t: UIText) -> str:
    files = stats.get("files") or {}
    if not files:
        return ""
    head = "".join(f"<th>{escape_text(t(k))}</th>" for k in ("kb_col_file", "kb_col_kind", "kb_col_articles", "kb_col_chunks"))
    rows = "".join(
        f"<tr><td>{escape_text(source)}</td><td>{escape_text(str(info.get('kind', '')))}</td>"
        f"<td>{int(info.get('articles', 0))}</td><td>{int(info.get('chunks', 0))}</td></tr>"
        for source, info in sorted(files.items())
    )
    skipped = stats.get("skipped") or []
    skipped_html = ""
    if skipped:
        items = "".join(
            f"<li>{escape_text(str(s.get('source', '')))}: {escape_text(str(s.get('reason', '')))}</li>" for s in skipped
        )
        skipped_html = f"<h4>{escape_text(t('kb_skipped'))}</h4><ul>{items}</ul>"
    return (
        f'<div class="zk-kb"><h4>{escape_text(t("kb_files"))}</h4><table class="zk-eval-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{skipped_html}</div>"
    )


def _log_html(lines: list[str]) -> str:
    return "<div class='zk-kb-log'>" + "".join(f"<div>{escape_text(line)}</div>" for line in lines) + "</div>"
