// Graph view: an entity of the knowledge graph, its neighbours drawn around
// it, and the sentences behind each edge (click one to open the passage).
// Data: GET /api/kbs/{kb}/graph (stats), /graph/entity?name= ; POST
// /graph/build starts the extraction job when the graph is off.
import { api, kbPath, describeError } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, notify, baseName } from './ui.js';
import { state, onKbChange } from './state.js';
import { openPassage } from './passage.js';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
let last = null; // {kb, data} of the entity shown

export function initGraph() {
  $('graph-form').addEventListener('submit', (e) => { e.preventDefault(); showEntity($('graph-input').value.trim()); });
  $('graph-build').addEventListener('click', buildGraph);
  onKbChange(() => { last = null; $('graph-result').replaceChildren(); showGraph(); });
  onLangChange(() => { showGraph(); if (last) render(last.data); });
}

export async function showGraph() {
  if (!state.kb) return;
  try {
    const st = await api(kbPath(state.kb, '/graph'));
    $('graph-stats').textContent = st.enabled
      ? t('graph.stats', { e: st.entities, r: st.relations, c: st.cooccurrences, d: st.documents })
      : t('graph.off');
    $('graph-build').hidden = st.enabled;
  } catch (e) {
    $('graph-stats').textContent = '';
    notify(describeError(e));
  }
}

async function buildGraph() {
  const kb = state.kb;
  if (!kb) return;
  $('graph-build').disabled = true;
  $('graph-stats').textContent = t('graph.building');
  try {
    const { job } = await api(kbPath(kb, '/graph/build'), { method: 'POST' });
    // Poll the job until it ends (the job stream is for uploads' progress bars).
    for (let j = job; ; ) {
      if (j.status === 'succeeded' || j.status === 'failed') {
        if (j.status === 'failed') notify(j.error || t('graph.failed'));
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
      j = await api(kbPath(kb, `/jobs/${job.id}`));
    }
  } catch (e) {
    notify(describeError(e));
  } finally {
    $('graph-build').disabled = false;
    showGraph();
  }
}

async function showEntity(name) {
  if (!name || !state.kb) return;
  const kb = state.kb;
  try {
    const data = await api(kbPath(kb, `/graph/entity?name=${encodeURIComponent(name)}&limit=12`));
    if (!data.entity) {
      last = null;
      $('graph-result').replaceChildren(h('p', { class: 'muted', testid: 'graph-none', text: t('graph.none', { name }) }));
      return;
    }
    last = { kb, data };
    render(data);
  } catch (e) {
    last = null;
    $('graph-result').replaceChildren(h('p', { class: 'muted', testid: 'graph-none', text: describeError(e) }));
  }
}

function render(data) {
  const e = data.entity;
  const aliases = (e.aliases ?? []).map((a, i) => h('li', {},
    h('strong', { text: a }), e.merge_reasons?.[i] ? h('span', { class: 'muted', text: ` — ${e.merge_reasons[i]}` }) : null));
  $('graph-result').replaceChildren(
    h('div', { class: 'graph-entity', testid: 'graph-entity' },
      h('h3', { text: `${e.name}` }),
      h('p', { class: 'muted', text: t('graph.entityLine', { type: t(`etype.${e.type}`, {}, e.type), m: e.mentions, c: e.chunks }) }),
      aliases.length ? h('ul', { class: 'graph-aliases' }, aliases) : null),
    diagram(e, data.neighbours ?? []),
    h('ol', { class: 'graph-neighbours' }, (data.neighbours ?? []).map((n) => neighbourItem(n))));
}

function neighbourItem(n) {
  const labels = n.labels.map((l) => (l.cooccurs ? t('graph.sameSentence') : l.outgoing ? `→ ${l.predicate}` : `← ${l.predicate}`) + ` ×${l.count}`);
  return h('li', { class: 'graph-neighbour', testid: 'graph-neighbour' },
    h('div', {},
      h('button', { type: 'button', class: 'link-btn', text: n.entity.name, on: { click: () => { $('graph-input').value = n.entity.name; showEntity(n.entity.name); } } }),
      h('span', { class: 'muted', text: ` (${t(`etype.${n.entity.type}`, {}, n.entity.type)}) ${labels.join(', ')}` })),
    h('ul', { class: 'graph-evidence' }, n.evidence.map((ev) => h('li', {},
      h('button', {
        type: 'button', class: 'link-btn evidence', testid: 'graph-evidence', text: `“${ev.sentence}”`,
        on: { click: () => openPassage(last.kb, { chunk_id: ev.chunk_id, title: ev.title, source: ev.source, quote: ev.sentence }) },
      }),
      h('span', { class: 'muted small', text: ` — ${ev.title || baseName(ev.source)}` })))));
}

// The entity in the middle, its neighbours on a circle; edge width by weight.
function diagram(entity, neighbours) {
  const size = 360, mid = size / 2, radius = 130;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('class', 'graph-diagram');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', entity.name);
  const max = Math.max(1, ...neighbours.map((n) => n.weight));
  const node = (x, y, label, cls) => {
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('class', cls);
    const c = document.createElementNS(SVG, 'circle');
    c.setAttribute('cx', x); c.setAttribute('cy', y); c.setAttribute('r', cls === 'center' ? 10 : 6);
    const text = document.createElementNS(SVG, 'text');
    text.setAttribute('x', x); text.setAttribute('y', y + (cls === 'center' ? 24 : 18));
    text.setAttribute('text-anchor', 'middle');
    text.textContent = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    g.append(c, text);
    return g;
  };
  neighbours.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(neighbours.length, 1) - Math.PI / 2;
    const x = mid + radius * Math.cos(a), y = mid + radius * Math.sin(a);
    const line = document.createElementNS(SVG, 'line');
    line.setAttribute('x1', mid); line.setAttribute('y1', mid); line.setAttribute('x2', x); line.setAttribute('y2', y);
    line.setAttribute('stroke-width', String(1 + (3 * n.weight) / max));
    line.setAttribute('class', n.labels.some((l) => !l.cooccurs) ? 'edge stated' : 'edge');
    svg.append(line);
  });
  neighbours.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(neighbours.length, 1) - Math.PI / 2;
    svg.append(node(mid + radius * Math.cos(a), mid + radius * Math.sin(a), n.entity.name, 'leaf'));
  });
  svg.append(node(mid, mid, entity.name, 'center'));
  return svg;
}
