// The side panel that shows the passage behind a citation: the chunk's text
// (fetched from GET /api/kbs/{kb}/chunks/{id}) with the quoted sentence marked,
// and where it comes from (document, heading path, page/sheet/slide).
import { api, kbPath, describeError } from './api.js';
import { t } from './i18n.js';
import { h, formatLocation, headingPath, baseName } from './ui.js';

let current = 0; // generation counter: a slow fetch must not overwrite a newer one

export function initPassagePanel() {
  const panel = document.getElementById('passage-panel');
  panel.querySelector('[data-testid="passage-close"]').addEventListener('click', closePassage);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !panel.hidden) closePassage(); });
}

export function closePassage() {
  const panel = document.getElementById('passage-panel');
  panel.hidden = true;
  document.body.classList.remove('panel-open');
}

/**
 * Shows citation `c` ({number, chunk_id, title, quote, ...}) from knowledge base
 * `kb`, or a closest passage of a not-found answer ({chunk_id, title, snippet, ...}).
 */
export async function openPassage(kb, c) {
  const panel = document.getElementById('passage-panel');
  const body = panel.querySelector('.panel-body');
  const gen = ++current;
  panel.hidden = false;
  panel.dataset.chunkId = String(c.chunk_id);
  document.body.classList.add('panel-open');
  panel.querySelector('.panel-title').textContent = c.number ? `[${c.number}] ${c.title || t('passage.title')}` : (c.title || t('passage.title'));
  body.replaceChildren(h('p', { class: 'muted', text: t('common.loading') }));
  panel.querySelector('[data-testid="passage-close"]').focus();

  let chunk;
  try {
    chunk = await api(kbPath(kb, `/chunks/${encodeURIComponent(c.chunk_id)}`));
  } catch (e) {
    if (gen !== current) return;
    // The chunk may be gone (document deleted or re-ingested): show what the
    // citation itself carries, so the quote is still readable.
    body.replaceChildren(
      h('p', { class: 'error-text', text: describeError(e) }),
      c.quote ? h('blockquote', { class: 'passage-text', testid: 'passage-text' }, h('mark', { text: c.quote }))
        : c.snippet ? h('blockquote', { class: 'passage-text', testid: 'passage-text', text: c.snippet }) : null);
    return;
  }
  if (gen !== current) return;

  const doc = chunk.document ?? {};
  const title = doc.title || c.title || baseName(doc.source || c.source);
  panel.querySelector('.panel-title').textContent = c.number ? `[${c.number}] ${title}` : title;
  const where = [
    [t('passage.document'), title],
    [t('passage.section'), headingPath(chunk.heading_path ?? c.heading_path)],
    [t('passage.location'), formatLocation(c.location ? c : chunk) || formatChars(c, chunk)],
    [t('passage.source'), doc.source || c.source],
  ].filter(([, v]) => v);

  body.replaceChildren(
    h('dl', { class: 'meta-list', testid: 'passage-meta' }, where.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    h('div', { class: 'passage-text', testid: 'passage-text' }, highlight(chunk.text ?? '', c, chunk)));
  body.querySelector('mark')?.scrollIntoView({ block: 'center' });
}

function formatChars(c, chunk) {
  const s = c.char_start ?? chunk.char_start;
  const e = c.char_end ?? chunk.char_end;
  return Number.isFinite(s) && Number.isFinite(e) ? t('loc.chars', { s, e }) : '';
}

// Where is the quote in the chunk? Try the exact text, then the same text with
// whitespace collapsed (PDF line breaks), then the citation's character range
// (document offsets, counted in code points) relative to the chunk's start.
// A closest passage of a not-found answer has no quote, only a search snippet:
// that is marked only where the chunk contains it verbatim, else nothing is.
function findQuote(text, c, chunk) {
  const quote = (c.quote ?? '').trim();
  if (!quote && c.snippet !== undefined) {
    const snippet = String(c.snippet ?? '').trim();
    const at = snippet ? text.indexOf(snippet) : -1;
    return at >= 0 ? [at, at + snippet.length] : null;
  }
  if (quote) {
    const at = text.indexOf(quote);
    if (at >= 0) return [at, at + quote.length];
    const re = new RegExp(quote.split(/\s+/).map(escapeRe).join('\\s+'));
    const m = re.exec(text);
    if (m) return [m.index, m.index + m[0].length];
  }
  if (Number.isFinite(c.char_start) && Number.isFinite(c.char_end) && Number.isFinite(chunk.char_start)) {
    const cps = Array.from(text);
    const s = c.char_start - chunk.char_start;
    const e = c.char_end - chunk.char_start;
    if (s >= 0 && e > s && e <= cps.length) {
      const pre = cps.slice(0, s).join('').length;
      return [pre, pre + cps.slice(s, e).join('').length];
    }
  }
  return null;
}

function highlight(text, c, chunk) {
  const range = findQuote(text, c, chunk);
  if (!range) {
    return [document.createTextNode(text), c.quote ? h('p', { class: 'muted quote-missing' }, `${t('passage.quote')}: `, h('mark', { text: c.quote })) : null];
  }
  return [text.slice(0, range[0]), h('mark', { text: text.slice(range[0], range[1]) }), text.slice(range[1])];
}

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }
