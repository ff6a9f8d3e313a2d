// Voice in the web chat, in Chromium with a fake microphone that plays a
// question espeak-ng spoke (--use-file-for-fake-audio-capture): the mic
// button records it, the page turns it into WAV and transcribes it with
// /v1/audio/transcriptions (pocketsphinx on the server), the question is
// asked like a typed one, and with the speaker toggle on the answer is
// fetched from /v1/audio/speech and played — with no console error and no
// Content-Security-Policy violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openPage } from './browser.mjs';
import { makeWorkspace, startServer, runAskio } from './server.mjs';

const KB = 'office-voice';
const TIMEOUT = 60_000;
let ws;
let server;
let browser;
let page;
let problems = [];

before(async () => {
  ws = await makeWorkspace('voice');
  const doc = await ws.write('office.md', '# Office guide\n\nThe meeting room is on the third floor of the main building.\n');
  await runAskio(ws.dataDir, ['ingest', '--kb', KB, doc]);
  const question = path.join(path.dirname(doc), 'question.wav');
  await runAskio(ws.dataDir, ['voice', 'speak', '--voice', 'en-us+klatt2', 'Where is the meeting room?', '-o', question]);
  server = await startServer(ws.dataDir, { name: 'voice' });
  ({ browser, page, problems } = await openPage(server.url, {
    extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${question}%noloop`, '--autoplay-policy=no-user-gesture-required'],
    permissions: ['microphone'],
    timeoutMs: TIMEOUT,
  }));
});

after(async () => {
  if (problems.length) console.error(problems.join('\n'));
  await browser?.close();
  await server?.stop();
  await ws?.cleanup();
});

test('ask by voice and hear the answer', async () => {
  await page.goto(server.url);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByTestId('kb-select').selectOption(KB);
  // Speaker on: answers are read aloud.
  await page.getByTestId('chat-speaker').click();
  await page.locator('[data-testid="chat-speaker"][aria-pressed="true"]').waitFor();

  // Record for about as long as the question lasts, then stop: the page
  // transcribes and asks.
  const transcription = page.waitForResponse((r) => r.url().endsWith('/v1/audio/transcriptions'));
  await page.getByTestId('chat-mic').click();
  await page.locator('[data-testid="chat-mic"][aria-pressed="true"]').waitFor();
  await page.waitForTimeout(2500); // the fake microphone plays the file in real time
  const speech = page.waitForResponse((r) => r.url().endsWith('/v1/audio/speech'));
  await page.getByTestId('chat-mic').click();
  const t = await transcription;
  assert.equal(t.status(), 200, await t.text());
  const heard = (await t.json()).text;
  assert.match(heard, /meeting room/);

  const answer = page.locator('[data-testid="answer"][data-state="done"]').last();
  await answer.waitFor();
  assert.match(await answer.getByTestId('answer-text').innerText(), /third floor/);
  const s = await speech;
  assert.equal(s.status(), 200);
  assert.equal((await s.allHeaders())['content-type'], 'audio/wav');
  // Played: decoded and started through Web Audio.
  await page.locator('[data-testid="chat-speaker"][data-played="1"]').waitFor();
  assert.deepEqual(problems, []);
});
