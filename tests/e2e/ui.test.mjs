// The web UI in Chromium (Debian's, driven by playwright-core): create a KB,
// upload a Markdown file and a PDF, wait until both are indexed, ask a
// question, follow the streamed answer's citation to the marked passage —
// with no console error and no Content-Security-Policy violation throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { openPage } from './browser.mjs';
import { makeWorkspace, startServer, createKey, waitFor, repoRoot, artifactsDir } from './server.mjs';

const NOTES = `# Project Orion Notes

## Release

The Orion release is scheduled for 14 March 2031.

## Ownership

The Orion dashboard is maintained by Priya Raman.
`;
const PDF = path.join(repoRoot, 'tests', 'data', 'formats', 'pdf-handbook.pdf');
const KB = 'orion-ui';
const TIMEOUT = 60_000;

let ws;
let server;
let browser;
let page;
let problems = []; // console errors, page errors, CSP violations, other origins
let expect401 = false;
let shot = 0;

async function screenshot(name) {
  shot += 1;
  await page.screenshot({ path: path.join(artifactsDir, `ui-${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true, animations: 'disabled' });
}

/** A test whose failure leaves a screenshot of the page as it was. */
function step(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (e) {
      await screenshot('FAILED').catch(() => {});
      throw e;
    }
  });
}

before(async () => {
  await mkdir(artifactsDir, { recursive: true });
  ws = await makeWorkspace('ui');
  server = await startServer(ws.dataDir, { name: 'ui' });
  ({ browser, page, problems } = await openPage(server.url, {
    viewport: { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
    timeoutMs: TIMEOUT,
    // Chromium logs every 401 response; the keys step causes some on purpose.
    ignoreConsoleError: (text) => expect401 && /status of 401/.test(text),
  }));
});

after(async () => {
  if (problems.length) console.error(problems.join('\n'));
  await browser?.close();
  await server?.stop();
  await ws?.cleanup();
});

test('the UI is served with the strict Content-Security-Policy', async () => {
  const res = await page.goto(server.url);
  assert.equal(res.status(), 200);
  const csp = (await res.allHeaders())['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  await page.locator('body[data-ready="true"]').waitFor();
});

step('create a knowledge base', async () => {
  await page.getByTestId('nav-kbs').click();
  await page.getByTestId('kb-create-name').fill(KB);
  await page.getByTestId('kb-create-submit').click();
  await page.locator(`[data-testid="kb-row"][data-name="${KB}"]`).waitFor();
  assert.equal(await page.getByTestId('kb-select').inputValue(), KB);
  await page.getByTestId('kb-detail').waitFor();
  await screenshot('kb-created');
});

step('upload a Markdown file and a PDF; both get indexed', async () => {
  const md = await ws.write('orion-notes.md', NOTES);
  await page.getByTestId('file-input').setInputFiles([md, PDF]);

  // Each file has its own upload row, progress and outcome.
  for (const name of ['orion-notes.md', 'pdf-handbook.pdf']) {
    const row = page.locator(`[data-testid="upload-row"][data-name="${name}"]`);
    await row.waitFor();
    await page.locator(`[data-testid="upload-row"][data-name="${name}"][data-state="done"]`).waitFor({ timeout: TIMEOUT });
  }
  // The document list shows both as indexed (source names end with the uploaded name).
  for (const name of ['orion-notes.md', 'pdf-handbook.pdf']) {
    await page.locator(`[data-testid="doc-row"][data-status="indexed"][data-name$="${name}"]`).waitFor({ timeout: TIMEOUT });
  }
  await screenshot('documents-indexed');
});

step('ask in chat: a streamed answer with a citation that opens the marked passage', async () => {
  await page.getByTestId('nav-chat').click();
  assert.equal(await page.getByTestId('kb-select').inputValue(), KB);
  await page.getByTestId('chat-input').fill('Who maintains the Orion dashboard?');
  const askResponse = page.waitForResponse((r) => r.url().endsWith(`/api/kbs/${KB}/ask`) && r.request().method() === 'POST');
  await page.getByTestId('chat-send').click();
  const res = await askResponse;
  assert.equal(res.status(), 200);
  assert.match((await res.allHeaders())['content-type'] ?? '', /text\/event-stream/);

  const answer = page.locator('[data-testid="answer"][data-state="done"]').last();
  await answer.waitFor();
  assert.match(await answer.getByTestId('answer-text').innerText(), /Priya Raman/);
  const chip = answer.getByTestId('citation-chip').first();
  await chip.waitFor();
  assert.match(await chip.innerText(), /\[1\]/);
  await screenshot('answer');

  await chip.click();
  const panel = page.getByTestId('passage-panel');
  await panel.waitFor();
  const mark = panel.locator('[data-testid="passage-text"] mark');
  await mark.waitFor();
  assert.match(await mark.innerText(), /The Orion dashboard is maintained by Priya Raman/);
  assert.match(await panel.getByTestId('passage-meta').innerText(), /Ownership/);
  await screenshot('passage');

  // The conversation is in the history sidebar.
  await page.getByTestId('conversation-item').first().waitFor();
  await page.getByTestId('passage-close').click();
  await panel.waitFor({ state: 'hidden' });

  // Copy puts the answer and its sources on the clipboard.
  await answer.getByTestId('copy-answer').click();
  await page.locator('[data-testid="notice"][data-kind="info"]', { hasText: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /Priya Raman/);
  assert.match(copied, /Sources:\n\[1\] Project Orion Notes/);

  // Thumbs up is recorded (POST feedback answers 201).
  const feedback = page.waitForResponse((r) => r.url().endsWith(`/api/kbs/${KB}/feedback`));
  await answer.getByTestId('feedback-up').click();
  assert.equal((await feedback).status(), 201);
  await answer.locator('[data-testid="feedback-up"][aria-pressed="true"]').waitFor();
});

step('a question the documents do not answer is shown as not found, with the closest passages', async () => {
  // Near the notes ("Orion") but not answered by them: the server sends closest passages.
  await page.getByTestId('chat-input').fill('What colour is the Orion logo?');
  await page.getByTestId('chat-send').click();
  const answer = page.locator('[data-testid="answer"][data-state="done"]').nth(1);
  await answer.waitFor();
  assert.equal(await answer.getAttribute('data-found'), 'false');
  await answer.getByTestId('not-found').waitFor();
  assert.equal(await answer.getByTestId('answer-text').innerText(), 'The knowledge base does not contain an answer to this question.');
  // The reason from the server, under the sentence.
  const reason = answer.getByTestId('not-found-reason');
  await reason.waitFor();
  assert.ok((await reason.innerText()).trim().length > 0, 'a reason is shown');
  assert.equal(await answer.getByTestId('citation-chip').count(), 0, 'no sources for a not-found answer');

  // Up to three closest passages, as chips under their own label.
  const closest = answer.getByTestId('closest');
  await closest.waitFor();
  assert.match(await closest.locator('.citations-label').innerText(), /^Closest passages$/);
  const chips = answer.getByTestId('closest-chip');
  const n = await chips.count();
  assert.ok(n >= 1 && n <= 3, `${n} closest chips`);
  await screenshot('not-found');

  // A closest chip opens the passage panel like a citation chip does.
  const chip = chips.first();
  const title = (await chip.locator('.chip-title').innerText()).trim();
  const snippet = (await chip.getAttribute('title')) ?? '';
  const chunkId = await chip.getAttribute('data-chunk-id');
  const chunkResponse = page.waitForResponse((r) => r.url().endsWith(`/api/kbs/${KB}/chunks/${chunkId}`));
  await chip.click();
  assert.equal((await chunkResponse).status(), 200);
  const panel = page.getByTestId('passage-panel');
  await panel.waitFor();
  assert.equal(await panel.getAttribute('data-chunk-id'), chunkId);
  await panel.getByTestId('passage-meta').waitFor();
  assert.equal(await panel.getByTestId('passage-title').innerText(), title);
  assert.ok((await panel.getByTestId('passage-meta').innerText()).includes(title), 'the document is named in the panel');
  // Nothing was quoted: only the snippet is marked, and only where the passage has it verbatim.
  const passage = await panel.getByTestId('passage-text').innerText();
  const marks = await panel.locator('[data-testid="passage-text"] mark').allInnerTexts();
  if (snippet.trim() && passage.includes(snippet.trim())) assert.deepEqual(marks, [snippet.trim()]);
  else assert.deepEqual(marks, []);
  await screenshot('closest-passage');
  await page.getByTestId('passage-close').click();
  await panel.waitFor({ state: 'hidden' });
});

step('a conversation from the history sidebar loads with its citations', async () => {
  await page.getByTestId('new-chat').click();
  assert.equal(await page.locator('[data-testid="answer"]').count(), 0);
  await page.getByTestId('conversation-item').first().locator('.conv-open').click();
  const answer = page.locator('[data-testid="answer"][data-state="done"]').first();
  await answer.waitFor();
  assert.match(await answer.getByTestId('answer-text').innerText(), /Priya Raman/);
  await answer.getByTestId('citation-chip').first().waitFor();
  assert.equal(await page.locator('[data-testid="answer"]').count(), 2);
  assert.equal(await answer.getByTestId('feedback-up').getAttribute('aria-pressed'), 'true', 'the thumbs up given earlier');

  // The stored not-found answer has no reason or closest passages: just the sentence.
  const notFound = page.locator('[data-testid="answer"][data-state="done"]').nth(1);
  assert.equal(await notFound.getAttribute('data-found'), 'false');
  assert.equal(await notFound.getByTestId('answer-text').innerText(), 'The knowledge base does not contain an answer to this question.');
  assert.equal(await notFound.getByTestId('closest-chip').count(), 0);
  assert.equal(await notFound.getByTestId('not-found-reason').isVisible(), false);
});

step('on a narrow screen the header button shows the conversations as an overlay', async () => {
  const list = page.getByTestId('conversation-list');
  const toggle = page.getByTestId('sidebar-toggle');
  // Wide: the sidebar is there and the toggle is not needed.
  await list.waitFor({ state: 'visible' });
  await toggle.waitFor({ state: 'hidden' });

  await page.setViewportSize({ width: 600, height: 860 });
  try {
    await list.waitFor({ state: 'hidden' });
    await toggle.waitFor({ state: 'visible' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    await list.waitFor({ state: 'visible' });
    await page.getByTestId('conversation-item').first().waitFor({ state: 'visible' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    // An overlay: the chat keeps its full width underneath.
    const sidebar = await page.getByTestId('chat-sidebar').boundingBox();
    const chat = await page.getByTestId('messages').boundingBox();
    assert.ok(sidebar.x + sidebar.width > chat.x, 'the sidebar lies over the chat');
    await screenshot('narrow-history');

    // Clicking beside it closes it; Escape does too.
    await page.getByTestId('sidebar-backdrop').click({ position: { x: 550, y: 400 } });
    await list.waitFor({ state: 'hidden' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.click();
    await list.waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'hidden' });

    // Opening a conversation from the overlay closes it.
    await toggle.click();
    await page.getByTestId('conversation-item').first().locator('.conv-open').click();
    await list.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="answer"][data-state="done"]').first().waitFor();
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
  await list.waitFor({ state: 'visible' });
});

step('search playground: hits with highlighted snippets and stage scores', async () => {
  await page.getByTestId('nav-search').click();
  await page.getByTestId('search-input').fill('annual leave');
  await page.getByTestId('search-submit').click();
  const hit = page.getByTestId('search-hit').first();
  await hit.waitFor();
  // The PDF's snippet mixes Chinese and English: byte offsets must land on "Annual leave".
  const marks = await page.locator('[data-testid="search-snippet"] mark').allInnerTexts();
  assert.ok(marks.length > 0, 'some snippet text is highlighted');
  for (const m of marks) assert.match(m, /^(annual|leave|annual leave)$/i, `highlight "${m}"`);
  await hit.getByTestId('search-stages').waitFor();
  await screenshot('search');
  // A tag no document has keeps every hit out; clearing it brings them back.
  await page.getByTestId('search-tags').fill('no-such-tag');
  await page.getByTestId('search-submit').click();
  await page.getByTestId('search-hit').first().waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('search-summary').innerText(), /^0\b|\b0 /);
  await page.getByTestId('search-tags').fill('');
  await page.getByTestId('search-submit').click();
  await page.getByTestId('search-hit').first().waitFor();
});

step('graph view: build the graph, then an entity, its neighbours and the sentences behind them', async () => {
  await page.getByTestId('nav-graph').click();
  const build = page.getByTestId('graph-build');
  await build.waitFor({ state: 'visible' });
  await build.click();
  await build.waitFor({ state: 'hidden', timeout: TIMEOUT });
  assert.match(await page.getByTestId('graph-stats').innerText(), /\d+ (entities|个实体)/);
  await page.getByTestId('graph-input').fill('Priya Raman');
  await page.getByTestId('graph-submit').click();
  const entity = page.getByTestId('graph-entity');
  await entity.waitFor();
  assert.match(await entity.innerText(), /Priya Raman/);
  const evidence = page.getByTestId('graph-evidence').first();
  await evidence.waitFor();
  assert.match(await evidence.innerText(), /Orion dashboard is maintained by Priya Raman/);
  await evidence.click();
  await page.locator('#passage-panel:not([hidden])').waitFor();
  await screenshot('graph');
  await page.getByTestId('passage-close').click();
  // An unknown name says so instead of drawing nothing.
  await page.getByTestId('graph-input').fill('Nobody Atall');
  await page.getByTestId('graph-submit').click();
  await page.getByTestId('graph-none').waitFor();
});

step('answers render as inert Markdown: no links, images or HTML from the text', async () => {
  const r = await page.evaluate(async () => {
    const { renderMarkdown } = await import('/markdown.js');
    const div = document.createElement('div');
    div.append(renderMarkdown([
      '# Leave policy',
      '',
      '**27 days** of *annual* leave, see `HR-7` [1] and [the portal](https://evil.example/?q=secret).',
      '![tracker](https://evil.example/pixel.png) <img src=x onerror="window.pwned=1"> <script>window.pwned=1</script>',
      '',
      '- first',
      '- second',
      '',
      '1. one',
      '2. two',
      '',
      '```html',
      '<b>not bold</b>',
      '```',
    ].join('\n'), { cite: (n) => { const b = document.createElement('button'); b.className = 'cite'; b.textContent = `[${n}]`; return b; } }));
    document.body.append(div); // attached, so any <img> would start loading
    const count = (sel) => div.querySelectorAll(sel).length;
    const out = {
      text: div.textContent,
      a: count('a'), img: count('img'), script: count('script'), b: count('b'),
      h3: count('h3'), strong: count('strong'), em: count('em'), code: count(':not(pre) > code'), pre: count('pre'),
      ul: count('ul > li'), ol: count('ol > li'), cite: count('button.cite'), pwned: window.pwned ?? null,
    };
    div.remove();
    return out;
  });
  assert.deepEqual({ a: r.a, img: r.img, script: r.script, b: r.b, pwned: r.pwned }, { a: 0, img: 0, script: 0, b: 0, pwned: null });
  assert.deepEqual({ h3: r.h3, strong: r.strong, em: r.em, code: r.code, pre: r.pre, ul: r.ul, ol: r.ol, cite: r.cite },
    { h3: 1, strong: 1, em: 1, code: 1, pre: 1, ul: 2, ol: 2, cite: 1 });
  assert.match(r.text, /https:\/\/evil\.example\/\?q=secret/, 'the link URL is shown as text');
  assert.match(r.text, /\[image: tracker\]/);
  assert.match(r.text, /<b>not bold<\/b>/);
  assert.match(r.text, /<script>window\.pwned=1<\/script>/, 'raw HTML stays text');
});

step('documents can be re-ingested and deleted', async () => {
  await page.getByTestId('nav-kbs').click();
  const md = page.locator('[data-testid="doc-row"][data-status="indexed"][data-name$="orion-notes.md"]');
  const reingest = page.waitForResponse((r) => /\/documents\/[^/]+\/reingest$/.test(r.url()));
  await md.getByTestId('doc-reingest').click();
  assert.equal((await reingest).status(), 202);
  // The UI follows the job and says when it is done.
  await page.locator('[data-testid="notice"][data-kind="info"]', { hasText: 'Re-ingested' }).waitFor();
  await md.waitFor();

  const pdf = page.locator('[data-testid="doc-row"][data-name$="pdf-handbook.pdf"]');
  await pdf.getByTestId('doc-delete').click();
  await page.getByTestId('dialog-confirm').click();
  await pdf.waitFor({ state: 'detached' });
  await page.locator(`[data-testid="kb-row"][data-name="${KB}"] td.num >> nth=0`).filter({ hasText: /^1$/ }).waitFor();
  await screenshot('after-delete');
});

step('a failed upload is listed with its error until dismissed', async () => {
  await page.getByTestId('nav-kbs').click();
  const broken = await ws.write('broken.pdf', '%PDF-1.7 not really a pdf');
  await page.getByTestId('file-input').setInputFiles(broken);
  await page.locator('[data-testid="upload-row"][data-name="broken.pdf"][data-state="failed"]').waitFor();

  const row = page.locator('[data-testid="doc-row"][data-status="failed"][data-name="broken.pdf"]');
  await row.waitFor();
  assert.equal(await row.getByTestId('doc-status').innerText(), 'Failed');
  assert.match(await row.getByTestId('doc-error').innerText(), /pdf/i);
  await screenshot('upload-failed');

  const dismissed = page.waitForResponse((r) => /\/api\/kbs\/[^/]+\/jobs\/[^/]+$/.test(r.url()) && r.request().method() === 'DELETE');
  await row.getByTestId('doc-dismiss').click();
  assert.equal((await dismissed).status(), 204);
  await row.waitFor({ state: 'detached' });
  await page.locator('[data-testid="upload-row"][data-name="broken.pdf"]').waitFor({ state: 'detached' });
  // Gone on the server too, not just from the page.
  const listed = await page.evaluate(async (kb) => (await (await fetch(`/api/kbs/${kb}/documents`)).json()).pending, KB);
  assert.deepEqual(listed.filter((p) => p.name === 'broken.pdf'), []);
});

step('the interface switches to Chinese', async () => {
  await page.getByTestId('lang-toggle').click();
  assert.equal(await page.getByTestId('nav-chat').innerText(), '问答');
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('providers').waitFor();
  await screenshot('settings-zh');
  await page.getByTestId('lang-toggle').click();
  assert.equal(await page.getByTestId('nav-chat').innerText(), 'Chat');
});

// Last, because from here on the server has a key and wants it everywhere.
step('with API keys: the UI says a key is needed, and works once one is saved in Settings', async () => {
  expect401 = true;
  const admin = await createKey(ws.dataDir, ['--kb', '*', '--role', 'admin', '--name', 'e2e admin']);
  await waitFor(async () => (await fetch(`${server.url}/api/kbs`)).status === 401, { timeoutMs: 10_000, what: 'the server to require keys' });
  await page.reload();
  await page.locator('body[data-ready="true"]').waitFor();
  await page.locator('[data-testid="notice"][data-kind="error"]', { hasText: 'API key' }).waitFor();
  await screenshot('key-needed');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('api-key-input').fill(admin);
  await page.getByTestId('api-key-save').click();
  await page.getByTestId('api-key-status').filter({ hasText: 'Key saved' }).waitFor();
  expect401 = false;
  assert.equal(await page.getByTestId('kb-select').inputValue(), KB);

  // An admin key may manage keys: make a reader key for this KB; it is shown once.
  await page.getByTestId('keys-admin').waitFor();
  await page.getByTestId('key-kb').fill(KB);
  await page.getByTestId('key-role').selectOption('reader');
  await page.getByTestId('key-name').fill('support bot');
  await page.getByTestId('key-create').click();
  assert.match(await page.getByTestId('new-key').innerText(), /^askio_/);
  await page.locator('[data-testid="key-row"]').nth(1).waitFor();
  await screenshot('keys');

  // Uploads (XHR) and job events (fetch) carry the key too.
  await page.getByTestId('nav-kbs').click();
  // This time by drag and drop onto the drop zone.
  const files = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['# Orion FAQ\n\nThe Orion beta has 40 pilot customers.\n'], 'orion-faq.md', { type: 'text/markdown' }));
    return dt;
  });
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: files });
  await page.locator('[data-testid="upload-row"][data-name="orion-faq.md"][data-state="done"]').waitFor();
  await page.locator('[data-testid="doc-row"][data-status="indexed"][data-name$="orion-faq.md"]').waitFor();
});

test('no console errors, page errors or CSP violations', () => {
  assert.deepEqual(problems, []);
});
