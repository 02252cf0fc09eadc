/* zhiku widget: one tag puts a chat button on any page.

   <script src="http://HOST/widget.js" data-token="..." data-position="bottom-right"
           data-title="智库问答" data-open="false" data-lang="zh"></script>

   The button opens a panel with an iframe to HOST/embed (HOST is where this script came from).
   Plain DOM, no library, styles set on the elements themselves (host-page CSS and CSP friendly). */
(function () {
  'use strict';
  if (window.ZhikuWidget) return; // included twice: keep the first

  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script) return;
  var src = new URL(script.src, location.href);
  var base = src.href.split(/[?#]/)[0].replace(/widget\.js$/, '');
  var data = script.dataset || {};
  var token = data.token || src.searchParams.get('token') || '';
  var lang = data.lang === 'en' || data.lang === 'zh' ? data.lang : ''; // '' = the server's language
  var title = data.title || (lang === 'en' ? 'Ask zhiku' : '智库问答');
  var left = data.position === 'bottom-left';
  var startOpen = data.open === 'true';

  function css(node, styles) {
    Object.keys(styles).forEach(function (key) { node.style[key] = styles[key]; });
    return node;
  }

  function chatIcon() {  // drawn, not an emoji: intranet PCs often lack an emoji font
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '26');
    svg.setAttribute('height', '26');
    svg.setAttribute('aria-hidden', 'true');
    css(svg, { verticalAlign: 'middle' });
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01zm5 0a1.5 1.5 0 1 0 0 .01z');
    path.setAttribute('fill', '#fff');
    path.setAttribute('fill-rule', 'evenodd');  // the three dots are holes
    svg.appendChild(path);
    return svg;
  }

  var host = document.createElement('div');
  host.setAttribute('data-zhiku-widget', '');
  var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host; // page CSS cannot reach inside
  var side = left ? 'left' : 'right';

  var button = css(document.createElement('button'), {
    position: 'fixed', bottom: '20px', width: '56px', height: '56px', borderRadius: '50%', border: '0',
    background: '#1f5fbf', color: '#fff', fontSize: '22px', lineHeight: '56px', padding: '0', cursor: 'pointer',
    boxShadow: '0 4px 14px rgba(0,0,0,.25)', zIndex: '2147483000', fontFamily: 'sans-serif'
  });
  button.style[side] = '20px';
  button.type = 'button';
  button.appendChild(chatIcon());
  button.title = title;
  button.setAttribute('aria-label', title);
  button.setAttribute('aria-expanded', 'false');

  var panel = css(document.createElement('div'), {
    position: 'fixed', bottom: '88px', width: 'min(400px, calc(100vw - 40px))', height: 'min(620px, calc(100vh - 120px))',
    borderRadius: '12px', overflow: 'hidden', boxShadow: '0 8px 30px rgba(0,0,0,.25)', background: '#fff',
    zIndex: '2147483000', display: 'none'
  });
  panel.style[side] = '20px';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', title);

  var TEXT = (lang || document.documentElement.lang || 'zh').slice(0, 2) === 'en' ? {
    refused: 'This page ({origin}) is not allowed to embed the zhiku chat. Ask the zhiku administrator to add {origin} to the {setting} setting.',
    minted: 'This page ({origin}) is not the site its widget token was minted for ({minted}). The site\'s back end should mint a token for this page.',
    unreachable: 'The zhiku server ({host}) cannot be reached. Please try again later.'
  } : {
    refused: '此页面（{origin}）未被允许嵌入智库问答。请智库管理员在服务器设置 {setting} 中加入 {origin}。',
    minted: '此页面（{origin}）与挂件令牌签发时指定的网站（{minted}）不一致。请由本网站的后端为此页面签发令牌。',
    unreachable: '无法连接智库服务（{host}），请稍后再试。'
  };

  function say(message) {  // text only: nothing from the server becomes markup
    var box = css(document.createElement('div'), {
      padding: '24px', font: '14px/1.6 sans-serif', color: '#7f1d1d', background: '#fef2f2', height: '100%',
      boxSizing: 'border-box'
    });
    box.setAttribute('role', 'alert');
    box.textContent = message;
    panel.appendChild(box);
  }

  var frame = null;
  function ensureFrame() {
    if (frame) return;
    frame = 'checking';
    // a page the server does not allow would get the browser's broken-frame icon: ask first, say why
    var checkUrl = base + 'widget/check' + (token ? '?token=' + encodeURIComponent(token) : '');
    fetch(checkUrl, { credentials: 'omit' }).then(function (response) {
      return response.json();
    }).then(function (check) {
      if (check.allowed) return openFrame();
      if (check.minted_for) return say(TEXT.minted.replace('{origin}', check.origin).replace('{minted}', check.minted_for));
      say(TEXT.refused.replace(/\{origin\}/g, check.origin).replace('{setting}', check.setting));
    }, function () {
      say(TEXT.unreachable.replace('{host}', new URL(base).host));
    });
  }

  function openFrame() {
    var query = new URLSearchParams();
    if (lang) query.set('lang', lang);
    if (data.title) query.set('title', data.title);
    if (token) query.set('token', token);
    frame = css(document.createElement('iframe'), { width: '100%', height: '100%', border: '0', display: 'block' });
    frame.title = title;
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.src = base + 'embed?' + query.toString();
    panel.appendChild(frame);
  }

  function setOpen(open) {
    if (open) ensureFrame();
    panel.style.display = open ? 'block' : 'none';
    button.textContent = open ? '✕' : '';
    if (!open) button.appendChild(chatIcon());
    button.setAttribute('aria-expanded', String(open));
  }

  button.addEventListener('click', function () { setOpen(panel.style.display === 'none'); });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && panel.style.display !== 'none') setOpen(false);
  });

  root.appendChild(panel);
  root.appendChild(button);
  function mount() {
    document.body.appendChild(host);
    if (startOpen) setOpen(true);
  }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  window.ZhikuWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
    toggle: function () { setOpen(panel.style.display === 'none'); }
  };
})();
