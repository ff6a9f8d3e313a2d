// Knowledge bases: list/create/delete, and for the selected one: uploads with
// one progress bar per file, the job that indexes each upload, and the
// document list with re-ingest and delete.
import { api, stream, kbPath, uploadFile, describeError } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, iconButton, notify, confirmDialog, formatBytes, formatTime, baseName } from './ui.js';
import { state, refreshKbs, selectKb, onKbChange, onKbsLoaded } from './state.js';

const $ = (id) => document.getElementById(id);
const KB_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

let docs = { documents: [], pending: [] };
let docsTimer = 0;

export function initKbs() {
  $('kb-create-form').addEventListener('submit', (e) => { e.preventDefault(); createKb(); });
  $('docs-refresh').addEventListener('click', () => { refreshKbs().catch(() => {}); loadDocuments(); });

  const zone = $('dropzone');
  const input = $('file-input');
  // The whole zone is the picker's label; dragging files over it highlights it.
  zone.addEventListener('dragover', (e) => { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', (e) => { if (!zone.contains(e.relatedTarget)) zone.classList.remove('dragging'); });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    uploadFiles([...(e.dataTransfer?.files ?? [])]);
  });
  zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
  input.addEventListener('change', () => { uploadFiles([...input.files]); input.value = ''; });
  // A file dropped beside the zone would make the browser navigate to it.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  onKbsLoaded(renderKbList);
  onKbChange(() => { renderKbList(); $('uploads').replaceChildren(); loadDocuments(); });
  onLangChange(() => { renderKbList(); renderDocuments(); });
}

export function showKbs() { loadDocuments(); }

// --- Knowledge bases

function renderKbList() {
  const body = $('kb-list');
  if (state.kbError) {
    body.replaceChildren(h('tr', {}, h('td', { colSpan: 6, class: 'error-text', text: describeError(state.kbError) })));
  } else if (!state.kbs.length) {
    body.replaceChildren(h('tr', {}, h('td', { colSpan: 6, class: 'muted', text: t('kbs.empty') })));
  } else {
    body.replaceChildren(...state.kbs.map((kb) => h('tr', {
      class: kb.name === state.kb ? 'selected' : '', testid: 'kb-row', dataset: { name: kb.name },
    },
    h('td', {}, h('button', { type: 'button', class: 'link-btn', text: kb.name, on: { click: () => selectKb(kb.name) }, testid: 'kb-open' })),
    h('td', { class: 'num', text: fmtNum(kb.documents) }),
    h('td', { class: 'num', text: fmtNum(kb.chunks) }),
    h('td', { class: 'num', text: formatBytes(kb.text_bytes) }),
    h('td', { class: 'muted', text: formatTime(kb.created_at) }),
    h('td', { class: 'actions' }, iconButton('trash', t('kbs.delete'), () => deleteKb(kb.name), { testid: 'kb-delete' })))));
  }
  $('kb-detail').hidden = !state.kb;
  $('kb-detail-title').textContent = state.kb ? t('docs.title', { kb: state.kb }) : '';
}

const fmtNum = (n) => (Number.isFinite(n) ? n.toLocaleString() : '–');

async function createKb() {
  const input = $('kb-create-name');
  const name = input.value.trim();
  if (!KB_NAME.test(name)) { notify(t('kbs.badName')); input.focus(); return; }
  try {
    await api('/api/kbs', { method: 'POST', body: { name } });
  } catch (e) {
    notify(e.status === 409 ? t('kbs.exists', { name }) : describeError(e));
    return;
  }
  input.value = '';
  notify(t('kbs.createdMsg', { name }), 'info');
  await refreshKbs().catch(() => {});
  selectKb(name);
}

async function deleteKb(name) {
  if (!(await confirmDialog(t('kbs.confirmDelete', { name })))) return;
  try {
    await api(kbPath(name), { method: 'DELETE' });
  } catch (e) { notify(describeError(e)); return; }
  notify(t('kbs.deleted', { name }), 'info');
  await refreshKbs().catch(() => {});
}

// --- Uploads: one XHR per file so each has its own progress and error.

function uploadFiles(files) {
  if (!state.kb) { notify(t('docs.pickKb')); return; }
  for (const file of files) uploadOne(state.kb, file);
}

async function uploadOne(kb, file) {
  const bar = h('progress', { max: 100, value: 0 });
  const status = h('span', { class: 'upload-status muted', testid: 'upload-status', text: t('upload.sending') });
  const row = h('li', { class: 'upload-row', testid: 'upload-row', dataset: { name: file.name, state: 'uploading' } },
    h('div', { class: 'upload-head' },
      h('span', { class: 'upload-name', text: file.name }),
      h('span', { class: 'muted', text: formatBytes(file.size) })),
    bar, status);
  $('uploads').prepend(row);
  const set = (st, text, cls = 'muted') => { row.dataset.state = st; status.textContent = text; status.className = `upload-status ${cls}`; };

  const up = uploadFile(kb, file, (loaded, total) => {
    bar.value = Math.round((loaded / total) * 100);
    status.textContent = t('upload.progress', { done: formatBytes(loaded), total: formatBytes(total) });
  });
  const cancel = iconButton('close', t('common.cancel'), () => up.abort(), { class: 'upload-cancel' });
  row.querySelector('.upload-head').append(cancel);

  let accepted;
  try {
    accepted = await up.promise;
  } catch (e) {
    cancel.remove();
    bar.value = 0;
    set('failed', describeError(e), 'error-text');
    return;
  }
  cancel.remove();
  if (accepted?.job?.id != null) row.dataset.jobId = String(accepted.job.id);
  bar.value = 100;
  bar.removeAttribute('value'); // indeterminate while the server parses and indexes
  set('indexing', t('upload.indexing'));
  loadDocuments();

  const job = await followJob(kb, accepted.job, (j) => {
    const p = j.progress ?? {};
    const bits = [t(`job.${j.status}`)];
    if (p.files_total) bits.push(t('job.files', { done: p.files_done ?? 0, total: p.files_total }));
    if (p.pages_done) bits.push(t('job.pages', { n: p.pages_done }));
    status.textContent = bits.join(' · ');
  });
  bar.max = 1;
  bar.value = 1;

  const files = job?.report?.files ?? [];
  const failed = files.filter((f) => f.outcome === 'failed' || f.error);
  if (!job) {
    set('failed', t('upload.lost'), 'error-text');
  } else if (job.status === 'failed' || failed.length) {
    const why = failed.map((f) => `${baseName(f.path) || file.name}: ${f.error || f.outcome}`).join('; ') || job.error || t('job.failed');
    set('failed', why, 'error-text');
    row.classList.add('failed');
  } else {
    const chunks = files.reduce((n, f) => n + (f.chunks ?? 0), 0) || job.report?.chunks || 0;
    const outcome = files[0]?.outcome ?? 'added';
    set('done', t('upload.done', { outcome: t(`outcome.${outcome}`, {}, outcome), chunks }), 'ok-text');
    row.classList.add('done');
  }
  loadDocuments();
  refreshKbs().catch(() => {});
}

const FINAL = new Set(['succeeded', 'failed']);

/**
 * Follows a job to its end: the SSE event stream first (read with fetch so the
 * API key goes along — EventSource cannot send headers), then polling if the
 * stream is refused or breaks. Resolves to the final JOB, or null.
 */
export async function followJob(kb, job, onUpdate) {
  if (!job?.id && job?.id !== 0) return null;
  if (FINAL.has(job.status)) { onUpdate(job); return job; }
  onUpdate(job);
  let last = job;
  try {
    await stream(kbPath(kb, `/jobs/${encodeURIComponent(job.id)}/events`), {
      onEvent(event, data) {
        if (data && typeof data === 'object' && data.status) { last = data; onUpdate(data); }
      },
    });
    if (FINAL.has(last.status)) return last;
  } catch { /* fall through to polling */ }
  const deadline = Date.now() + 30 * 60 * 1000;
  let wait = 250;
  while (Date.now() < deadline) {
    try {
      last = await api(kbPath(kb, `/jobs/${encodeURIComponent(job.id)}`));
      onUpdate(last);
      if (FINAL.has(last.status)) return last;
    } catch (e) {
      if (e.status === 404) return null;
    }
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 2000);
  }
  return last;
}

// --- Documents

export async function loadDocuments() {
  clearTimeout(docsTimer);
  if (!state.kb) { docs = { documents: [], pending: [] }; renderDocuments(); return; }
  const kb = state.kb;
  try {
    const r = await api(kbPath(kb, '/documents'));
    if (kb !== state.kb) return;
    docs = { documents: r?.documents ?? [], pending: r?.pending ?? [] };
  } catch (e) {
    docs = { documents: [], pending: [], error: e };
  }
  renderDocuments();
  // While something is still being indexed, look again soon.
  const busy = docs.pending.some((p) => !['failed', 'succeeded', 'indexed'].includes(p.status));
  if (busy && !document.hidden) docsTimer = setTimeout(loadDocuments, 1500);
}

function renderDocuments() {
  const body = $('doc-list');
  const rows = [];
  if (docs.error) rows.push(h('tr', {}, h('td', { colSpan: 6, class: 'error-text', text: describeError(docs.error) })));
  for (const p of docs.pending) {
    const failed = p.status === 'failed' || p.error;
    rows.push(h('tr', { class: 'pending', testid: 'doc-row', dataset: { status: p.status, name: p.name ?? '' } },
      h('td', {}, h('span', { class: 'doc-title', text: p.name ?? '' })),
      h('td', { text: '' }),
      h('td', { class: 'num', text: '' }),
      h('td', {}, h('span', { class: `badge ${failed ? 'bad' : 'busy'}`, text: t(`docstatus.${p.status}`, {}, p.status), testid: 'doc-status' }),
        p.error ? h('div', { class: 'error-text small', text: p.error, testid: 'doc-error' }) : null),
      h('td', { text: '' }),
      // A failed file stays listed until its job is forgotten (a queued or running job cannot be).
      h('td', { class: 'actions' }, p.status === 'failed' && p.job_id != null
        ? iconButton('close', t('docs.dismiss'), () => dismissPending(p), { testid: 'doc-dismiss' }) : null)));
  }
  for (const d of docs.documents) {
    const name = baseName(d.source);
    rows.push(h('tr', { testid: 'doc-row', dataset: { status: d.status ?? 'indexed', id: d.id, name } },
      h('td', {},
        h('span', { class: 'doc-title', text: d.title || name }),
        name && name !== d.title ? h('div', { class: 'muted small', text: name }) : null,
        Array.isArray(d.tags) && d.tags.length
          ? h('div', { class: 'doc-tags', testid: 'doc-tags' }, d.tags.map((tag) => h('span', { class: 'tag', text: tag })))
          : null),
      h('td', { text: d.type ?? '' }),
      h('td', { class: 'num', text: fmtNum(d.chunks) }),
      h('td', {}, h('span', { class: 'badge ok', text: t(`docstatus.${d.status ?? 'indexed'}`, {}, d.status), testid: 'doc-status' })),
      h('td', { class: 'muted', text: formatTime(d.updated_at ?? d.created_at) }),
      h('td', { class: 'actions' },
        iconButton('refresh', t('docs.reingest'), () => reingest(d), { testid: 'doc-reingest' }),
        iconButton('trash', t('docs.delete'), () => deleteDoc(d), { testid: 'doc-delete' }))));
  }
  if (!rows.length) rows.push(h('tr', {}, h('td', { colSpan: 6, class: 'muted', text: t('docs.empty') })));
  body.replaceChildren(...rows);
}

async function reingest(d) {
  const kb = state.kb;
  let r;
  try {
    r = await api(kbPath(kb, `/documents/${encodeURIComponent(d.id)}/reingest`), { method: 'POST' });
  } catch (e) { notify(describeError(e)); return; }
  notify(t('docs.reingesting', { title: d.title || baseName(d.source) }), 'info');
  loadDocuments();
  const job = await followJob(kb, r?.job, () => {});
  const title = d.title || baseName(d.source);
  if (job?.status === 'failed') notify(`${title}: ${job.error || job.report?.files?.[0]?.error || t('job.failed')}`);
  else if (job) notify(t('docs.reingested', { title, chunks: job.report?.chunks ?? d.chunks }), 'info');
  loadDocuments();
}

/** DELETE the failed upload's job: the server then drops its files from `pending`. */
async function dismissPending(p) {
  const kb = state.kb;
  try {
    await api(kbPath(kb, `/jobs/${encodeURIComponent(p.job_id)}`), { method: 'DELETE' });
  } catch (e) {
    // Already forgotten (another tab, or a restart): the refresh below shows what is left.
    if (e.status !== 404) { notify(describeError(e)); return; }
  }
  // The job's row in the upload list says the same failure: it goes too.
  for (const row of $('uploads').querySelectorAll('[data-testid="upload-row"]')) {
    if (row.dataset.jobId === String(p.job_id)) row.remove();
  }
  await loadDocuments();
}

async function deleteDoc(d) {
  if (!(await confirmDialog(t('docs.confirmDelete', { title: d.title || baseName(d.source) })))) return;
  try {
    await api(kbPath(state.kb, `/documents/${encodeURIComponent(d.id)}`), { method: 'DELETE' });
  } catch (e) { notify(describeError(e)); return; }
  await loadDocuments();
  refreshKbs().catch(() => {});
}
