// Chat: ask the selected knowledge base, stream the answer token by token,
// show citations as chips that open the passage panel, keep conversations.
import { api, stream, kbPath, describeError } from './api.js';
import { t, onLangChange } from './i18n.js';
import { h, icon, iconButton, notify, confirmDialog, promptDialog, formatTime, formatLocation, baseName } from './ui.js';
import { renderMarkdown } from './markdown.js';
import { state, onKbChange, onKbsLoaded } from './state.js';
import { openPassage, closePassage } from './passage.js';
import { initVoice, speak, stopSpeaking } from './voice.js';

let conversationId = null; // the conversation new questions go to (null: a new one)
let controller = null;     // aborts the answer being streamed
let conversations = [];

// What the server streams (and stores) as the text of a not-found answer; the
// UI shows its own localized sentence instead.
const SERVER_NOT_FOUND = 'The knowledge base does not contain an answer to this question.';

const $ = (id) => document.getElementById(id);

export function initChat() {
  const form = $('chat-form');
  const input = $('chat-input');
  form.addEventListener('submit', (e) => { e.preventDefault(); ask(); });
  input.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a new line; not while an IME is composing (Chinese input).
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(); }
  });
  input.addEventListener('input', autosize);
  $('chat-stop').addEventListener('click', () => controller?.abort());
  $('chat-new').addEventListener('click', () => { newChat(); toggleSidebar(false); });
  // Narrow screens hide the conversation list; the header button shows it as an overlay.
  $('sidebar-toggle').addEventListener('click', () => toggleSidebar());
  $('sidebar-backdrop').addEventListener('click', () => toggleSidebar(false));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && $('chat-view').classList.contains('sidebar-open')) toggleSidebar(false);
  });
  onKbChange(() => { newChat(); loadConversations(); });
  onKbsLoaded(() => updateEmptyState());
  onLangChange(() => { renderConversations(); updateEmptyState(); });
  // A spoken question is asked like a typed one.
  initVoice((text) => { input.value = text; autosize(); ask(); });
}

/** Shows (true), hides (false) or flips (undefined) the conversation list overlay. */
function toggleSidebar(open) {
  const view = $('chat-view');
  const next = open ?? !view.classList.contains('sidebar-open');
  view.classList.toggle('sidebar-open', next);
  $('sidebar-toggle').setAttribute('aria-expanded', String(next));
}

function autosize() {
  const input = $('chat-input');
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

export function newChat() {
  controller?.abort();
  conversationId = null;
  $('chat-messages').replaceChildren();
  closePassage();
  renderConversations();
  updateEmptyState();
  $('chat-input').focus();
}

function updateEmptyState() {
  const empty = $('chat-empty');
  const has = $('chat-messages').childElementCount > 0;
  empty.hidden = has;
  empty.textContent = state.kb ? t('chat.empty', { kb: state.kb }) : t('chat.noKb');
  $('chat-send').disabled = !state.kb || Boolean(controller);
}

function setBusy(busy) {
  $('chat-send').hidden = busy;
  $('chat-stop').hidden = !busy;
  $('chat-send').disabled = busy || !state.kb;
}

// --- Conversations sidebar

export async function loadConversations() {
  if (!state.kb) { conversations = []; renderConversations(); return; }
  const kb = state.kb;
  try {
    const r = await api(kbPath(kb, '/conversations'));
    if (kb !== state.kb) return;
    conversations = r?.conversations ?? [];
  } catch (e) {
    conversations = [];
    notify(describeError(e));
  }
  renderConversations();
}

function renderConversations() {
  const list = $('conversation-list');
  if (!conversations.length) {
    list.replaceChildren(h('li', { class: 'muted empty-row', text: t('chat.noConversations') }));
    return;
  }
  list.replaceChildren(...conversations.map((c) => h('li', {
    class: `conv-item${c.id === conversationId ? ' active' : ''}`, testid: 'conversation-item', dataset: { id: c.id },
  },
  h('button', { type: 'button', class: 'conv-open', on: { click: () => { toggleSidebar(false); openConversation(c.id); } }, title: c.title ?? '' },
    h('span', { class: 'conv-title', text: c.title || t('chat.untitled') }),
    h('span', { class: 'conv-time muted', text: formatTime(c.updated_at ?? c.created_at) })),
  iconButton('trash', t('chat.deleteConversation'), () => deleteConversation(c), { class: 'conv-delete', testid: 'conversation-delete' }))));
}

async function openConversation(id) {
  controller?.abort();
  const kb = state.kb;
  let conv;
  try {
    conv = await api(kbPath(kb, `/conversations/${encodeURIComponent(id)}`));
  } catch (e) { notify(describeError(e)); return; }
  conversationId = id;
  closePassage();
  const box = $('chat-messages');
  box.replaceChildren();
  for (const m of conv?.messages ?? []) {
    if (m.role === 'user') addUserMessage(m.content);
    else {
      const a = addAnswer(kb);
      a.setText(m.content ?? '');
      // A stored not-found answer has neither reason nor closest passages: just the sentence.
      a.setCitations(m.citations ?? [], m.found !== false, { reason: '' });
      a.finish(m.id, m.feedback);
    }
  }
  renderConversations();
  updateEmptyState();
  scrollToEnd(true);
}

async function deleteConversation(c) {
  if (!(await confirmDialog(t('chat.confirmDelete', { title: c.title || t('chat.untitled') })))) return;
  try {
    await api(kbPath(state.kb, `/conversations/${encodeURIComponent(c.id)}`), { method: 'DELETE' });
  } catch (e) { notify(describeError(e)); return; }
  if (c.id === conversationId) newChat();
  await loadConversations();
}

// --- Messages

function scrollToEnd(force = false) {
  const box = $('chat-scroll');
  // Follow the stream only if the user has not scrolled up to read.
  if (force || box.scrollHeight - box.scrollTop - box.clientHeight < 120) box.scrollTop = box.scrollHeight;
}

function addUserMessage(text) {
  $('chat-messages').append(h('div', { class: 'msg user', testid: 'msg-user' }, h('div', { class: 'bubble', text })));
  updateEmptyState();
}

/** An assistant message whose text, citations and actions fill in as the stream goes. */
function addAnswer(kb) {
  let raw = '';
  let reason = ''; // when not found: why, as the server put it
  let citations = [];
  let found = true;
  let messageId = null;
  let pending = false;

  const text = h('div', { class: 'answer-text md', testid: 'answer-text' });
  const reasonEl = h('p', { class: 'answer-reason muted', testid: 'not-found-reason', hidden: true });
  const chips = h('div', { class: 'citations', testid: 'citations', hidden: true });
  const closestEl = h('div', { class: 'citations closest', testid: 'closest', hidden: true });
  const actions = h('div', { class: 'answer-actions', hidden: true });
  const status = h('div', { class: 'answer-status muted' });
  const el = h('div', { class: 'msg assistant', testid: 'answer', dataset: { state: 'streaming' } },
    h('div', { class: 'bubble' }, status, text, reasonEl, chips, closestEl, actions));
  $('chat-messages').append(el);

  const chipFor = (n) => {
    const c = citations.find((x) => Number(x.number) === n);
    if (!c) return null;
    return h('button', { type: 'button', class: 'cite-marker', text: `[${n}]`, title: c.title ?? '', on: { click: () => openPassage(kb, c) } });
  };
  const render = () => {
    pending = false;
    text.replaceChildren(renderMarkdown(raw, { cite: found ? chipFor : null, imageLabel: t('md.image') }));
    scrollToEnd();
  };
  // Tokens arrive in bursts (many per network read): render once per burst.
  const schedule = () => { if (!pending) { pending = true; queueMicrotask(render); } };

  const answer = {
    append(piece) { raw += piece; el.dataset.state = 'streaming'; schedule(); },
    setText(s) { raw = s; schedule(); },
    setStatus(s) { status.textContent = s; status.hidden = !s; },
    /**
     * The citations event (or the JSON answer): `list` cites the answer when
     * found; when not, `reason` says why and `closest` lists the passages that
     * came nearest (absent for answers reloaded from history).
     */
    setCitations(list, isFound, { reason: why, closest } = {}) {
      found = isFound !== false;
      citations = found && Array.isArray(list) ? list : [];
      el.classList.toggle('not-found', !found);
      el.dataset.found = String(found);
      chips.hidden = citations.length === 0;
      chips.replaceChildren(
        h('span', { class: 'citations-label muted', text: t('chat.sources') }),
        ...citations.map((c) => h('button', {
          type: 'button', class: 'chip', testid: 'citation-chip', dataset: { number: c.number, chunkId: c.chunk_id },
          title: c.quote ?? '', on: { click: () => openPassage(kb, c) },
        },
        h('span', { class: 'chip-num', text: `[${c.number}]` }),
        h('span', { class: 'chip-title', text: c.title || baseName(c.source) }),
        formatLocation(c) ? h('span', { class: 'chip-loc', text: formatLocation(c) }) : null)));
      const near = !found && Array.isArray(closest) ? closest.slice(0, 3) : [];
      closestEl.hidden = near.length === 0;
      closestEl.replaceChildren(
        h('span', { class: 'citations-label muted', text: t('chat.closest') }),
        ...near.map((c) => {
          const where = formatLocation(c) || lastHeading(c.heading_path, c.title);
          return h('button', {
            type: 'button', class: 'chip', testid: 'closest-chip', dataset: { chunkId: c.chunk_id },
            title: c.snippet ?? '',
            // No quote to mark: the passage panel marks the snippet if it is in the chunk verbatim.
            on: { click: () => openPassage(kb, { chunk_id: c.chunk_id, title: c.title, source: c.source, heading_path: c.heading_path, location: c.location, snippet: c.snippet }) },
          },
          h('span', { class: 'chip-title', text: c.title || baseName(c.source) }),
          where ? h('span', { class: 'chip-loc', text: where }) : null);
        }));
      if (!found) {
        if (typeof why === 'string') reason = why.trim();
        // An older server streamed its reason as the text: keep it as the reason.
        else if (raw.trim() && raw.trim() !== SERVER_NOT_FOUND && raw !== t('chat.notFoundText')) reason = raw.trim();
        raw = t('chat.notFoundText');
        reasonEl.textContent = reason;
        reasonEl.hidden = !reason;
        status.replaceChildren(h('span', { class: 'badge warn', text: t('chat.notFound'), testid: 'not-found' }));
        status.hidden = false;
      }
      schedule();
    },
    finish(id, feedback) {
      messageId = id ?? messageId;
      el.dataset.state = 'done';
      if (id) el.dataset.messageId = id;
      actions.hidden = false;
      actions.replaceChildren(
        iconButton('copy', t('chat.copy'), () => copyAnswer(raw, citations), { testid: 'copy-answer' }),
        messageId ? feedbackButton('up', feedback) : null,
        messageId ? feedbackButton('down', feedback) : null);
      render();
    },
    fail(message) {
      el.dataset.state = 'error';
      el.classList.add('failed');
      status.replaceChildren(h('span', { class: 'error-text', text: message, testid: 'answer-error' }));
      actions.hidden = false;
      actions.replaceChildren(iconButton('copy', t('chat.copy'), () => copyAnswer(raw, citations), { testid: 'copy-answer' }));
    },
  };

  function feedbackButton(rating, given) {
    const b = iconButton(rating, t(rating === 'up' ? 'chat.helpful' : 'chat.notHelpful'), async () => {
      let comment = '';
      if (rating === 'down') {
        const c = await promptDialog(t('chat.feedbackPrompt'), { placeholder: t('chat.feedbackPlaceholder') });
        if (c === null) return;
        comment = c;
      }
      try {
        await api(kbPath(kb, '/feedback'), { method: 'POST', body: { message_id: messageId, rating, comment } });
      } catch (e) { notify(describeError(e)); return; }
      for (const other of actions.querySelectorAll('.feedback')) other.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-pressed', 'true');
      notify(t('chat.thanks'), 'info');
    }, { class: 'feedback', testid: `feedback-${rating}` });
    b.setAttribute('aria-pressed', String(given === rating || given?.rating === rating));
    return b;
  }
  answer.setStatus('');
  return answer;
}

/** The last heading of a passage's path, unless it merely repeats the title. */
function lastHeading(hp, title) {
  const parts = Array.isArray(hp) ? hp.filter(Boolean) : (hp ? [String(hp)] : []);
  const last = parts[parts.length - 1] ?? '';
  return last && last !== title ? last : '';
}

async function copyAnswer(text, citations) {
  // Plain text with the sources written out, so a pasted answer keeps its evidence.
  const sources = citations.map((c) => `[${c.number}] ${c.title || baseName(c.source)}${formatLocation(c) ? `, ${formatLocation(c)}` : ''}${c.source ? ` — ${c.source}` : ''}`);
  const full = sources.length ? `${text}\n\n${t('chat.sources')}:\n${sources.join('\n')}` : text;
  try {
    await navigator.clipboard.writeText(full);
    notify(t('chat.copied'), 'info');
  } catch {
    // No clipboard API (plain http on a non-loopback host) or permission refused:
    // the old execCommand path still works from a click.
    const ta = h('textarea', { value: full, class: 'offscreen', attrs: { readonly: true } });
    document.body.append(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    notify(ok ? t('chat.copied') : t('chat.copyFailed'), ok ? 'info' : 'error');
  }
}

// --- Asking

async function ask() {
  const input = $('chat-input');
  const question = input.value.trim();
  if (!question || controller || !state.kb) return;
  const kb = state.kb;
  input.value = '';
  autosize();
  addUserMessage(question);
  const answer = addAnswer(kb);
  answer.setStatus(t('chat.thinking'));
  scrollToEnd(true);

  controller = new AbortController();
  setBusy(true);
  stopSpeaking();
  let gotDone = false;
  let gotText = false;
  let heardText = ''; // what the speaker toggle reads aloud
  let found = true;
  try {
    const result = await stream(kbPath(kb, '/ask'), {
      method: 'POST',
      body: { question, conversation_id: conversationId ?? undefined, stream: true },
      signal: controller.signal,
      onEvent(event, data) {
        switch (event) {
          case 'meta':
            if (data?.conversation_id) conversationId = data.conversation_id;
            break;
          case 'token':
            if (!gotText) { gotText = true; answer.setStatus(''); }
            answer.append(typeof data === 'string' ? data : data?.text ?? '');
            heardText += typeof data === 'string' ? data : data?.text ?? '';
            break;
          case 'citations':
            found = data?.found !== false;
            answer.setCitations(data?.citations ?? [], data?.found, { reason: data?.reason, closest: data?.closest });
            break;
          case 'done':
            gotDone = true;
            answer.finish(data?.message_id);
            break;
          case 'error': {
            const err = data?.error ?? data;
            answer.fail(err?.message ?? t('chat.streamError'));
            gotDone = true;
            break;
          }
          default: break; // unknown events are for newer clients
        }
      },
    });
    if (result.json) {
      // The server answered without streaming: same content, one piece.
      const r = result.json;
      conversationId = r.conversation_id ?? conversationId;
      answer.setStatus('');
      answer.setText(r.answer?.text ?? '');
      answer.setCitations(r.answer?.citations ?? [], r.answer?.found, { reason: r.answer?.reason, closest: r.answer?.closest });
      answer.finish(r.message_id);
      gotDone = true;
    }
    if (!gotDone) answer.fail(t('chat.streamCut'));
    else if (result.json) speak(result.json.answer?.found ? result.json.answer?.text ?? '' : t('chat.notFound'));
    else speak(found ? heardText : t('chat.notFound'));
  } catch (e) {
    if (e.name === 'AbortError') {
      answer.setStatus('');
      answer.fail(t('chat.stopped'));
    } else {
      answer.setStatus('');
      answer.fail(describeError(e));
    }
  } finally {
    controller = null;
    setBusy(false);
    updateEmptyState();
    scrollToEnd();
  }
  await loadConversations();
}
