// Browser benchmarks (headless Chromium, the built dist/):
//   node bench/browser.mjs analysis [ROWS]   whole analysis of a generated export, drop → segments shown
//                                            (EDGEWISE_FILE=PATH: of that file)
//   node bench/browser.mjs parse [MB]        Edgewise's reading of a large CSV vs Papa Parse, in the same browser
//   node bench/browser.mjs embed [N]         sentence vectors for N generated answers in the worker (model loaded)
// Prints figures; asserts nothing (speed targets are benchmarks, not tests).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, statSync, copyFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'target/release/edgewise');
const mode = process.argv[2] ?? 'analysis';
const dir = mkdtempSync(join(tmpdir(), 'edgewise-bench-'));
const port = 8400 + Math.floor(Math.random() * 500);
// EDGEWISE_DIST=DIR: serve another build (to compare two builds run by run).
const dist = process.env.EDGEWISE_DIST ?? join(root, 'dist');
const server = spawn(cli, ['serve', dist, '--port', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 400));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // EDGEWISE_JS_FLAGS="--prof": V8 flags, e.g. to profile the worker (node --prof-process).
    ...(process.env.EDGEWISE_JS_FLAGS ? [`--js-flags=${process.env.EDGEWISE_JS_FLAGS}`] : [])] });
const machine = `${cpus().length} cores, ${(await import('node:os')).totalmem() / 2 ** 30 | 0} GiB, ${new Date().toISOString().slice(0, 10)}`;
try {
  const page = await browser.newPage();
  // The worker reports its WebAssembly memory (its peak) after each analysis.
  const memory = [];
  page.on('worker', (w) => w.on('console', (m) => { if (/((worker|helper) (memory|stages|took))|reading stages/.test(m.text())) memory.push(m.text()); }));
  // EDGEWISE_CORES=N: the page as on a machine with N cores (`?cores=N`: N - 1 helpers).
  await page.goto(`http://127.0.0.1:${port}/${process.env.EDGEWISE_CORES ? `?cores=${process.env.EDGEWISE_CORES}` : ''}`);
  // Let the service worker finish caching the site first, as on any visit after the first.
  await page.evaluate(() => navigator.serviceWorker?.ready);
  await page.waitForTimeout(1000);
  if (mode === 'analysis') {
    // EDGEWISE_FILE=PATH: analyse that file instead of a generated export.
    const file = process.env.EDGEWISE_FILE ?? join(dir, 'export.csv');
    if (!process.env.EDGEWISE_FILE) execFileSync(cli, ['generate', '--rows', String(Number(process.argv[3] ?? 100000)), '--out', file]);
    const bytes = readFileSync(file);
    let lines = 0;
    for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines++;
    const rows = lines - 1;
    const columns = bytes.subarray(0, bytes.indexOf(10)).toString().split(',').length;
    const size = statSync(file).size;
    const stages = [];
    await page.exposeFunction('__stage', (s) => stages.push([s, Date.now()]));
    await page.evaluate(() => {
      const status = document.querySelector('[data-testid=status]');
      new MutationObserver(() => window.__stage(status.textContent)).observe(status, { childList: true, subtree: true, characterData: true });
    });
    const started = Date.now();
    await page.setInputFiles('[data-testid=file-input]', file);
    // Done, or refused / failed: either way the page has answered, and the bench says which.
    await page.waitForSelector('[data-testid=status]:is([data-state=done], [data-state=error])', { state: 'attached', timeout: 600000 });
    const total = (Date.now() - started) / 1000;
    const [state, status] = await page.$eval('[data-testid=status]', (s) => [s.dataset.state, s.textContent]);
    const said = state === 'error' ? await page.textContent('[data-testid=error] p') : status;
    if (state !== 'done') {
      console.log(`analysis: ${rows} rows (${(size / 1e6).toFixed(1)} MB) not analysed after ${total.toFixed(1)} s; the page said: ${said}`);
      process.exitCode = 1;
    }
    const firsts = new Map();
    for (const [text, t] of stages) {
      const s = text.split(' — ')[0];
      if (!firsts.has(s)) firsts.set(s, (t - started) / 1000);
    }
    if (state === 'done') {
      console.log(`analysis: ${rows} rows × ${columns} columns (${(size / 1e6).toFixed(1)} MB), file chosen → segments shown: ${total.toFixed(1)} s (${machine}, headless Chromium)`);
      console.log(`  the page said: ${said}`);
      const mib = (m) => Number(m.match(/memory (\d+) MB/)[1]);
      const perByte = (mb) => `${(mb * 2 ** 20 / size).toFixed(1)} bytes per CSV byte`;
      const peaks = memory.filter((m) => /(worker|helper) memory \d+ MB/.test(m));
      for (const m of peaks) console.log(`  ${m.replace('Edgewise: ', '')} (${perByte(mib(m))})`);
      // Each worker's WebAssembly memory only grows: the tab holds the sum of their peaks.
      const tab = peaks.reduce((sum, m) => sum + mib(m), 0);
      if (peaks.length > 1) console.log(`  the tab's workers together: ${tab} MB (${perByte(tab)})`);
      // The worker's own clock: each stage from its first progress message to the next stage.
      for (const m of memory.filter((m) => /stages|took/.test(m))) console.log(`  ${m.replace('Edgewise: ', '')}`);
    }
    for (const [s, t] of firsts) if (s !== said) console.log(`  ${s.padEnd(30)} from ${t.toFixed(1)} s`);
    // The machine's cost of memory touched for the first time, measured after the analysis
    // in the same tab: on a virtual machine whose host backs guest memory lazily it varied
    // from 0.35 to 7.8 s per 400 MiB run to run (2026-12-03), and an analysis touches its
    // whole peak once, so compare figures from two runs only alongside this one.
    const touch = await page.evaluate(() => {
      // 256 MiB may not be had in a tab already short of memory: then say so.
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 4097 });
      try { memory.grow(4096); } catch { return null; }
      const t = performance.now();
      new Uint8Array(memory.buffer).fill(1);
      const first = performance.now() - t;
      const t2 = performance.now();
      new Uint8Array(memory.buffer).fill(2);
      return [first, performance.now() - t2];
    });
    if (touch) console.log(`  this machine: 256 MiB of fresh WebAssembly memory touched in ${(touch[0] / 1000).toFixed(2)} s the first time, ${(touch[1] / 1000).toFixed(2)} s the second`);
    else console.log('  this machine: 256 MiB more of WebAssembly memory could not be had');
    // EDGEWISE_TRACE=1: every progress step the page showed, for finding where time goes.
    if (process.env.EDGEWISE_TRACE) {
      let last = '';
      for (const [text, t] of stages) if (text !== last) { last = text; console.log(`    ${((t - started) / 1000).toFixed(2)} s  ${text.slice(0, 60)}`); }
    }
  } else if (mode === 'embed') {
    const n = Number(process.argv[3] ?? 100000);
    const { parseCsv } = await import('../tests/e2e/helpers.mjs');
    const file = join(dir, 'answers.csv');
    execFileSync(cli, ['generate', '--rows', String(n), '--out', file]);
    const rows = parseCsv(readFileSync(file, 'utf8'));
    const col = rows[0].indexOf('What are you trying to get done when you shop with us?');
    const answers = rows.slice(1, n + 1).map((r) => r[col]).filter((a) => a !== undefined);
    const words = answers.reduce((t, a) => t + a.split(/\s+/).length, 0) / answers.length;
    const table = statSync(join(dist, 'meaning/minilm-static.bin')).size;
    // A worker of the bench's own, speaking the page's protocol.
    const runs = await page.evaluate(async (answers) => {
      const worker = new Worker('./worker_loader.js');
      const next = (kind) => new Promise((resolve, reject) => {
        const on = (e) => {
          const d = e.data;
          if (d === kind || (d && d[kind])) { worker.removeEventListener('message', on); resolve(d[kind]); }
          else if (d && d.Failed) reject(new Error(d.Failed.message));
        };
        worker.addEventListener('message', on);
      });
      await next('Ready');
      const out = [];
      for (let i = 0; i < 3; i++) {
        const done = next('Embedded');
        worker.postMessage({ Embed: { answers } });
        out.push(await done);
      }
      worker.terminate();
      return out;
    }, answers);
    console.log(`embed: ${answers.length} answers (${words.toFixed(1)} words each on average), meaning table ${(table / 1e6).toFixed(2)} MB, in a worker in headless Chromium (${machine})`);
    console.log(`  loading the table (first request): ${(runs[0].load_ms / 1000).toFixed(2)} s`);
    runs.forEach((r, i) => console.log(`  run ${i + 1}: embedding ${(r.embed_ms / 1000).toFixed(2)} s (${r.with_vector} with a vector)`));
  } else if (mode === 'parse') {
    const mb = Number(process.argv[3] ?? 100);
    const file = join(dir, 'big.csv');
    // Repeat a generated export until it reaches the size asked for.
    execFileSync(cli, ['generate', '--rows', '20000', '--out', join(dir, 'part.csv')]);
    const part = readFileSync(join(dir, 'part.csv'), 'utf8');
    const [header, ...lines] = part.split('\n');
    const body = lines.join('\n');
    let text = header + '\n';
    while (text.length < mb * 1e6) text += body;
    writeFileSync(file, text);
    const size = statSync(file).size;
    // Edgewise: time from choosing the file until it is read and every column typed: the
    // page then has the columns and asks for the analysis, whose first stage follows
    // "Reading" and "Understanding the columns".
    const t0 = Date.now();
    await page.setInputFiles('[data-testid=file-input]', file);
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid=status]');
      return s && !/^(Reading|Understanding)/.test(s.textContent) && s.dataset.state !== 'idle';
    }, null, { timeout: 600000, polling: 20 });
    const ours = (Date.now() - t0) / 1000;
    // Papa Parse 5 in a page of its own on the same origin, parsing the same File in chunks.
    copyFileSync(join(root, 'node_modules/papaparse/papaparse.min.js'), join(dist, 'papaparse-bench.js'));
    writeFileSync(join(dist, 'papaparse-bench.html'), '<!doctype html><script src="./papaparse-bench.js"></script><input type=file id=f>');
    const p2 = await browser.newPage();
    await p2.goto(`http://127.0.0.1:${port}/papaparse-bench.html`);
    await p2.setInputFiles('#f', file);
    const papa = await p2.evaluate(() => new Promise((resolve) => {
      const f = document.getElementById('f').files[0];
      const t = performance.now();
      let rows = 0;
      Papa.parse(f, { header: true, dynamicTyping: true, chunk: (r) => { rows += r.data.length; }, complete: () => resolve({ s: (performance.now() - t) / 1000, rows }) });
    }));
    execFileSync('rm', ['-f', join(dist, 'papaparse-bench.js'), join(dist, 'papaparse-bench.html')]);
    const mbs = size / 1e6;
    console.log(`parse: ${mbs.toFixed(0)} MB CSV in headless Chromium (${machine})`);
    console.log(`  Edgewise (worker: decode, sniff, parse, intern, type columns): ${ours.toFixed(2)} s = ${(mbs / ours).toFixed(1)} MB/s`);
    console.log(`  Papa Parse 5.7 (header, dynamicTyping, chunked):            ${papa.s.toFixed(2)} s = ${(mbs / papa.s).toFixed(1)} MB/s (${papa.rows} rows)`);
    for (const m of memory.filter((m) => /reading stages/.test(m))) console.log(`  ${m.replace('Edgewise: ', '')}`);
  }
} finally {
  await browser.close();
  server.kill();
}
