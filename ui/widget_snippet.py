"""The tag a web team pastes, for the site they name on /widget-demo: whether that site may embed
the widget now, the one-line <script> tag, and what to change when it may not.

Without an access token the tag is the same for every site and works once the site is in
ZHIKU_ALLOWED_ORIGINS. With one, a page needs a widget token minted for its site; the demo page
mints a one-hour token for the viewer so the tag works at once, and says how the site's back end
mints one per page view for good (README: "Widget tokens, minted by the host page's back end").

Usage: `snippet = widget_snippet("https://intranet.example.com/news/", "http://zhiku:7860/", origins, "zh")`.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from index.errors import ZhikuError
from ui.access import normalise_origins

WORDS = {
    "zh": {
        "bad": "请输入网站地址，例如 https://intranet.example.com（只看协议、主机名和端口）。",
        "allowed": "{origin} 已允许嵌入：把下面这一行加到该网站的页面里即可。",
        "not_allowed": "{origin} 还不能嵌入：请管理员把它加入服务器设置 ZHIKU_ALLOWED_ORIGINS 并重启，然后把下面这一行加到页面里。",
        "minted": "下面这一行带有为 {origin} 签发的挂件令牌，一小时内有效，可立即试用；正式上线时请由该网站的后端在每次打开页面时签发（POST /api/widget-tokens），不要把长期令牌写进页面。",
        "title": "智库问答",
    },
    "en": {
        "bad": "Enter the site's address, e.g. https://intranet.example.com (only its scheme, host and port count).",
        "allowed": "{origin} may embed the widget: add the line below to its pages.",
        "not_allowed": "{origin} may not embed the widget yet: an administrator adds it to the server's ZHIKU_ALLOWED_ORIGINS and restarts it; then add the line below to its pages.",
        "minted": "The line below carries a widget token minted for {origin}, valid for an hour, to try it now; in production the site's back end mints one per page view (POST /api/widget-tokens): never put a long-lived token in a page.",
        "title": "Ask the articles",
    },
}


@dataclass(frozen=True)
class Snippet:
    origin: str  # scheme://host[:port], as the browser sends it
    allowed: bool  # the widget opens on that site now
    tag: str  # the <script> line to paste
    message: str  # what the web team reads
    setting: str = ""  # the settings line an administrator adds, when one is needed

    def to_dict(self) -> dict:
        return asdict(self)


def site_origin(text: str) -> str:
    """'https://Intranet.example.com/news/page.html' -> 'https://intranet.example.com'."""
    value = (text or "").strip()
    parts = urlsplit(value if "://" in value else "https://" + value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ZhikuError("not an http(s) address")
    origin = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
    try:
        return normalise_origins([origin])[0]
    except (ZhikuError, IndexError):
        raise ZhikuError("not an http(s) address") from None


def widget_snippet(site: str, base_url: str, origins: list[str], language: str = "zh",
                   widget_token: str = "") -> Snippet:
    """`origins`: the server's allowed origins; `widget_token`: one minted for this site, when the
    server requires tokens (the tag then carries it)."""
    words = WORDS.get(language, WORDS["zh"])
    try:
        origin = site_origin(site)
    except ZhikuError:
        raise ZhikuError(words["bad"]) from None
    base = base_url.rstrip("/")
    src = f"{base}/widget.js" + (f"?token={widget_token}" if widget_token else "")
    tag = (f'<script src="{html.escape(src)}" data-position="bottom-right" '
           f'data-title="{html.escape(words["title"])}" data-lang="{language}"></script>')
    if widget_token:  # a minted token names its one site: no server setting to change
        return Snippet(origin, True, tag, words["minted"].format(origin=origin))
    allowed = "*" in origins or origin in origins or origin == base.lower()
    if allowed:
        return Snippet(origin, True, tag, words["allowed"].format(origin=origin))
    setting = "ZHIKU_ALLOWED_ORIGINS='" + json.dumps([*origins, origin]) + "'"
    return Snippet(origin, False, tag, words["not_allowed"].format(origin=origin), setting)
