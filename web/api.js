// The HTTP client for docs/api.md: JSON requests, SSE streams over fetch,
// and uploads over XMLHttpRequest (fetch has no upload progress).
// Every request carries the API key from Settings, if one is stored.
import { SSEParser } from './sse.js';
import { t } from './i18n.js';

const KEY_STORAGE = 'askio.apiKey';

export function getApiKey() {
  try { return localStorage.getItem(KEY_STORAGE) ?? ''; } catch { return ''; }
}
export function setApiKey(key) {
  try {
    if (key) localStorage.setItem(KEY_STORAGE, key); else localStorage.removeItem(KEY_STORAGE);
  } catch { /* storage disabled: the key lasts for this page only */ }
}

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function headers(extra = {}) {
  const key = getApiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : { ...extra };
}

/** /api/kbs/{kb}{rest}, with the name escaped (names allow only [A-Za-z0-9_.-], but be safe). */
export const kbPath = (kb, rest = '') => `/api/kbs/${encodeURIComponent(kb)}${rest}`;

function errorFromBody(status, bodyText, retryAfter) {
  let code = `http_${status}`;
  let message = '';
  try {
    const e = JSON.parse(bodyText)?.error;
    if (e) { code = e.code ?? code; message = e.message ?? ''; }
  } catch { message = bodyText.slice(0, 200); }
  return new ApiError(status, code, message, retryAfter);
}

async function errorFrom(res) {
  return errorFromBody(res.status, await res.text().catch(() => ''), res.headers.get('Retry-After'));
}

async function send(path, { method = 'GET', body, signal, accept = 'application/json' } = {}) {
  const h = headers({ Accept: accept });
  let payload;
  if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  try {
    return await fetch(path, { method, headers: h, body: payload, signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
}

/** A JSON request; resolves to the parsed body (null for 204), throws ApiError. */
export async function api(path, opts = {}) {
  const res = await send(path, opts);
  if (!res.ok) throw await errorFrom(res);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Reads an SSE response, calling onEvent(name, data) with data parsed as JSON
 * when it is JSON. If the server answers plain JSON instead (say, an error
 * before the stream started), that is thrown or returned as {json}.
 */
export async function stream(path, { method = 'GET', body, signal, onEvent }) {
  const res = await send(path, { method, body, signal, accept: 'text/event-stream' });
  if (!res.ok) throw await errorFrom(res);
  if (!(res.headers.get('Content-Type') ?? '').includes('text/event-stream')) {
    return { json: await res.json() };
  }
  const parser = new SSEParser(({ event, data }) => {
    let parsed = data;
    try { parsed = JSON.parse(data); } catch { /* not JSON: pass the text */ }
    onEvent(event, parsed);
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
    parser.end();
  } finally {
    reader.releaseLock();
  }
  return {};
}

/**
 * Uploads one file as multipart `files` with progress. Returns {promise, abort};
 * the promise resolves to the 202 body ({job, files}) or rejects with ApiError.
 */
export function uploadFile(kb, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', kbPath(kb, '/documents'));
    for (const [k, v] of Object.entries(headers({ Accept: 'application/json' }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress?.(e.loaded, e.total); };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve(JSON.parse(xhr.responseText)); } catch { reject(new ApiError(xhr.status, 'bad_response', xhr.responseText.slice(0, 200))); }
      } else {
        reject(errorFromBody(xhr.status, xhr.responseText ?? '', xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', t('err.network')));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', t('upload.cancelled')));
    const form = new FormData();
    form.append('files', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

/** A message for the user that says what went wrong and what to do. */
export function describeError(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  const detail = err.message ? ` (${err.message})` : '';
  switch (err.status) {
    case 0: return err.code === 'aborted' ? err.message : t('err.network');
    case 401: return t('err.401') + detail;
    case 403: return t('err.403') + detail;
    case 404: return t('err.404') + detail;
    case 413: return t('err.413') + detail;
    case 415: return t('err.415') + detail;
    case 429: return (err.retryAfter ? t('err.429.after', { s: err.retryAfter }) : t('err.429')) + detail;
    case 503: return t('err.503') + detail;
    default: return `${t('err.generic', { status: err.status, code: err.code })}${detail}`;
  }
}
