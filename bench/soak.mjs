// Soak driver (bench/soak.sh runs it): open-loop queries at a fixed rate
// against askio serve, first idle (the baseline), then while documents are
// uploaded and deleted; samples the server's RSS and open files from /proc.
//
//   node bench/soak.mjs URL SERVER_PID SECONDS RATE QUERIES_FILE > result.json
//
// Latency is measured from each request's scheduled start, so a stalled
// server cannot hide its queueing (no coordinated omission).
import fs from 'node:fs';

const [url, pid, secondsArg, rateArg, queriesFile] = process.argv.slice(2);
const seconds = Number(secondsArg || 60);
const rate = Number(rateArg || 40);  // queries per second
const kb = 'soak';
const queries = fs.readFileSync(queriesFile, 'utf8')
  .split('\n').filter(Boolean);

const sleep = ms => new Promise(r => setTimeout(r, ms));
const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

function sample() {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
  return { t: Date.now(), rss_mb: Math.round(rss * 10) / 10, fds };
}

async function openLoop(durationS, stats) {
  const start = performance.now();
  const total = Math.floor(durationS * rate);
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const q = queries[i % queries.length];
    inflight.push((async () => {
      try {
        const r = await fetch(`${url}/api/kbs/${kb}/search?q=${encodeURIComponent(q)}&limit=5`);
        await r.arrayBuffer();
        if (r.status === 429) stats.rejected++;
        else if (r.status !== 200) stats.errors++;
        else stats.lat.push(performance.now() - due);
      } catch (e) {
        stats.errors++;
      }
    })());
    if (inflight.length > 2000) await Promise.all(inflight.splice(0, 1000));
  }
  await Promise.all(inflight);
}

async function churn(stopAt, out) {
  let n = 0;
  const live = [];
  while (Date.now() < stopAt) {
    const marker = `soakmarker${n}x${process.pid}`;
    const body = new FormData();
    body.append('files', new Blob([`# Soak ${n}\n\n${marker} 持续运行测试文档 ${n}。\n`]), `soak-${n}.md`);
    const t0 = performance.now();
    try {
      const r = await fetch(`${url}/api/kbs/${kb}/documents`, { method: 'POST', body });
      await r.arrayBuffer();
      if (r.status !== 202) { out.errors++; continue; }
      const acked = performance.now();
      // Poll until searchable.
      for (;;) {
        const s = await fetch(`${url}/api/kbs/${kb}/search?q=${marker}&limit=1`);
        const j = await s.json();
        if (j.hits && j.hits.length) {
          out.searchable_ms.push(performance.now() - acked);
          live.push(j.hits[0].document_id ?? j.hits[0].chunk?.document_id);
          break;
        }
        if (performance.now() - acked > 60000) { out.never_searchable++; break; }
        await sleep(20);
      }
      out.uploads++;
      // Keep the KB's size flat: delete the oldest soak document.
      if (live.length > 5) {
        const id = live.shift();
        if (id !== undefined) {
          const d = await fetch(`${url}/api/kbs/${kb}/documents/${id}`, { method: 'DELETE' });
          await d.arrayBuffer();
          if (d.status === 200 || d.status === 202) out.deletes++; else out.errors++;
        }
      }
    } catch (e) {
      out.errors++;
    }
    void t0;
    n++;
    await sleep(500);
  }
}

const samples = [sample()];
const sampler = setInterval(() => samples.push(sample()), 5000);
const idleS = Math.max(10, Math.min(60, Math.round(seconds / 10)));
// Warm-up (readers opened, page cache filled), not counted.
await openLoop(3, { lat: [], errors: 0, rejected: 0 });
const idle = { lat: [], errors: 0, rejected: 0 };
await openLoop(idleS, idle);
samples.push(sample());
const loaded = { lat: [], errors: 0, rejected: 0 };
const ch = { uploads: 0, deletes: 0, errors: 0, never_searchable: 0, searchable_ms: [] };
await Promise.all([openLoop(seconds, loaded), churn(Date.now() + seconds * 1000, ch)]);
clearInterval(sampler);
samples.push(sample());
const r = x => (x === null ? null : Math.round(x * 100) / 100);
const mid = samples[Math.floor(samples.length / 3)];
console.log(JSON.stringify({
  seconds, rate, idle_seconds: idleS,
  idle: { queries: idle.lat.length, errors: idle.errors, rejected: idle.rejected,
          p50_ms: r(pct(idle.lat, 0.5)), p99_ms: r(pct(idle.lat, 0.99)) },
  loaded: { queries: loaded.lat.length, errors: loaded.errors, rejected: loaded.rejected,
            p50_ms: r(pct(loaded.lat, 0.5)), p99_ms: r(pct(loaded.lat, 0.99)) },
  p99_ratio: r(pct(loaded.lat, 0.99) / pct(idle.lat, 0.99)),
  churn: { uploads: ch.uploads, deletes: ch.deletes, errors: ch.errors,
           never_searchable: ch.never_searchable,
           searchable_p50_ms: r(pct(ch.searchable_ms, 0.5)),
           searchable_p99_ms: r(pct(ch.searchable_ms, 0.99)),
           searchable_max_ms: r(Math.max(...ch.searchable_ms)) },
  rss_mb: { start: samples[0].rss_mb, after_third: mid.rss_mb, end: samples.at(-1).rss_mb,
            max: Math.max(...samples.map(s => s.rss_mb)) },
  fds: { start: samples[0].fds, after_third: mid.fds, end: samples.at(-1).fds,
         max: Math.max(...samples.map(s => s.fds)) },
}, null, 1));
