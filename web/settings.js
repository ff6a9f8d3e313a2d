// Settings: the API key this browser sends, key management for admins, the
// answer provider, and the interface language.
import { api, getApiKey, setApiKey, describeError } from './api.js';
import { t, getLang, setLang, onLangChange } from './i18n.js';
import { h, iconButton, notify, clearNotice, confirmDialog, formatTime } from './ui.js';
import { state, refreshKbs, announceKb } from './state.js';

const $ = (id) => document.getElementById(id);
let keys = null;       // the key list when the current key may manage keys
let keysError = null;
let newKey = null;     // {key, ...} just created: shown once, until the page changes

export function initSettings() {
  $('api-key-input').value = getApiKey();
  $('api-key-form').addEventListener('submit', (e) => { e.preventDefault(); saveKey($('api-key-input').value.trim()); });
  $('api-key-clear').addEventListener('click', () => { $('api-key-input').value = ''; saveKey(''); });
  $('api-key-show').addEventListener('change', (e) => { $('api-key-input').type = e.target.checked ? 'text' : 'password'; });
  $('key-create-form').addEventListener('submit', (e) => { e.preventDefault(); createKey(); });
  for (const b of document.querySelectorAll('[data-set-lang]')) b.addEventListener('click', () => setLang(b.dataset.setLang));
  onLangChange(() => { renderKeys(); renderLangButtons(); });
  renderLangButtons();
}

export function showSettings() { loadKeys(); }

function renderLangButtons() {
  for (const b of document.querySelectorAll('[data-set-lang]')) b.setAttribute('aria-pressed', String(b.dataset.setLang === getLang()));
}

async function saveKey(key) {
  setApiKey(key);
  newKey = null;
  const status = $('api-key-status');
  status.className = 'muted';
  status.textContent = t('common.loading');
  try {
    await refreshKbs();
    clearNotice(); // an earlier "needs a key" error no longer applies
    announceKb();  // conversations and documents may be visible now
    status.className = 'ok-text';
    status.textContent = key ? t('settings.keyWorks', { n: state.kbs.length }) : t('settings.keyCleared', { n: state.kbs.length });
  } catch (e) {
    status.className = 'error-text';
    status.textContent = describeError(e);
  }
  loadKeys();
}

// --- Keys (admin with --kb '*'): a 401/403/404 just means "not an admin".

async function loadKeys() {
  try {
    const r = await api('/api/keys');
    keys = r?.keys ?? [];
    keysError = null;
  } catch (e) {
    keys = null;
    keysError = e;
  }
  renderKeys();
}

function renderKeys() {
  const section = $('keys-admin');
  const note = $('keys-note');
  if (keys === null) {
    section.hidden = true;
    note.hidden = false;
    note.textContent = keysError && ![401, 403, 404].includes(keysError.status) ? describeError(keysError) : t('settings.keysNeedAdmin');
    return;
  }
  section.hidden = false;
  note.hidden = true;
  $('keys-open-mode').hidden = keys.length > 0;
  const shown = $('key-created');
  shown.hidden = !newKey;
  if (newKey) {
    shown.replaceChildren(
      h('p', { text: t('settings.keyShownOnce') }),
      h('code', { class: 'secret', text: newKey.key, testid: 'new-key' }),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn', text: t('chat.copy'), on: { click: () => navigator.clipboard?.writeText(newKey.key).then(() => notify(t('chat.copied'), 'info'), () => notify(t('chat.copyFailed'))) } }),
        h('button', { type: 'button', class: 'btn primary', text: t('settings.useKey'), on: { click: () => { $('api-key-input').value = newKey.key; saveKey(newKey.key); } } })));
  }
  const body = $('key-list');
  body.replaceChildren(...(keys.length ? keys.map((k) => h('tr', { testid: 'key-row', dataset: { id: k.id } },
    h('td', { class: 'num', text: k.id }),
    h('td', { text: k.name ?? '' }),
    h('td', {}, h('code', { text: k.kb })),
    h('td', { text: t(`role.${k.role}`, {}, k.role) }),
    h('td', { class: 'muted', text: formatTime(k.created_at) }),
    h('td', { class: 'muted', text: k.last_used_at ? formatTime(k.last_used_at) : t('settings.never') }),
    h('td', { class: 'actions' }, iconButton('trash', t('settings.revoke'), () => revokeKey(k), { testid: 'key-revoke' }))))
    : [h('tr', {}, h('td', { colSpan: 7, class: 'muted', text: t('settings.noKeys') }))]));
}

async function createKey() {
  const kb = $('key-kb').value.trim() || '*';
  const role = $('key-role').value;
  const name = $('key-name').value.trim();
  try {
    newKey = await api('/api/keys', { method: 'POST', body: { kb, role, name } });
  } catch (e) { notify(describeError(e)); return; }
  $('key-name').value = '';
  await loadKeys();
}

async function revokeKey(k) {
  if (!(await confirmDialog(t('settings.confirmRevoke', { id: k.id, name: k.name || k.kb }), { confirmLabel: t('settings.revoke') }))) return;
  try {
    await api(`/api/keys/${encodeURIComponent(k.id)}`, { method: 'DELETE' });
  } catch (e) { notify(describeError(e)); return; }
  if (newKey && newKey.id === k.id) newKey = null;
  await loadKeys();
}
