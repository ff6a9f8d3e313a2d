// The knowledge base the user is working in, shared by Chat, Documents and
// Search through the picker in the top bar, and remembered across reloads.
import { api } from './api.js';
import { h } from './ui.js';
import { t } from './i18n.js';

const KB_STORAGE = 'askio.kb';
const bus = new EventTarget();

export const state = {
  kbs: [],          // KB objects from GET /api/kbs
  kb: (() => { try { return localStorage.getItem(KB_STORAGE) ?? ''; } catch { return ''; } })(),
  kbError: null,    // the ApiError of the last failed listing, if any
};

export function onKbChange(fn) { bus.addEventListener('kb', () => fn(state.kb)); }
export function onKbsLoaded(fn) { bus.addEventListener('kbs', () => fn(state.kbs)); }

export function selectKb(name) {
  if (name === state.kb) return;
  state.kb = name;
  try { localStorage.setItem(KB_STORAGE, name); } catch { /* fine */ }
  renderPicker();
  bus.dispatchEvent(new Event('kb'));
}

/** Views reload what they show for the KB (after the API key changed, say). */
export function announceKb() { bus.dispatchEvent(new Event('kb')); }

/** Reloads the KB list; keeps the selection if it still exists. */
export async function refreshKbs() {
  try {
    const r = await api('/api/kbs');
    state.kbs = r?.knowledge_bases ?? [];
    state.kbError = null;
  } catch (e) {
    state.kbs = [];
    state.kbError = e;
  }
  const names = state.kbs.map((k) => k.name);
  const before = state.kb;
  if (!names.includes(state.kb)) state.kb = names[0] ?? '';
  renderPicker();
  bus.dispatchEvent(new Event('kbs'));
  if (state.kb !== before) bus.dispatchEvent(new Event('kb'));
  if (state.kbError) throw state.kbError;
  return state.kbs;
}

export function renderPicker() {
  const sel = document.getElementById('kb-select');
  if (!sel) return;
  sel.replaceChildren(...(state.kbs.length
    ? state.kbs.map((k) => h('option', { value: k.name, text: k.name, selected: k.name === state.kb }))
    : [h('option', { value: '', text: t('kb.none') })]));
  sel.disabled = state.kbs.length === 0;
  sel.value = state.kb;
}
