"""The tag /widget-demo hands a web team for its site (ui/widget_snippet.py), without a server."""

from __future__ import annotations

import pytest

from index.errors import ZhikuError
from ui.widget_snippet import site_origin, widget_snippet

BASE = "http://zhiku.intra:7860/"


@pytest.mark.parametrize("typed, origin", [
    ("https://Intranet.Example.com/news/page.html?x=1", "https://intranet.example.com"),
    ("intranet.example.com:8443", "https://intranet.example.com:8443"),
    ("http://10.0.0.5:8080/", "http://10.0.0.5:8080"),
    ("https://user:pw@portal.example.com/", "https://portal.example.com"),
])
def test_an_address_becomes_the_origin_a_browser_sends(typed, origin):
    assert site_origin(typed) == origin


@pytest.mark.parametrize("typed", ["", "   ", "ftp://files.example.com", "javascript:alert(1)", "https://"])
def test_what_is_not_a_web_address_is_refused_with_a_sentence(typed):
    with pytest.raises(ZhikuError, match="请输入网站地址"):
        widget_snippet(typed, BASE, [])


def test_a_site_not_yet_allowed_gets_the_tag_and_the_setting_to_add():
    snippet = widget_snippet("https://portal.example.com/home", BASE, ["https://news.example.com"])
    assert not snippet.allowed and "ZHIKU_ALLOWED_ORIGINS" in snippet.message
    assert snippet.setting == """ZHIKU_ALLOWED_ORIGINS='["https://news.example.com", "https://portal.example.com"]'"""
    assert snippet.tag.startswith('<script src="http://zhiku.intra:7860/widget.js" ') and "token" not in snippet.tag


def test_an_allowed_site_or_a_minted_token_needs_no_setting():
    allowed = widget_snippet("https://news.example.com", BASE, ["https://news.example.com"], "en")
    minted = widget_snippet("https://portal.example.com", BASE, [], "zh", widget_token="zw.abc")
    assert allowed.allowed and allowed.setting == "" and "may embed" in allowed.message
    assert minted.allowed and minted.setting == "" and "widget.js?token=zw.abc" in minted.tag
