// Takes the README's take-away screenshots (needs `make dist` and the CLI built):
// docs/report.png — the top of the one-file report of the example data, opened from disk;
// docs/compare.png — the page's comparison of two generated months with planted changes.
// Usage: node tools/screenshots-take-away.mjs
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = './target/release/edgewise';
const dir = mkdtempSync(join(tmpdir(), 'edgewise-shots-'));
const path = (f) => join(dir, f);
execFileSync(cli, ['segment', 'assets/example/example-survey.csv', 'assets/example/example-crm.csv',
  '--out', path('segments.csv'), '--report', path('report.html'), '--quiet']);
for (const m of [1, 2]) execFileSync(cli, ['generate', '--rows', '5000', '--seed', '7', '--month', String(m), '--out', path(`month${m}.csv`)]);
execFileSync(cli, ['segment', path('month1.csv'), '--out', path('march-segments.csv'), '--quiet']);

const port = 8395;
const server = spawn(cli, ['serve', 'dist', '--port', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const report = await browser.newPage({ viewport: { width: 1100, height: 1250 }, deviceScaleFactor: 1 });
  await report.goto(`file://${resolve(path('report.html'))}`);
  await report.screenshot({ path: 'docs/report.png' });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.setInputFiles('[data-testid=file-input]', path('month2.csv'));
  await page.waitForSelector('[data-testid=status][data-state=done]', { state: 'attached', timeout: 120000 });
  await page.setInputFiles('[data-testid=compare]', path('march-segments.csv'));
  await page.locator('[data-testid=comparison]').screenshot({ path: 'docs/compare.png' });
  console.log('wrote docs/report.png and docs/compare.png');
} finally {
  await browser.close();
  server.kill();
}
