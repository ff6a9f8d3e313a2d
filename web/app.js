// Entry point: wires the views together and routes on the URL hash
// (#/chat, #/kbs, #/search, #/graph, #/settings) so reloads and the back button work.
import { applyI18n, getLang, setLang, onLangChange } from './i18n.js';
import { describeError } from './api.js';
import { notify } from './ui.js';
import { state, refreshKbs, selectKb, renderPicker } from './state.js';
import { initPassagePanel } from './passage.js';
import { initChat, loadConversations } from './chat.js';
import { initKbs, showKbs, loadDocuments } from './kbs.js';
import { initSearch } from './search.js';
import { initGraph, showGraph } from './graph.js';
import { initSettings, showSettings } from './settings.js';

const ROUTES = ['chat', 'kbs', 'search', 'graph', 'settings'];

function route() {
  const name = location.hash.match(/^#\/(\w+)/)?.[1];
  const current = ROUTES.includes(name) ? name : 'chat';
  for (const v of document.querySelectorAll('[data-view]')) v.hidden = v.dataset.view !== current;
  for (const a of document.querySelectorAll('[data-route]')) {
    if (a.dataset.route === current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.body.dataset.route = current;
  if (current === 'kbs') showKbs();
  else if (current === 'settings') showSettings();
  else if (current === 'graph') showGraph();
  else if (current === 'chat') document.getElementById('chat-input').focus();
}

async function main() {
  applyI18n(document);
  initPassagePanel();
  initChat();
  initKbs();
  initSearch();
  initGraph();
  initSettings();

  document.getElementById('kb-select').addEventListener('change', (e) => selectKb(e.target.value));
  document.getElementById('lang-toggle').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  onLangChange(renderPicker);
  window.addEventListener('hashchange', route);

  try {
    await refreshKbs();
  } catch (e) {
    notify(describeError(e));
  }
  // First visit with nothing to ask yet: start where a KB can be made.
  if (!location.hash && !state.kbError && state.kbs.length === 0) location.hash = '#/kbs';
  route();
  loadConversations();
  loadDocuments();
  document.body.dataset.ready = 'true'; // tests wait for this
}

main();
