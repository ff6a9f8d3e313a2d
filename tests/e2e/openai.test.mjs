// The OpenAI-compatible surface (/v1) driven by the official `openai` SDK, as
// any OpenAI client would use it: models, chat completions (plain and
// streamed) with [n] markers and `sources`, errors in OpenAI's shape, keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { makeWorkspace, runAskio, createKey, startServer, waitFor } from './server.mjs';

const HANDBOOK = `# Acme Employee Handbook

## Annual leave

Every employee receives 27 days of annual leave per calendar year.

## Teams

The platform team is owned by Marta Kowalski.
`;
const OTHER = `# Cafeteria

The cafeteria opens at 7:30 on weekdays.
`;
const QUESTION = 'How many days of annual leave does every employee receive?';

let ws;
let server;
let url;

before(async () => {
  ws = await makeWorkspace('openai');
  const handbook = await ws.write('handbook.md', HANDBOOK);
  const other = await ws.write('cafeteria.md', OTHER);
  await runAskio(ws.dataDir, ['ingest', '--kb', 'handbook', handbook]);
  await runAskio(ws.dataDir, ['ingest', '--kb', 'other', other]);
  server = await startServer(ws.dataDir, { name: 'openai' });
  url = server.url;
});

after(async () => {
  await server?.stop();
  await ws?.cleanup();
});

const client = (apiKey = 'none') => new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });
const ask = (c, model = 'kb:handbook', content = QUESTION) => c.chat.completions.create({ model, messages: [{ role: 'user', content }] });

function assertSources(sources) {
  assert.ok(Array.isArray(sources) && sources.length > 0, `sources should be a non-empty array, got ${JSON.stringify(sources)}`);
  assert.ok(sources.some((s) => String(s.source ?? '').endsWith('handbook.md')), `a source should name handbook.md: ${JSON.stringify(sources)}`);
  for (const s of sources) {
    assert.equal(typeof s.number, 'number');
    assert.ok(s.chunk_id !== undefined && s.chunk_id !== null, 'each source has a chunk_id');
  }
  assert.ok(sources.some((s) => String(s.quote ?? '').includes('27 days')), 'a source quotes the sentence');
}

test('models.list() names every knowledge base as kb:NAME', async () => {
  const ids = [];
  for await (const m of client().models.list()) {
    ids.push(m.id);
    assert.equal(m.object, 'model');
    assert.equal(m.owned_by, 'askio');
  }
  assert.ok(ids.includes('kb:handbook'), `models: ${ids.join(', ')}`);
  assert.ok(ids.includes('kb:other'), `models: ${ids.join(', ')}`);
});

test('a chat completion answers from the documents with a [1] marker and sources', async () => {
  const r = await ask(client());
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, 'kb:handbook');
  assert.equal(r.choices.length, 1);
  const { message, finish_reason: finish } = r.choices[0];
  assert.equal(message.role, 'assistant');
  assert.equal(finish, 'stop');
  assert.match(message.content, /27 days/);
  assert.match(message.content, /\[1\]/);
  assertSources(r.sources);
});

test('the question is the last user message of the conversation', async () => {
  const r = await client().chat.completions.create({
    model: 'kb:handbook',
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: QUESTION },
      { role: 'assistant', content: 'Every employee receives 27 days of annual leave per calendar year. [1]' },
      { role: 'user', content: 'Who owns the platform team?' },
    ],
  });
  assert.match(r.choices[0].message.content, /Marta Kowalski/);
});

test('a streamed chat completion sends deltas that add up to the answer, then stop', async () => {
  const stream = await client().chat.completions.create({
    model: 'kb:handbook',
    messages: [{ role: 'user', content: QUESTION }],
    stream: true,
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(chunks.length >= 2, `expected several chunks, got ${chunks.length}`);
  for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.match(text, /27 days/);
  assert.match(text, /\[1\]/);
  const last = chunks[chunks.length - 1];
  assert.equal(last.choices[0]?.finish_reason, 'stop', `last chunk: ${JSON.stringify(last)}`);
  for (const c of chunks.slice(0, -1)) assert.ok(!c.choices[0]?.finish_reason, 'only the last chunk finishes');
  assertSources(last.sources);
});

test('an unknown model is a 404 APIError in OpenAI\'s shape', async () => {
  await assert.rejects(ask(client(), 'kb:no-such-kb'), (e) => {
    assert.ok(e instanceof OpenAI.APIError, `not an APIError: ${e}`);
    assert.equal(e.status, 404);
    assert.equal(e.code, 'model_not_found');
    return true;
  });
});

// From here on a key exists, so every /v1 request needs one.
test('with keys: no key or a wrong key is 401, the KB\'s key works, another KB\'s key gets 404', async () => {
  const readerKey = await createKey(ws.dataDir, ['--kb', 'handbook', '--role', 'reader']);
  const otherKey = await createKey(ws.dataDir, ['--kb', 'other', '--role', 'reader']);
  assert.match(readerKey, /^askio_/);

  // The server notices keys made by the CLI while it runs (it re-checks
  // "does any key exist" at most once a second): wait for that, no longer.
  const bare = await waitFor(async () => {
    const r = await fetch(`${url}/v1/models`);
    return r.status === 200 ? null : r;
  }, { timeoutMs: 10_000, what: 'keys created by the CLI to take effect' });
  // No Authorization header at all.
  assert.equal(bare.status, 401);
  const body = await bare.json();
  assert.equal(body.error?.code, 'invalid_api_key', JSON.stringify(body));
  assert.equal(typeof body.error?.message, 'string');

  // The SDK with a key that does not exist.
  await assert.rejects(ask(client('none')), (e) => {
    assert.ok(e instanceof OpenAI.AuthenticationError, `expected AuthenticationError, got ${e}`);
    assert.equal(e.status, 401);
    return true;
  });
  await assert.rejects(client('none').models.list(), (e) => e.status === 401);

  // The reader key for handbook: models and answers.
  const ids = [];
  for await (const m of client(readerKey).models.list()) ids.push(m.id);
  assert.ok(ids.includes('kb:handbook'), `models with the handbook key: ${ids.join(', ')}`);
  assert.ok(!ids.includes('kb:other'), `a KB outside the key's scope must not be listed: ${ids.join(', ')}`);
  const r = await ask(client(readerKey));
  assert.match(r.choices[0].message.content, /27 days/);
  assertSources(r.sources);

  // A key for another KB: handbook does not exist for it.
  await assert.rejects(ask(client(otherKey)), (e) => {
    assert.ok(e instanceof OpenAI.APIError, `not an APIError: ${e}`);
    assert.equal(e.status, 404);
    return true;
  });
  const own = await ask(client(otherKey), 'kb:other', 'When does the cafeteria open?');
  assert.match(own.choices[0].message.content, /7:30/);
});

test('the server exits cleanly on SIGTERM', async () => {
  assert.deepEqual(await server.stop(), { code: 0, signal: null });
});
