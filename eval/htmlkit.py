"""Small building blocks of the self-contained HTML reports: page shell, formatting, SVG charts.

No JavaScript and no external files: a report is one file that opens anywhere, offline.
Every piece of text passes through `esc`; questions, answers and titles are untrusted input.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

COLORS = ("#3b6ea8", "#e08a2c", "#4a9a5b", "#b5475b", "#7d62a8", "#6b7b8c")

CSS = """
body{font-family:-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0 auto;max-width:1180px;padding:24px;color:#1d2530;line-height:1.5}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:32px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
.meta{color:#5b6673;font-size:.9em}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #dde3ea;border-radius:8px;padding:10px 14px;min-width:130px}
.card b{display:block;font-size:1.5em}.card span{color:#5b6673;font-size:.85em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border-bottom:1px solid #e6eaef;padding:5px 8px;
text-align:left;vertical-align:top}th{background:#f4f6f9}td.num,th.num{text-align:right;white-space:nowrap}
.good{color:#2f7d43}.bad{color:#b23a48}.muted{color:#8a94a0}.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{flex:0 1 auto;margin:0}figcaption{font-weight:600;margin-bottom:6px}ol.hits{margin:0;padding-left:1.4em}.ev{color:#2f7d43;font-weight:bold}
.answer{white-space:pre-wrap;max-width:420px}
"""


def esc(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def fmt(key: str, value) -> str:
    """A metric for people: rates as percentages, latencies in ms or s, missing as a dash."""
    if value is None:
        return "—"
    if key == "n":
        return str(value)
    if key.startswith("latency"):
        return f"{value:.0f} ms" if value < 10_000 else f"{value / 1000:.1f} s"
    return f"{value * 100:.1f}%"


def fmt_delta(key: str, delta) -> str:
    if delta is None:
        return "—"
    if key.startswith("latency"):
        return f"{delta:+.0f} ms" if abs(delta) < 10_000 else f"{delta / 1000:+.1f} s"
    if key == "n":
        return f"{delta:+d}"
    return f"{delta * 100:+.1f} pt"


def bar_chart(groups: Sequence[tuple[str, Sequence[float | None]]], series: Sequence[str], title: str) -> str:
    """Horizontal grouped bars of values in 0..1: one group per label, one bar per series."""
    bar_h, gap, label_w, plot_w = 14, 10, 130, 360
    height = 30 + len(groups) * (len(series) * bar_h + gap) + 24
    width = label_w + plot_w + 70
    parts = [_svg_open(width, height, title)]
    y = 30
    for label, values in groups:
        group_h = len(series) * bar_h
        parts.append(_text(label_w - 8, y + group_h / 2 + 4, label, anchor="end"))
        for i, value in enumerate(values):
            color = COLORS[i % len(COLORS)]
            if value is None:
                parts.append(_text(label_w + 4, y + bar_h - 3, "n/a", cls="muted", size=10))
            else:
                w = max(0.0, min(1.0, value)) * plot_w
                parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}"/>')
                parts.append(_text(label_w + w + 4, y + bar_h - 3, f"{value * 100:.0f}%", size=10))
            y += bar_h
        y += gap
    for frac in (0, 0.5, 1):  # axis ticks
        x = label_w + frac * plot_w
        parts.append(f'<line x1="{x}" y1="26" x2="{x}" y2="{y}" stroke="#ccd3db" stroke-dasharray="2,3"/>')
        parts.append(_text(x, y + 14, f"{frac * 100:.0f}%", anchor="middle", size=10))
    parts.append(_legend(series, label_w, 16))
    parts.append("</svg>")
    return "".join(parts)


def column_chart(labels: Sequence[str], counts: Sequence[float], title: str, color: str = COLORS[0]) -> str:
    """Vertical bars with their counts on top (histograms)."""
    col_w, plot_h, left = 36, 160, 36
    width = left + max(1, len(labels)) * col_w + 20
    height = plot_h + 70
    top = max([*counts, 1])
    parts = [_svg_open(width, height, title)]
    base = 30 + plot_h
    for i, (label, count) in enumerate(zip(labels, counts)):
        h = count / top * plot_h
        x = left + i * col_w + 4
        parts.append(f'<rect x="{x}" y="{base - h:.1f}" width="{col_w - 8}" height="{h:.1f}" fill="{color}"/>')
        parts.append(_text(x + (col_w - 8) / 2, base - h - 4, f"{count:g}", anchor="middle", size=10))
        parts.append(_text(x + (col_w - 8) / 2, base + 14, label, anchor="middle", size=10))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#8a94a0"/>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_bins(values: Sequence[float], bins: int = 10) -> tuple[list[str], list[int]]:
    """Equal-width bins over the values' range, labelled by their lower edge."""
    values = [v for v in values if v is not None]
    if not values:
        return [], []
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / width))] += 1
    labels = [_short_ms(low + i * width) for i in range(bins)]
    return labels, counts


def _short_ms(ms: float) -> str:
    return f"{ms:.0f}" if ms < 1000 else f"{ms / 1000:.1f}s"


def _svg_open(width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{esc(title)}" '
        'font-family="sans-serif" font-size="12">'
        f"<title>{esc(title)}</title>"
    )


def _text(x: float, y: float, text, anchor: str = "start", size: int = 12, cls: str = "") -> str:
    fill = ' fill="#8a94a0"' if cls == "muted" else ' fill="#1d2530"'
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{fill}>{esc(text)}</text>'


def _legend(series: Sequence[str], x: float, y: float) -> str:
    parts = []
    for i, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>')
        parts.append(_text(x + 14, y, name, size=11))
        x += 24 + 7 * len(name)
    return "".join(parts)
