// The chat page's small fixes where Gradio 6.31 has no setting (ui/chat_page.py runs this once per page
// load, with __WORDS__ replaced by the page language's words):
// - accessible names: Gradio names each message "user's message: <div class=…>…" (English, raw
//   HTML), they become the page language's "your question: …" / "answer: …" with the text only; the few names Gradio hard-codes
//   in English ("chatbot conversation", "More tabs", the upload box's) are translated;
// - Enter while an input method is composing (pinyin) picks the characters, it does not send;
// - "copy answer" copies the answer's text and its sources, not the bubble's HTML.
(() => {
  const words = __WORDS__;
  if (window.__zkChat) return;  // one set of listeners per page, however often Gradio re-runs load
  window.__zkChat = true;
  const ENGLISH_MESSAGE = /^(user|bot|assistant)'s message: /;

  const plain = (el) => (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();

  function nameMessages(root) {
    root.querySelectorAll("[aria-label]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      const match = ENGLISH_MESSAGE.exec(label);
      if (match) {
        const who = match[1] === "user" ? words.user : words.bot;
        const text = plain(el).slice(0, 300);
        el.setAttribute("aria-label", text ? `${who}${words.colon}${text}` : who);
      } else if (Object.prototype.hasOwnProperty.call(words.labels, label)) {
        el.setAttribute("aria-label", words.labels[label]);  // names Gradio writes in English only
      }
    });
  }

  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; nameMessages(document.body); });
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true,
                                    attributes: true, attributeFilter: ["aria-label"] });
  nameMessages(document.body);

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !event.target.closest || !event.target.closest("#zk-question")) return;
    if (event.isComposing || event.keyCode === 229) event.stopImmediatePropagation();  // before Gradio's handler
  }, true);

  // --- copy answer ---------------------------------------------------------------------------------

  function answerText(answer) {
    const body = answer.querySelector(".zk-text") || answer;
    const sources = [];
    body.querySelectorAll("a.zk-cite").forEach((a) => {
      const line = `${a.textContent.trim()} ${a.getAttribute("title") || ""}`.trim();
      if (!sources.includes(line)) sources.push(line);
    });
    const notice = answer.querySelector(".zk-notice-refused");
    const text = notice && !answer.querySelector(".zk-text") ? notice.innerText.trim() : (body.innerText || body.textContent).trim();
    return sources.length ? `${text}\n\n${words.sources}${words.colon}\n${sources.join("\n")}` : text;
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // an intranet page over plain http has no navigator.clipboard: the old way still works
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { area.remove(); }
    return Promise.resolve();
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#zk-chatbot button");
    if (!button) return;
    const label = button.getAttribute("aria-label") || button.getAttribute("title") || "";
    if (label !== words.copy && label !== words.copied) return;
    // Gradio puts a message's buttons right after its row: <div.message-row> <div.message-buttons>
    let row = button.closest(".message-buttons");
    while (row && !row.classList.contains("message-row")) row = row.previousElementSibling;
    const answer = row && row.querySelector(".zk-answer");
    if (!answer) return;  // not an answer (a question's copy button is hidden): Gradio's own copy
    event.stopImmediatePropagation();
    event.preventDefault();
    writeClipboard(answerText(answer)).then(() => {
      button.setAttribute("aria-label", words.copied);
      button.setAttribute("title", words.copied);
      button.classList.add("zk-copied");
      setTimeout(() => {
        button.setAttribute("aria-label", words.copy);
        button.setAttribute("title", words.copy);
        button.classList.remove("zk-copied");
      }, 1500);
    });
  }, true);
})();
