() => {
  // The page's script (Gradio runs this function once on load). Buttons rendered in HTML
  // hand their value to a hidden Gradio button's event through a window variable:
  // - a citation [n] or "view in the bulletin" opens the source viewer (#ba-open-btn); on a
  //   phone the viewer is a sheet over the bottom of the screen (closed by × or a tap outside);
  // - a section of the contents opens in the reader (#ba-read-btn);
  // - a passage link (?p=…) opens the reader at the passage (#ba-passage-btn) and puts the
  //   link in the address bar, so it can be copied and sent;
  // - "copy citation" copies the citation, the quote and the passage's full link; "copy
  //   answer" the answer's text and its sources with their links. A copied link is on the
  //   public address when the server has one (--public-url), else on this page's.
  // Also: a citation's quote on hover (a long press on a touch screen); messages brought
  // into view; the question box's length shown near its limit; on a phone, the page starts
  // at its title and a new answer is scrolled to its question.
  // The tab bar decides which tabs go into its overflow menu when it is first drawn, before
  // the phone layout has stacked the columns; a resize makes it measure again.
  for (const ms of [300, 1000]) setTimeout(() => window.dispatchEvent(new Event('resize')), ms);
  const narrow = () => window.matchMedia('(max-width: 720px)').matches;
  const press = (id) => { const b = document.querySelector(id); if (b) b.click(); };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      const ok = document.execCommand('copy'); area.remove(); return ok;
    }
  };
  const squash = (text) => (text || '').replace(/\s+/g, ' ').trim();
  const passageLink = (id) => {
    const config = document.querySelector('#ba-config .ba-config');
    const base = squash(config ? config.dataset.publicUrl : '');
    const url = base ? new URL(base.endsWith('/') ? base : base + '/') : new URL(window.location.href);
    url.search = '?p=' + encodeURIComponent(id || ''); url.hash = '';
    return url.toString();
  };
  const passageOf = (ref) => { const parts = (ref || '').split('|'); parts.splice(-2); return parts.join('|'); };
  const done = (el, label) => {
    const before = el.textContent; el.textContent = '✓ ' + (label || before);
    setTimeout(() => { el.textContent = before; }, 2000);
  };

  // ---- the first screen
  setTimeout(() => {
    if (narrow()) { window.scrollTo(0, 0); return; }
    const box = document.querySelector('#ba-question textarea');
    if (box && !new URL(window.location.href).searchParams.get('p')) box.focus({preventScroll: true});
  }, 500);

  // ---- the source sheet (phone)
  // (a data attribute on the viewer's column: the page's style is scoped inside the app)
  const sheet = () => document.querySelector('#ba-side');
  const sheetOpen = () => { const s = sheet(); return !!s && s.dataset.sheet === 'open'; };
  const closeSheet = () => { const s = sheet(); if (s) delete s.dataset.sheet; };
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') closeSheet(); });

  // ---- an answer as text: its words, then each source with where it is and its link
  const answerText = (answer) => {
    const parts = [];
    for (const el of answer.querySelectorAll('.ba-intro, .ba-supporting, .ba-body, .ba-notice')) {
      parts.push(el.innerText.trim());
    }
    const sources = answer.querySelector('.ba-sources');
    if (sources) {
      const lines = [sources.querySelector('.ba-h').innerText.trim() + ':'];
      for (const li of sources.querySelectorAll('li')) {
        const cite = li.querySelector('button.ba-cite');
        const quote = li.querySelector('.ba-quote');
        lines.push(`${cite.innerText.trim()} ${squash(li.querySelector('.ba-where').innerText)}`
          + (quote ? ` “${squash(quote.innerText)}”` : '') + ` ${passageLink(passageOf(cite.value))}`);
      }
      parts.push(lines.join('\n'));
    }
    return parts.filter(Boolean).join('\n\n');
  };

  // ---- a citation's quote on hover or long press
  let tip = null, held = null, heldAt = 0;
  const hideTip = () => { if (tip) { tip.remove(); tip = null; } };
  const quoteOf = (btn) => {
    const answer = btn.closest('.ba-answer');
    if (!answer) return null;
    const n = (btn.textContent.match(/\d+/) || [''])[0];
    const li = answer.querySelector(`.ba-sources li[value="${n}"]`);
    let quote = li && li.querySelector('.ba-quote') ? squash(li.querySelector('.ba-quote').innerText) : '';
    if (!quote) {
      const blocks = [...answer.querySelectorAll('.ba-body .ba-block, .ba-supporting .ba-block')]
        .filter((b) => [...b.querySelectorAll('button.ba-cite')].some((c) => c.value === btn.value));
      quote = blocks.map((b) => {
        const c = b.cloneNode(true);
        c.querySelectorAll('button, .ba-from').forEach((x) => x.remove());
        return squash(c.textContent);
      }).join(' ');
    }
    const where = li ? squash(li.querySelector('.ba-where').innerText) : '';
    return quote || where ? {where, quote} : null;
  };
  const showTip = (btn) => {
    hideTip();
    const found = quoteOf(btn);
    if (!found) return;
    tip = document.createElement('div');
    tip.className = 'ba-tip'; tip.setAttribute('role', 'tooltip');
    const where = document.createElement('div'); where.className = 'ba-tip-where'; where.textContent = found.where;
    const quote = document.createElement('q');
    quote.textContent = found.quote.length > 420 ? found.quote.slice(0, 419) + '…' : found.quote;
    tip.append(where, quote);
    // inside the app: the page's style is scoped to it
    (document.querySelector('.gradio-container .contain') || document.body).appendChild(tip);
    const r = btn.getBoundingClientRect(), t = tip.getBoundingClientRect();
    const left = Math.max(8, Math.min(r.left, window.innerWidth - t.width - 8));
    const top = r.top - t.height - 8 >= 0 ? r.top - t.height - 8 : Math.min(r.bottom + 8, window.innerHeight - t.height - 8);
    tip.style.left = left + 'px'; tip.style.top = Math.max(8, top) + 'px';
  };
  document.addEventListener('mouseover', (event) => {
    const btn = event.target.closest ? event.target.closest('#ba-chat button.ba-cite') : null;
    if (btn) showTip(btn);
  });
  document.addEventListener('mouseout', (event) => {
    if (event.target.closest && event.target.closest('button.ba-cite')) hideTip();
  });
  window.addEventListener('scroll', hideTip, {passive: true, capture: true});
  document.addEventListener('touchstart', (event) => {
    const btn = event.target.closest ? event.target.closest('#ba-chat button.ba-cite') : null;
    clearTimeout(held);
    if (!btn) { hideTip(); return; }
    held = setTimeout(() => { heldAt = Date.now(); showTip(btn); }, 500);
  }, {passive: true});
  for (const name of ['touchend', 'touchmove', 'touchcancel']) {
    document.addEventListener(name, () => clearTimeout(held), {passive: true});
  }

  document.addEventListener('click', async (event) => {
    const target = event.target;
    if (!target || !target.closest) return;
    if (Date.now() - heldAt < 800 && target.closest('button.ba-cite')) {
      event.preventDefault(); event.stopPropagation(); return;  // a long press showed the quote
    }
    hideTip();
    if (target.closest('button.ba-close')) { closeSheet(); return; }
    if (sheetOpen() && !target.closest('#ba-side')
        && !target.closest('button.ba-cite, button.ba-open')) closeSheet();
    const brief = target.closest('button.ba-brief');
    if (brief && brief.value) {
      // "Tóm tắt mục này": the request goes into the question box and is sent
      event.preventDefault();
      const box = document.querySelector('#ba-question textarea, #ba-question input');
      const send = document.querySelector('#ba-send');
      if (!box || !send) return;
      box.value = brief.value;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => send.click(), 50);
      return;
    }
    const el = target.closest('button.ba-cite, button.ba-open, button.ba-sec, a.ba-link, button.ba-plink, button.ba-copy, button.ba-copyans');
    if (!el) return;
    if (el.matches('a') && (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0)) return;
    event.preventDefault();
    event.stopPropagation();
    if (el.matches('button.ba-cite, button.ba-open')) {
      if (!el.value) return;
      window.baRef = el.value; press('#ba-open-btn');
    } else if (el.matches('button.ba-sec')) {
      window.baSection = el.value; press('#ba-read-btn');
    } else if (el.matches('a.ba-link, button.ba-plink')) {
      const url = new URL(el.matches('a') ? el.getAttribute('href') : window.location.href,
                          window.location.href);
      if (!el.matches('a')) url.search = '?p=' + encodeURIComponent(el.value || '');
      window.baPassage = url.searchParams.get('p') || '';
      window.history.replaceState(null, '', window.location.pathname + url.search);
      closeSheet();
      press('#ba-passage-btn');
    } else if (el.matches('button.ba-copy')) {
      const text = el.value + '\n' + passageLink(el.dataset.passage);
      window.baCopied = text;
      if (await copy(text)) done(el, el.dataset.done);
    } else if (el.matches('button.ba-copyans')) {
      const answer = el.closest('.ba-answer');
      if (!answer) return;
      const text = answerText(answer);
      window.baCopied = text;
      if (await copy(text)) done(el, el.value);
    }
  }, true);

  // ---- messages come into view; the question box shows its length near the limit
  setTimeout(() => {
    for (const sel of ['#ba-status', '#ba-fb-status', '#ba-eval-status']) {
      const el = document.querySelector(sel);
      if (!el) continue;
      new MutationObserver(() => {
        const message = el.querySelector('.ba-status');
        if (!message) return;
        const r = message.getBoundingClientRect();
        if (r.bottom > window.innerHeight || r.top < 0) message.scrollIntoView({block: 'nearest'});
      }).observe(el, {childList: true, subtree: true});
    }
    // on a phone, a new answer is shown from its question (the page, not the chat, scrolls)
    const chat = document.querySelector('#ba-chat');
    let answers = 0;
    if (chat) new MutationObserver(() => {
      const n = chat.querySelectorAll('.ba-answer:not(.ba-draft)').length;
      if (n > answers && narrow()) {
        const questions = chat.querySelectorAll('.ba-q');
        const last = questions[questions.length - 1];
        if (last) setTimeout(() => last.scrollIntoView({block: 'start'}), 50);
      }
      answers = n;
    }).observe(chat, {childList: true, subtree: true});
  }, 500);
  document.addEventListener('input', (event) => {
    const box = event.target;
    if (!box.closest || !box.closest('#ba-question') || !(box.maxLength > 0)) return;
    let hint = document.querySelector('#ba-limit');
    if (!hint) {
      hint = document.createElement('div'); hint.id = 'ba-limit'; hint.className = 'ba-limit';
      box.closest('#ba-question').appendChild(hint);
    }
    const n = box.value.length, max = box.maxLength;
    const fmt = (x) => x.toLocaleString(document.documentElement.lang || undefined);
    hint.textContent = n >= 0.8 * max ? `${fmt(n)} / ${fmt(max)}` : '';
  }, true);
}
