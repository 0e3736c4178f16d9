() => {
  // The page's script (Gradio runs this function once on load). Buttons rendered in HTML
  // hand their value to a hidden Gradio button's event through a window variable:
  // - a citation [n] or "view in the bulletin" opens the source viewer (#ba-open-btn);
  // - a section of the contents opens in the reader (#ba-read-btn);
  // - a passage link (?p=…) opens the reader at the passage (#ba-passage-btn) and puts the
  //   link in the address bar, so it can be copied and sent;
  // - "copy citation" copies the citation, the quote and the passage's full link.
  // The tab bar decides which tabs go into its overflow menu when it is first drawn, before
  // the phone layout has stacked the columns; a resize makes it measure again.
  for (const ms of [300, 1000]) setTimeout(() => window.dispatchEvent(new Event('resize')), ms);
  const press = (id) => { const b = document.querySelector(id); if (b) b.click(); };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {
      const area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      const ok = document.execCommand('copy'); area.remove(); return ok;
    }
  };
  document.addEventListener('click', async (event) => {
    const brief = event.target && event.target.closest
      ? event.target.closest('button.ba-brief') : null;
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
    const el = event.target && event.target.closest
      ? event.target.closest('button.ba-cite, button.ba-open, button.ba-sec, a.ba-link, button.ba-plink, button.ba-copy')
      : null;
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
      window.history.replaceState(null, '', url.pathname + url.search);
      press('#ba-passage-btn');
    } else if (el.matches('button.ba-copy')) {
      const url = new URL(window.location.href);
      url.search = '?p=' + encodeURIComponent(el.dataset.passage || ''); url.hash = '';
      const text = el.value + '\n' + url.toString();
      window.baCopied = text;
      if (await copy(text)) {
        const label = el.textContent; el.textContent = '✓ ' + (el.dataset.done || label);
        setTimeout(() => { el.textContent = label; }, 2000);
      }
    }
  }, true);
}
