// Search playground: the ranked passages for a query with their highlighted
// snippets and, with explain, the score of each ranking stage.
import { api, kbPath, describeError } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, notify, formatLocation, headingPath, baseName } from './ui.js';
import { state, onKbChange } from './state.js';
import { openPassage } from './passage.js';

const $ = (id) => document.getElementById(id);
let last = null; // {query, result} for re-rendering on a language change

export function initSearch() {
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });
  onKbChange(() => { last = null; $('search-results').replaceChildren(); $('search-summary').textContent = ''; });
  onLangChange(() => { if (last) renderResults(last.result); });
}

async function runSearch() {
  const query = $('search-input').value.trim();
  if (!query || !state.kb) return;
  const limit = Number($('search-limit').value) || 10;
  const kb = state.kb;
  // "hr, 2026": documents with any of these tags (docs/api.md, FILTER).
  const tags = $('search-tags').value.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
  const body = { query, limit, explain: true };
  if (tags.length) body.filter = { tags };
  $('search-summary').textContent = t('common.loading');
  try {
    const result = await api(kbPath(kb, '/search'), { method: 'POST', body });
    last = { query, result, kb };
    renderResults(result);
  } catch (e) {
    $('search-summary').textContent = '';
    notify(describeError(e));
  }
}

function renderResults(result) {
  const hits = result?.hits ?? [];
  $('search-summary').textContent = t('search.summary', { n: hits.length, ms: Number(result?.took_ms ?? 0).toFixed(1) });
  $('search-results').replaceChildren(...hits.map((hit, i) => h('li', { class: 'hit', testid: 'search-hit' },
    h('div', { class: 'hit-head' },
      h('span', { class: 'hit-rank', text: `#${i + 1}` }),
      h('button', {
        type: 'button', class: 'link-btn hit-title', text: hit.title || baseName(hit.source),
        on: { click: () => openPassage(last.kb, { chunk_id: hit.chunk_id, title: hit.title, source: hit.source, heading_path: hit.heading_path, location: hit.location, page: hit.page }) },
      }),
      h('span', { class: 'hit-score', text: t('search.score', { s: fmt(hit.score) }) })),
    h('div', { class: 'hit-where muted' }, [headingPath(hit.heading_path), formatLocation(hit), baseName(hit.source)].filter(Boolean).join(' · ')),
    h('p', { class: 'hit-snippet', testid: 'search-snippet' }, highlightBytes(hit.snippet ?? '', hit.highlights ?? [])),
    Array.isArray(hit.stages) && hit.stages.length ? stageTable(hit.stages) : null)));
}

function stageTable(stages) {
  return h('table', { class: 'stages', testid: 'search-stages' },
    h('thead', {}, h('tr', {}, h('th', { text: t('search.stage') }), h('th', { class: 'num', text: t('search.stageScore') }), h('th', { class: 'num', text: t('search.rank') }))),
    h('tbody', {}, stages.map((s) => h('tr', {},
      h('td', { text: t(`stage.${s.stage}`, {}, s.stage) }),
      h('td', { class: 'num', text: fmt(s.score) }),
      h('td', { class: 'num', text: s.rank ?? '' })))));
}

const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(1) : x.toFixed(3)) : '');

/**
 * Highlight offsets are byte offsets into the UTF-8 snippet, while JS strings
 * index UTF-16 units: encode once, cut the bytes, decode each piece. Ranges
 * are sorted, clamped and merged so bad input cannot throw or duplicate text.
 */
export function highlightBytes(snippet, highlights) {
  const bytes = new TextEncoder().encode(snippet);
  const dec = new TextDecoder();
  const ranges = highlights
    .filter((r) => Array.isArray(r) && r.length >= 2)
    .map(([b, e]) => [Math.max(0, Math.min(bytes.length, b | 0)), Math.max(0, Math.min(bytes.length, e | 0))])
    .filter(([b, e]) => e > b)
    .sort((x, y) => x[0] - y[0]);
  const out = [];
  let pos = 0;
  for (let [b, e] of ranges) {
    b = Math.max(b, pos);
    if (e <= b) continue;
    // Never cut inside a UTF-8 sequence: move to the next lead byte.
    while (b < bytes.length && (bytes[b] & 0xc0) === 0x80) b++;
    while (e < bytes.length && (bytes[e] & 0xc0) === 0x80) e++;
    if (b > pos) out.push(dec.decode(bytes.subarray(pos, b)));
    const mark = document.createElement('mark');
    mark.textContent = dec.decode(bytes.subarray(b, e));
    out.push(mark);
    pos = e;
  }
  if (pos < bytes.length) out.push(dec.decode(bytes.subarray(pos)));
  return out;
}
