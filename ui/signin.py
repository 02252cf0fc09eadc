"""The sign-in page a browser gets instead of a JSON 401: one field for the access token, in the
chat's language, saying why when a session expired or a token was refused. The form sends the
token as `?token=` (what the access layer already reads); the chat page then drops it from the
address bar (`TOKEN_SCRUB`, in the page's head) once the session cookie holds it.
"""

from __future__ import annotations

import html

TEXT = {
    "zh": {"title": "登录智库", "lead": "请输入管理员发给您的访问令牌。", "label": "访问令牌", "submit": "登录",
           "expired": "会话已过期，请重新登录。", "refused": "令牌无效或已过期，请检查后重试。"},
    "en": {"title": "Sign in to zhiku", "lead": "Enter the access token your administrator gave you.",
           "label": "Access token", "submit": "Sign in", "expired": "Your session has expired: please sign in again.",
           "refused": "The token is not valid or has expired: check it and try again."},
}

# drops ?token= from the address bar after the page loaded with it (the cookie carries the session)
TOKEN_SCRUB = ("<script>(function(){var u=new URL(location.href);if(u.searchParams.has('token')){"
               "u.searchParams.delete('token');history.replaceState(history.state,'',u.pathname+u.search+u.hash);}})();"
               "</script>")

_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>body{{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f6f7f9;margin:0;
display:flex;min-height:100vh;align-items:center;justify-content:center}}
form{{background:#fff;padding:28px 32px;border-radius:12px;box-shadow:0 4px 20px rgba(0,0,0,.08);width:min(360px,90vw)}}
h1{{font-size:20px;margin:0 0 8px}}p{{color:#555;margin:0 0 16px}}.why{{color:#b42318}}
label{{display:block;margin-bottom:6px}}input{{width:100%;box-sizing:border-box;padding:8px;font-size:15px;
border:1px solid #ccc;border-radius:6px}}button{{margin-top:16px;width:100%;padding:9px;font-size:15px;border:0;
border-radius:6px;background:#1f5fbf;color:#fff;cursor:pointer}}</style></head>
<body><form method="get" action="{action}"><h1>{title}</h1>{why}<p>{lead}</p>
<label for="token">{label}</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">{submit}</button></form></body></html>"""


def signin_page(language: str, path: str, why: str = "") -> str:
    """`why`: "expired" (a session cookie that no longer holds), "refused" (a token that does not), or ""."""
    text = TEXT["en" if language == "en" else "zh"]
    reason = f'<p class="why" role="alert">{html.escape(text[why])}</p>' if why in ("expired", "refused") else ""
    return _PAGE.format(lang="en" if language == "en" else "zh", title=html.escape(text["title"]), why=reason,
                        lead=html.escape(text["lead"]), label=html.escape(text["label"]),
                        submit=html.escape(text["submit"]), action=html.escape(path or "/", quote=True))
