/* The embeddable chat: streams answers from api/ask/stream and shows where each claim comes from.
   What retrieval found comes first (the passages, and an extract labelled 摘录); the model's text
   replaces the extract as it streams, and the checked answer replaces both.
   Untrusted text (questions, answers, titles, passages) only ever goes in through textContent. */
(function () {
  'use strict';

  var params = new URLSearchParams(location.search);
  var token = params.get('token') || '';
  var lang = (params.get('lang') || document.documentElement.getAttribute('data-lang')) === 'en' ? 'en' : 'zh';
  var TEXT = {
    zh: {
      title: '智库问答', newChat: '新对话', send: '发送', placeholder: '输入问题，Enter 发送，Shift+Enter 换行',
      empty: '向智库提问：回答只来自本单位的文章，每句都标注出处。', sources: '出处', more: '其他检索到的段落',
      searched: '检索内容：', thanks: '谢谢反馈', comment: '补充说明（可选）', submit: '提交',
      noToken: '需要访问令牌：请联系管理员。', expired: '会话已过期，请刷新页面。', offline: '无法连接服务器，请稍后再试。', failed: '出错了：',
      up: '有帮助', down: '没帮助', page: '第 {p} 页', pages: '第 {p}–{q} 页', ocr: 'OCR 识别', open: '在原文中查看',
      extract: '摘录', extractNote: '资料中的原句，不是生成模型的回答；回答写好后替换这里。',
      found: '检索到的段落', writing: '已找到相关段落，正在生成回答……', suggest: '知识库收录的是这类文章，例如：'
    },
    en: {
      title: 'Zhiku', newChat: 'New chat', send: 'Send', placeholder: 'Ask a question (Enter sends, Shift+Enter: new line)',
      empty: 'Ask zhiku: answers come only from your organisation\'s articles, each claim cited.', sources: 'Sources',
      more: 'Other passages retrieved', searched: 'Searched for: ', thanks: 'Thank you', comment: 'Comment (optional)',
      submit: 'Send', noToken: 'An access token is required: ask your administrator.',
      expired: 'The session has expired: reload the page (请刷新页面).',
      offline: 'Cannot reach the server; try again later.', failed: 'Error: ', up: 'Helpful', down: 'Not helpful',
      page: 'page {p}', pages: 'pages {p}–{q}', ocr: 'read by OCR', open: 'Open in the document',
      extract: 'Extract', extractNote: 'sentences from the articles, not the model\'s answer; the answer replaces them.',
      found: 'Passages found', writing: 'Passages found; writing the answer…',
      suggest: 'The knowledge base holds articles such as:'
    }
  }[lang];

  var HISTORY_TURNS = 6;
  var MARKER = /\[(\d+)\]/g;
  var log = document.getElementById('log');
  var empty = document.getElementById('empty');
  var form = document.getElementById('form');
  var input = document.getElementById('question');
  var sendButton = document.getElementById('send');
  var history = [];
  var busy = false;
  var counter = 0;
  var conversationId = newId();

  document.documentElement.lang = lang === 'en' ? 'en' : 'zh';
  document.getElementById('title').textContent = params.get('title') || TEXT.title;
  document.title = params.get('title') || TEXT.title;
  document.getElementById('new').textContent = TEXT.newChat;
  sendButton.textContent = TEXT.send;
  input.placeholder = TEXT.placeholder;
  empty.textContent = TEXT.empty;

  function newId() {
    return 'w' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function headers() {
    var h = { 'Content-Type': 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // an answer taller than the panel (its sources run long) is shown from its start, not its end
  function scrollToAnswer(view) {
    var top = view.msg.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
    if (view.msg.offsetHeight > log.clientHeight) log.scrollTop = top;
    else scrollDown();
  }

  // text with its web links clickable ("<https://…>" as articles often write them, brackets dropped);
  // only http(s) becomes a link, and every piece is a text node
  var URL_IN_TEXT = /<?(https?:\/\/[^\s<>"'，。；）】]+)>?/g;
  function appendText(node, text) {
    var last = 0;
    text.replace(URL_IN_TEXT, function (match, url, offset) {
      node.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el('a', 'src-link', url);
      link.href = url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      node.appendChild(link);
      last = offset + match.length;
      return match;
    });
    node.appendChild(document.createTextNode(text.slice(last)));
  }

  function addMessage(role, text) {
    empty.hidden = true;
    var msg = el('div', 'msg ' + role);
    var bubble = el('div', 'bubble', text);
    msg.appendChild(bubble);
    log.appendChild(msg);
    scrollDown();
    return { msg: msg, bubble: bubble };
  }

  // --- rendering a finished answer ---------------------------------------------------------

  function renderAnswer(view, answer, question) {
    var prefix = 'm' + (++counter) + '-src-';
    if (view.found) view.found.remove();  // the passages found give way to the ones the answer cites
    view.bubble.classList.remove('streaming', 'extract');
    view.bubble.textContent = '';
    appendLinked(view.bubble, answer.answer || '', answer.citations, prefix);

    if (answer.notice || answer.refused) {
      var notice = answer.notice || '';
      if (answer.refused) notice = (notice ? notice + ' ' : '') + TEXT.searched + (answer.standalone_question || question);
      view.msg.appendChild(el('div', 'notice', notice));
      if (answer.refused) suggestTitles(view.msg, answer.hits || []);
    }
    if (answer.citations.length) view.msg.appendChild(renderSources(answer, prefix));
    view.msg.appendChild(renderFeedback(question, answer));
    scrollToAnswer(view);
  }

  // a refusal says what the knowledge base holds instead: the nearest titles among the hits, which
  // the server already limited to what this visitor may read; never called related to the question
  function suggestTitles(node, hits) {
    var titles = [];
    hits.forEach(function (h) {
      var title = h.title || h.source;
      if (title && titles.indexOf(title) < 0 && titles.length < 3) titles.push(title);
    });
    if (!titles.length) return;
    var box = el('div', 'suggest', TEXT.suggest);
    var list = el('ul');
    titles.forEach(function (title) { list.appendChild(el('li', null, title)); });
    box.appendChild(list);
    node.appendChild(box);
  }

  // `text` into `node`, each [n] that names one of `items` a link to its entry `prefix + n`
  function appendLinked(node, text, items, prefix) {
    var cited = {};
    items.forEach(function (c) { cited[c.n] = c; });
    var last = 0;
    text.replace(MARKER, function (match, n, offset) {
      appendText(node, text.slice(last, offset));
      if (cited[n]) {
        var link = el('a', 'cite', '[' + n + ']');
        link.href = '#' + prefix + n;
        link.addEventListener('click', function (event) {
          event.preventDefault();
          var target = document.getElementById(prefix + n);
          if (!target) return;
          target.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
          target.classList.add('flash');
          setTimeout(function () { target.classList.remove('flash'); }, 1200);
        });
        node.appendChild(link);
      } else {
        node.appendChild(document.createTextNode(match));
      }
      last = offset + match.length;
      return match;
    });
    appendText(node, text.slice(last));
  }

  // --- before the answer: what retrieval found ----------------------------------------------

  function showFound(view, data) {
    view.prefix = 'm' + (++counter) + '-found-';
    view.passages = data.passages || [];
    var box = el('section', 'sources found');
    box.appendChild(el('h3', null, TEXT.found));
    box.appendChild(sourceList(view.passages, view.prefix));
    view.msg.appendChild(box);
    view.found = box;
    scrollToAnswer(view);
  }

  function showExtract(view, text) {
    view.bubble.textContent = '';
    if (!text) {
      view.bubble.textContent = TEXT.writing;
      view.waiting = true;
      return;
    }
    view.bubble.classList.add('extract');
    var label = el('div', 'extract-label');
    label.appendChild(el('strong', null, TEXT.extract));
    label.appendChild(document.createTextNode(' ' + TEXT.extractNote));
    view.bubble.appendChild(label);
    appendLinked(view.bubble, text, view.passages || [], view.prefix);
    view.waiting = true;
    scrollToAnswer(view);
  }

  function showToken(view, delta) {
    if (view.waiting) {  // the model's first words replace the extract
      view.waiting = false;
      view.bubble.classList.remove('extract');
      view.bubble.textContent = '';
    }
    view.bubble.appendChild(document.createTextNode(delta));
    scrollToAnswer(view);
  }

  function renderSources(answer, prefix) {
    var box = el('section', 'sources');
    box.appendChild(el('h3', null, TEXT.sources));
    box.appendChild(sourceList(answer.citations, prefix));
    var citedIds = {};
    answer.citations.forEach(function (c) { citedIds[c.chunk_id] = true; });
    var others = (answer.hits || []).filter(function (h) { return !citedIds[h.chunk_id]; });
    if (others.length) {
      var more = el('details', 'more');
      more.appendChild(el('summary', null, TEXT.more + ' (' + others.length + ')'));
      others.forEach(function (h) {
        var item = el('div', 'source');
        item.appendChild(el('div', 'src-title', h.title || h.source));
        item.appendChild(meta(h, ''));
        item.appendChild(passage(h.text, ''));
        more.appendChild(item);
      });
      box.appendChild(more);
    }
    return box;
  }

  // numbered passages, each with its quote highlighted, entry ids `prefix + n`
  function sourceList(items, prefix) {
    var list = el('ol');
    items.forEach(function (c) {
      var item = el('li', 'source');
      item.id = prefix + c.n;
      var head = el('div', 'src-head');
      head.appendChild(el('span', 'num', c.n));
      head.appendChild(el('span', 'src-title', c.title || c.source));
      item.appendChild(head);
      item.appendChild(meta(c, c.section));
      item.appendChild(passage(c.text, c.quote));
      list.appendChild(item);
    });
    return list;
  }

  // file · 第 3 页 · OCR 识别 · section, then a link opening the passage in its document
  function meta(c, section) {
    var line = el('div', 'src-meta', [c.source, pageLabel(c), c.ocr ? TEXT.ocr : '', section].filter(Boolean).join(' · '));
    if (c.preview) {
      var open = el('a', 'src-open', TEXT.open);
      open.href = c.preview + (token ? '&token=' + encodeURIComponent(token) : '');
      open.target = '_blank';
      open.rel = 'noopener';
      line.appendChild(document.createTextNode(' · '));
      line.appendChild(open);
    }
    return line;
  }

  function pageLabel(c) {
    if (c.page === null || c.page === undefined) return '';
    if (c.last_page && c.last_page !== c.page) return TEXT.pages.replace('{p}', c.page).replace('{q}', c.last_page);
    return TEXT.page.replace('{p}', c.page);
  }

  function passage(text, quote) {
    var p = el('p', 'passage');
    text = text || '';
    var at = quote ? text.indexOf(quote) : -1;
    if (at < 0) {
      appendText(p, text);
      return p;
    }
    appendText(p, text.slice(0, at));
    var mark = el('mark');
    appendText(mark, quote);
    p.appendChild(mark);
    appendText(p, text.slice(at + quote.length));
    return p;
  }

  function renderFeedback(question, answer) {
    var row = el('div', 'feedback');
    var rating = null;
    var up = el('button', null, TEXT.up);  // words, not emoji: intranet PCs often lack an emoji font
    var down = el('button', null, TEXT.down);
    up.type = down.type = 'button';
    var comment = el('input');
    comment.placeholder = TEXT.comment;
    comment.maxLength = 2000;
    comment.hidden = true;
    var submit = el('button', null, TEXT.submit);
    submit.type = 'button';
    submit.hidden = true;

    function choose(value, button) {
      rating = value;
      up.setAttribute('aria-pressed', String(button === up));
      down.setAttribute('aria-pressed', String(button === down));
      comment.hidden = submit.hidden = false;
      comment.focus();
    }
    function send() {
      if (!rating) return;
      var body = {
        rating: rating, question: question, answer: answer.answer, comment: comment.value,
        citations: answer.citations.map(function (c) {
          return { n: c.n, title: c.title, source: c.source, section: c.section, quote: c.quote, chunk_id: c.chunk_id };
        }),
        answerer: answer.answerer, conversation_id: conversationId, channel: 'widget'
      };
      fetch('api/feedback', { method: 'POST', headers: headers(), body: JSON.stringify(body) }).then(function (res) {
        row.textContent = res.ok ? TEXT.thanks : TEXT.failed + res.status;
      }, function () { row.textContent = TEXT.offline; });
    }
    up.addEventListener('click', function () { choose('up', up); });
    down.addEventListener('click', function () { choose('down', down); });
    submit.addEventListener('click', send);
    comment.addEventListener('keydown', function (event) { if (event.key === 'Enter') { event.preventDefault(); send(); } });
    [up, down, comment, submit].forEach(function (node) { row.appendChild(node); });
    return row;
  }

  // --- asking --------------------------------------------------------------------------------

  function errorText(status, body) {
    // a minted widget token lives an hour or so: a page left open longer needs a fresh one
    if (status === 401 && token.indexOf('zkw_') === 0) return TEXT.expired;
    if (status === 401) return TEXT.noToken;
    var detail = body && typeof body.detail === 'string' ? body.detail : 'HTTP ' + status;
    return TEXT.failed + detail;
  }

  function showError(view, message) {
    view.bubble.classList.remove('streaming');
    view.bubble.classList.add('error');
    view.bubble.textContent = message;
  }

  async function ask(question) {
    busy = true;
    sendButton.disabled = true;
    addMessage('user', question);
    var view = addMessage('bot', '');
    view.bubble.classList.add('streaming');
    var payload = { question: question, history: history.slice(-HISTORY_TURNS), conversation_id: conversationId };
    try {
      var res = await fetch('api/ask/stream', { method: 'POST', headers: headers(), body: JSON.stringify(payload) });
      if (!res.ok) {
        var body = await res.json().catch(function () { return null; });
        showError(view, errorText(res.status, body));
        return;
      }
      var answer = await readEvents(res, {
        passages: function (data) { showFound(view, data); },
        extract: function (data) { showExtract(view, data.text); },
        token: function (data) { showToken(view, data.text); }
      });
      if (answer.error) {
        showError(view, TEXT.failed + answer.error);
        return;
      }
      renderAnswer(view, answer, question);
      history.push({ question: question, answer: answer.answer });
    } catch (err) {
      showError(view, TEXT.offline);
    } finally {
      busy = false;
      sendButton.disabled = false;
    }
  }

  // Server-Sent Events over fetch (EventSource cannot POST): passages, extract, token deltas, then
  // one answer; `on` has a handler per event before the answer.
  async function readEvents(res, on) {
    var reader = res.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    var final = { error: 'no answer' };
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        var block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        var event = 'message';
        var data = '';
        block.split('\n').forEach(function (line) {
          if (line.indexOf('event:') === 0) event = line.slice(6).trim();
          else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
        });
        if (!data) continue;
        var parsed = JSON.parse(data);
        if (event === 'answer') final = parsed;
        else if (on[event]) on[event](parsed);
        else if (event === 'error') final = { error: parsed.message };
      }
    }
    return final;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = '';
    input.style.height = '';
    ask(question);
  });
  input.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener('input', function () {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 120) + 'px';
  });
  document.getElementById('new').addEventListener('click', function () {
    history = [];
    conversationId = newId();
    Array.prototype.slice.call(log.querySelectorAll('.msg')).forEach(function (node) { node.remove(); });
    empty.hidden = false;
    input.focus();
  });
})();
