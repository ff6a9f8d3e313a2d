// Voice in the chat: a microphone button records a question (MediaRecorder),
// turns it into 16 kHz WAV in the browser (the server reads WAV, FLAC, Ogg
// and MP3, not the WebM Chromium records), transcribes it with
// /v1/audio/transcriptions and asks it like a typed question; a speaker
// toggle reads answers aloud through /v1/audio/speech (played with Web Audio,
// so no media-src is needed in the page's content security policy).
import { getApiKey, ApiError } from './api.js';
import { t } from './i18n.js';
import { notify } from './ui.js';

const SPEAKER_STORAGE = 'askio.speaker';
const $ = (id) => document.getElementById(id);

let recorder = null;    // the MediaRecorder while recording
let audioContext = null;
let playing = null;     // the AudioBufferSourceNode being played

function authHeaders(extra = {}) {
  const key = getApiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

function context() {
  audioContext ??= new AudioContext();
  return audioContext;
}

export function speakerOn() {
  try { return localStorage.getItem(SPEAKER_STORAGE) === 'on'; } catch { return false; }
}

function setSpeaker(on) {
  try { localStorage.setItem(SPEAKER_STORAGE, on ? 'on' : 'off'); } catch { /* page-only */ }
  const b = $('chat-speaker');
  b.setAttribute('aria-pressed', String(on));
  b.classList.toggle('active', on);
  b.title = t(on ? 'voice.speakerOn' : 'voice.speakerOff');
  if (!on) stopSpeaking();
}

/** 16-bit PCM mono WAV of `samples` (Float32Array) at `rate`. */
export function encodeWav(samples, rate) {
  const buf = new ArrayBuffer(44 + samples.length * 2);
  const v = new DataView(buf);
  const str = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
  str(0, 'RIFF'); v.setUint32(4, 36 + samples.length * 2, true); str(8, 'WAVE');
  str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
  v.setUint32(24, rate, true); v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true);
  v.setUint16(34, 16, true); str(36, 'data'); v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    v.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([buf], { type: 'audio/wav' });
}

/** Any recording the browser can decode, as 16 kHz mono WAV. */
async function toWav(blob) {
  const decoded = await context().decodeAudioData(await blob.arrayBuffer());
  const rate = 16000;
  const offline = new OfflineAudioContext(1, Math.max(1, Math.ceil(decoded.duration * rate)), rate);
  const src = offline.createBufferSource();
  src.buffer = decoded; // several channels are mixed down to the one
  src.connect(offline.destination);
  src.start();
  const rendered = await offline.startRendering();
  return encodeWav(rendered.getChannelData(0), rate);
}

async function transcribe(wav) {
  const form = new FormData();
  form.append('file', wav, 'question.wav');
  form.append('model', 'askio');
  const res = await fetch('/v1/audio/transcriptions', { method: 'POST', headers: authHeaders(), body: form });
  const body = await res.text();
  if (!res.ok) {
    let message = body.slice(0, 200);
    try { message = JSON.parse(body).error?.message ?? message; } catch { /* not JSON */ }
    throw new ApiError(res.status, 'transcription_failed', message);
  }
  return JSON.parse(body).text ?? '';
}

function setRecording(on) {
  const b = $('chat-mic');
  b.classList.toggle('recording', on);
  b.setAttribute('aria-pressed', String(on));
  b.title = t(on ? 'voice.stop' : 'voice.record');
}

async function toggleRecording(onQuestion) {
  if (recorder) { recorder.stop(); return; }
  let streamIn;
  try {
    streamIn = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    notify(t('voice.micDenied'), 'error');
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(streamIn);
  recorder.addEventListener('dataavailable', (e) => { if (e.data.size) chunks.push(e.data); });
  recorder.addEventListener('stop', async () => {
    streamIn.getTracks().forEach((tr) => tr.stop());
    recorder = null;
    setRecording(false);
    const input = $('chat-input');
    const placeholder = input.placeholder;
    input.placeholder = t('voice.transcribing');
    try {
      const text = (await transcribe(await toWav(new Blob(chunks, { type: chunks[0]?.type ?? '' })))).trim();
      if (!text) notify(t('voice.nothingHeard'), 'info');
      else onQuestion(text);
    } catch (e) {
      notify(`${t('voice.failed')}: ${e.message}`, 'error');
    } finally {
      input.placeholder = placeholder;
    }
  });
  recorder.start();
  setRecording(true);
}

export function stopSpeaking() {
  try { playing?.stop(); } catch { /* already ended */ }
  playing = null;
}

/** Reads `text` aloud when the speaker is on ([n] markers are not spoken: the server drops them). */
export async function speak(text) {
  if (!speakerOn() || !text.trim()) return;
  stopSpeaking();
  try {
    const res = await fetch('/v1/audio/speech', {
      method: 'POST',
      headers: authHeaders({ 'Content-Type': 'application/json' }),
      body: JSON.stringify({ model: 'askio', input: text, response_format: 'wav' }),
    });
    if (!res.ok) throw new ApiError(res.status, 'speech_failed', (await res.text()).slice(0, 200));
    const buffer = await context().decodeAudioData(await res.arrayBuffer());
    const src = context().createBufferSource();
    src.buffer = buffer;
    src.connect(context().destination);
    src.start();
    playing = src;
    $('chat-speaker').dataset.played = String(Number($('chat-speaker').dataset.played ?? 0) + 1);
  } catch (e) {
    notify(`${t('voice.failed')}: ${e.message}`, 'error');
  }
}

/** Wires the buttons; `onQuestion(text)` asks a transcribed question. */
export function initVoice(onQuestion) {
  const mic = $('chat-mic');
  const speaker = $('chat-speaker');
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') mic.hidden = true;
  mic.addEventListener('click', () => toggleRecording(onQuestion));
  speaker.addEventListener('click', () => setSpeaker(!speakerOn()));
  setRecording(false);
  setSpeaker(speakerOn());
}
