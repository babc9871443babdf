// Browser end-to-end tests: headless Chromium (Debian's, via playwright-core) against the
// built site in dist/, served by `edgewise serve`. Each test file exports `name` and a default
// async function receiving a context; this runner starts one server and one browser, gives each
// test a fresh page, and exits non-zero if any test fails.
//
// Usage: node tests/e2e/run.mjs [--slow] [filter]
// --slow runs the tests in tests/e2e/slow/ instead (minutes each: `make bench`).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(root, 'target', 'release', 'edgewise');
const slow = process.argv.includes('--slow');
const filter = process.argv.slice(2).find((a) => a !== '--slow') ?? '';
const suite = slow ? join(here, 'slow') : here;

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitForServer(url) {
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(url); if (r.ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not start`);
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const port = await freePort();
const server = spawn(cli, ['serve', join(root, 'dist'), '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
const baseUrl = `http://127.0.0.1:${port}/`;
let failures = 0;
try {
  await waitForServer(baseUrl);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const files = readdirSync(suite).filter((f) => f.endsWith('.test.mjs') && f.includes(filter)).sort();
  for (const file of files) {
    const mod = await import(join(suite, file));
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`worker: ${m.text()}`); }));
    const dir = mkdtempSync(join(tmpdir(), 'edgewise-e2e-'));
    const started = Date.now();
    try {
      await mod.default({ page, context, browser, baseUrl, dir, cli, root, consoleErrors, generate: (rows, seed, out) => execFileSync(cli, ['generate', '--rows', String(rows), '--seed', String(seed), '--out', out]) });
      console.log(`ok - ${mod.name} (${file}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failures++;
      console.log(`not ok - ${mod.name} (${file})\n  ${String(e.stack ?? e).split('\n').join('\n  ')}`);
      if (consoleErrors.length) console.log(`  console errors:\n    ${consoleErrors.join('\n    ')}`);
      await page.screenshot({ path: join(dir, 'failure.png'), fullPage: true }).catch(() => {});
      console.log(`  screenshot: ${join(dir, 'failure.png')}`);
    }
    await context.close();
  }
  await browser.close();
} finally {
  server.kill();
}
if (failures) {
  console.log(`${failures} browser test(s) failed`);
  process.exit(1);
}
console.log('all browser tests passed');
