// Shared helpers for the end-to-end suites: a throwaway data directory, the
// askio CLI, and `askio serve` on a free port (--port 0), whose first stdout
// line is exactly "askio: serving http://127.0.0.1:PORT".
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Relative paths in the environment are relative to the current directory.
export const askioBinary = process.env.ASKIO_BINARY ? path.resolve(process.env.ASKIO_BINARY) : path.join(repoRoot, 'build', 'askio');
export const artifactsDir = process.env.ASKIO_E2E_ARTIFACTS ? path.resolve(process.env.ASKIO_E2E_ARTIFACTS) : path.join(repoRoot, 'build', 'e2e-artifacts');

/**
 * A temp folder with `data/` for askio and `input/` for files the test writes.
 * Kept when ASKIO_E2E_KEEP=1 (to look at after a failure).
 */
export async function makeWorkspace(name) {
  const root = await mkdtemp(path.join(tmpdir(), `askio-e2e-${name}-`));
  const dataDir = path.join(root, 'data');
  const inputDir = path.join(root, 'input');
  await mkdir(dataDir);
  await mkdir(inputDir);
  return {
    root,
    dataDir,
    inputDir,
    async write(file, text) {
      const p = path.join(inputDir, file);
      await writeFile(p, text);
      return p;
    },
    async cleanup() {
      if (process.env.ASKIO_E2E_KEEP === '1') return;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Runs `askio --data-dir DIR ARGS...`; resolves {stdout, stderr}, rejects on a non-zero exit. */
export function runAskio(dataDir, args, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(askioBinary, ['--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run ${askioBinary}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`askio ${args.join(' ')} exited with ${code ?? signal}\n${stderr}${stdout}`));
    });
  });
}

/** `askio keys create ...` prints the key on its last line: the token starting with askio_. */
export async function createKey(dataDir, args) {
  const { stdout } = await runAskio(dataDir, ['keys', 'create', ...args]);
  const lines = stdout.trim().split('\n');
  const key = lines[lines.length - 1].match(/askio_[A-Za-z0-9_\-]+/)?.[0];
  if (!key) throw new Error(`no askio_ key on the last line of: ${stdout}`);
  return key;
}

/**
 * Starts `askio --data-dir DIR serve --host 127.0.0.1 --port 0 [extra]` and
 * waits for its first stdout line. The server's output goes to
 * ARTIFACTS/server-NAME.log. Returns {url, stop()}; stop() sends SIGTERM and
 * resolves with {code, signal} once it has exited (SIGKILL after 15 s).
 */
export async function startServer(dataDir, { name = 'server', extraArgs = [], startTimeoutMs = 30_000 } = {}) {
  await mkdir(artifactsDir, { recursive: true });
  const log = createWriteStream(path.join(artifactsDir, `server-${name}.log`));
  // ASKIO_E2E_WEB_DIR=web tests the working tree's UI without rebuilding askio.
  const web = process.env.ASKIO_E2E_WEB_DIR ? ['--web-dir', path.resolve(process.env.ASKIO_E2E_WEB_DIR)] : [];
  const child = spawn(askioBinary, ['--data-dir', dataDir, 'serve', '--host', '127.0.0.1', '--port', '0', ...web, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderrTail = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderrTail = (stderrTail + d).slice(-8000); log.write(d); });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));

  const url = await new Promise((resolve, reject) => {
    let buf = '';
    let first = null;
    const timer = setTimeout(() => fail(new Error(`askio serve printed no first line within ${startTimeoutMs} ms\n${stderrTail}`)), startTimeoutMs);
    function fail(e) { clearTimeout(timer); child.kill('SIGKILL'); reject(e); }
    child.on('error', (e) => fail(new Error(`cannot run ${askioBinary}: ${e.message}`)));
    child.stdout.setEncoding('utf8').on('data', (d) => {
      log.write(d);
      if (first !== null) return; // keep draining so the pipe never fills
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      first = buf.slice(0, nl).replace(/\r$/, '');
      const m = first.match(/^askio: serving (http:\/\/127\.0\.0\.1:\d+)$/);
      if (!m) { fail(new Error(`unexpected first line from askio serve: ${JSON.stringify(first)}\n${stderrTail}`)); return; }
      clearTimeout(timer);
      resolve(m[1]);
    });
    exited.then(({ code, signal }) => {
      if (first === null) fail(new Error(`askio serve exited (${code ?? signal}) before serving\n${stderrTail}`));
    });
  });

  let stopping = null;
  return {
    url,
    pid: child.pid,
    get stderr() { return stderrTail; },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const result = await exited;
        clearTimeout(timer);
        await new Promise((r) => log.end(r));
        return result;
      })();
      return stopping;
    },
  };
}

/** Polls fn() until it returns a truthy value or the deadline passes. */
export async function waitFor(fn, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { lastError = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
