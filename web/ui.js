// Small DOM helpers shared by the views. Everything is built with
// createElement/textContent so that no server or model text is ever parsed
// as HTML (the CSP forbids inline script anyway; this keeps markup out too).
import { t, getLang } from './i18n.js';

/** h('div', {class, text, dataset, attrs, on, ...props}, ...children) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'attrs') for (const [a, av] of Object.entries(v)) { if (av !== undefined && av !== null && av !== false) el.setAttribute(a, av === true ? '' : String(av)); }
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else el[k] = v;
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Icons: a few 24x24 stroke paths, drawn as SVG from JS (no icon font, no
// external sprite; attributes set from constants, never from data).
const ICONS = {
  copy: 'M9 9h10v10H9z M5 15V5h10',
  up: 'M7 11v9H4v-9z M7 11l4-7c1.5 0 2.5 1 2.2 2.6L12.6 10H19c1.1 0 2 1 1.8 2.1l-1.3 6.4c-.2 1-1 1.5-2 1.5H7',
  down: 'M7 13V4H4v9z M7 13l4 7c1.5 0 2.5-1 2.2-2.6L12.6 14H19c1.1 0 2-1 1.8-2.1l-1.3-6.4C19.3 4.5 18.5 4 17.5 4H7',
  trash: 'M4 7h16 M9 7V4h6v3 M6 7l1 13h10l1-13',
  refresh: 'M20 11a8 8 0 1 0-2.3 5.7 M20 4v7h-7',
  send: 'M4 12l16-8-6 16-3-7z',
  stop: 'M7 7h10v10H7z',
  plus: 'M12 5v14 M5 12h14',
  close: 'M6 6l12 12 M18 6L6 18',
  upload: 'M12 16V4 M7 9l5-5 5 5 M4 20h16',
  chat: 'M4 5h16v11H9l-5 4z',
};
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', ICONS[name] ?? '');
  svg.append(p);
  return svg;
}

/** A button with an icon and an accessible label (shown as a tooltip). */
export function iconButton(name, label, onClick, extra = {}) {
  return h('button', { type: 'button', class: `icon-btn ${extra.class ?? ''}`, title: label, attrs: { 'aria-label': label }, on: { click: onClick }, testid: extra.testid }, icon(name));
}

// --- Notices: one banner under the top bar for errors and confirmations.
let noticeTimer = 0;
export function notify(message, kind = 'error') {
  const el = document.getElementById('notice');
  el.replaceChildren(h('span', { text: message }), iconButton('close', t('common.close'), () => { el.hidden = true; }));
  el.className = `notice ${kind}`;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(noticeTimer);
  // Errors stay until dismissed (the user has to read them); info fades.
  if (kind !== 'error') noticeTimer = setTimeout(() => { el.hidden = true; }, 4000);
}
export function clearNotice() { document.getElementById('notice').hidden = true; }

// --- Dialogs on the one <dialog> element (native confirm()/prompt() block the
// page and cannot be styled or translated).
function openDialog(build) {
  const dlg = document.getElementById('dialog');
  return new Promise((resolve) => {
    let settled = false;
    const done = (v) => { if (settled) return; settled = true; dlg.close(); resolve(v); };
    dlg.replaceChildren(build(done));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(null); }, { once: true });
    dlg.showModal();
    dlg.querySelector('[autofocus]')?.focus();
  });
}

export function confirmDialog(message, { confirmLabel = t('common.delete'), danger = true } = {}) {
  return openDialog((done) => h('div', { class: 'dialog-body' },
    h('p', { text: message }),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn', text: t('common.cancel'), on: { click: () => done(false) }, testid: 'dialog-cancel' }),
      h('button', { type: 'button', class: `btn ${danger ? 'danger' : 'primary'}`, text: confirmLabel, autofocus: true, on: { click: () => done(true) }, testid: 'dialog-confirm' }))))
    .then((v) => v === true);
}

export function promptDialog(message, { placeholder = '', okLabel = t('common.send') } = {}) {
  return openDialog((done) => {
    const input = h('textarea', { rows: 3, placeholder, autofocus: true, testid: 'dialog-input' });
    return h('div', { class: 'dialog-body' },
      h('label', { class: 'dialog-label' }, h('span', { text: message }), input),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'btn', text: t('common.cancel'), on: { click: () => done(null) }, testid: 'dialog-cancel' }),
        h('button', { type: 'button', class: 'btn primary', text: okLabel, on: { click: () => done(input.value.trim()) }, testid: 'dialog-confirm' })));
  });
}

// --- Formatting
export function formatBytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "page 3", "sheet 产品 row 3", ... as the server words it, else the page number. */
export function formatLocation(obj) {
  if (obj?.location) return obj.location;
  if (obj?.page) return t('loc.page', { n: obj.page });
  return '';
}

export function headingPath(hp) {
  if (Array.isArray(hp)) return hp.filter(Boolean).join(' › ');
  return hp ? String(hp) : '';
}

/** The last path component of a source ("/tmp/x/handbook.md" -> "handbook.md"). */
export function baseName(source) {
  if (!source) return '';
  const s = String(source).replace(/[?#].*$/, '');
  if (/^https?:\/\//i.test(String(source))) return String(source);
  return s.split(/[\\/]/).filter(Boolean).pop() ?? s;
}
