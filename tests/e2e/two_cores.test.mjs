// Issue 5: for large files a helper worker builds everyone's neighbour graph on the second
// core while the worker finds segments among the sample, and then runs one of the segments'
// stability resamples (issue 20). With more cores, a pool of helpers (one per core beyond
// the worker's) builds a share of the graph's trees each, and the first helper merges them
// and finishes the graph (issue 20); `?cores=4` in the page's address stands for a machine
// with four. Where they run must not change a byte: the export equals
// the command line's, with the helper and without it, and the segment cards (which say how
// reliably each segment reappears) are the same. The helper also hashes the file while the
// worker reads it: the receipt names the file by its SHA-256 either way. While the worker
// describes the segments, the helper judges how badly everyone's answers fit them (a part
// of each edge score, so of the export) and clusters the say/do table's two sides: the
// table reads the same with the helper and without it.
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join, extname, normalize } from 'node:path';
import { settled, exportCsv, assert } from './helpers.mjs';

export const name = 'a large file uses a second worker and exports exactly what the command line does';

/** Chooses `file`, waits for segments and returns the export's text, the receipt, the
 * workers' console and the workers' script addresses. */
async function run(page, url, file) {
  const messages = [];
  const workers = [];
  page.on('worker', (w) => {
    workers.push(w.url());
    w.on('console', (m) => messages.push(m.text()));
  });
  await page.goto(url);
  await page.setInputFiles('[data-testid=file-input]', file);
  const state = await settled(page);
  assert(state === 'done', `status ends done, got ${state}: ${await page.textContent('[data-testid=status]')}`);
  const cards = await page.$$eval('[data-testid=segment] .card-size', (c) => c.map((e) => e.textContent));
  const sayDo = await page.textContent('[data-testid=say-do]');
  const { text } = await exportCsv(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-receipt]')]);
  const receipt = JSON.parse(readFileSync(await download.path(), 'utf8'));
  return { text, receipt, messages, workers, cards, sayDo };
}

/** Serves dist/ like `edgewise serve`, except that the helper's script is not found. */
async function serveWithoutHelper(dist) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const path = join(dist, normalize(url.pathname === '/' ? '/index.html' : url.pathname));
    if (url.search.includes('helper') || !path.startsWith(dist) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

export default async function ({ page, browser, baseUrl, dir, cli, root, generate, consoleErrors }) {
  // 12,000 people: above the size from which the helper builds the graph.
  const file = join(dir, 'large.csv');
  generate(12000, 5, file);
  const out = join(dir, 'cli.csv');
  execFileSync(cli, ['segment', file, '--out', out, '--quiet']);
  const expected = readFileSync(out, 'utf8');
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  const named = (receipt) => receipt.files.length === 1 && receipt.files[0].sha256 === digest;

  const helped = await run(page, baseUrl, file);
  assert(helped.workers.some((u) => u.endsWith('worker_loader.js?helper')), `a helper worker ran: ${helped.workers.join(', ')}`);
  assert(helped.messages.every((m) => !/helper worker/.test(m)), `the helper answered: ${helped.messages.join(' | ')}`);
  assert(helped.text === expected, 'the export with the helper equals the command line’s, byte for byte');
  // The helper's fit decides some people's reasons, so a wrong fit would change the export.
  assert(expected.includes('answers in a combination that fits no segment'), 'some reasons rest on how answers fit the segments');
  assert(helped.messages.some((m) => /helper stages: 1 stability resample/.test(m)), `the helper ran a stability resample: ${helped.messages.join(' | ')}`);
  assert(helped.messages.some((m) => /helper stages: everyone's fit/.test(m)), `the helper judged everyone's fit: ${helped.messages.join(' | ')}`);
  assert(helped.messages.some((m) => /helper stages: the say\/do table's sides/.test(m)), `the helper clustered the say/do sides: ${helped.messages.join(' | ')}`);
  assert(/People who say/.test(helped.sayDo), `the say/do table has rows: ${helped.sayDo}`);
  assert(helped.cards.length > 0 && helped.cards.some((c) => /reappears|unstable/.test(c)), `the cards say how stable segments are: ${helped.cards.join(' | ')}`);
  assert(named(helped.receipt), `the receipt names the file by its SHA-256, hashed by the helper: ${JSON.stringify(helped.receipt.files)}`);
  assert(consoleErrors.length === 0, `no console errors: ${consoleErrors.join('; ')}`);

  // Four cores: three helpers, each building a share of the graph's trees.
  const pool = await run(await browser.newPage({ acceptDownloads: true }), `${baseUrl}?cores=4`, file);
  for (const helper of ['?helper', '?helper=1', '?helper=2']) {
    assert(pool.workers.some((u) => u.endsWith(`worker_loader.js${helper}`)), `helper ${helper} ran: ${pool.workers.join(', ')}`);
  }
  assert(!pool.workers.some((u) => u.endsWith('?helper=3')), `no fourth helper on four cores: ${pool.workers.join(', ')}`);
  // Each helper builds the share `tree_share` gives it.
  for (const share of ['0..2', '2..5', '5..8']) {
    assert(pool.messages.some((m) => m.includes(`helper stages: trees ${share} of the neighbour graph of 12000 people`)), `a helper built trees ${share}: ${pool.messages.join(' | ')}`);
  }
  assert(pool.messages.every((m) => !/helper worker/.test(m)), `every helper answered: ${pool.messages.join(' | ')}`);
  assert(pool.text === expected, 'the export with three helpers equals the command line’s, byte for byte');
  assert(JSON.stringify(pool.cards) === JSON.stringify(helped.cards), `the same stability with three helpers as with one: ${pool.cards.join(' | ')} against ${helped.cards.join(' | ')}`);
  assert(pool.sayDo === helped.sayDo, 'the same say/do table with three helpers as with one');
  assert(named(pool.receipt), `the receipt names the file by its SHA-256 with three helpers: ${JSON.stringify(pool.receipt.files)}`);

  // A site where the helper's script cannot load: the worker builds the graph itself.
  const server = await serveWithoutHelper(join(root, 'dist'));
  // No service worker: it would answer from its cache.
  const context = await browser.newContext({ acceptDownloads: true, serviceWorkers: 'block' });
  try {
    const alone = await run(await context.newPage(), `http://127.0.0.1:${server.address().port}/`, file);
    assert(alone.messages.some((m) => /helper worker stopped/.test(m)), `the worker says it works alone: ${alone.messages.join(' | ')}`);
    assert(alone.text === expected, 'the export without the helper equals the command line’s, byte for byte');
    assert(JSON.stringify(alone.cards) === JSON.stringify(helped.cards), `the same stability with and without the helper: ${alone.cards.join(' | ')} against ${helped.cards.join(' | ')}`);
    assert(alone.sayDo === helped.sayDo, `the same say/do table with and without the helper: ${alone.sayDo} against ${helped.sayDo}`);
    assert(alone.messages.some((m) => /no file hash; hashing here/.test(m)), `the worker hashes the file itself: ${alone.messages.join(' | ')}`);
    assert(named(alone.receipt), `the receipt names the file by its SHA-256, hashed by the worker: ${JSON.stringify(alone.receipt.files)}`);
  } finally {
    await context.close();
    server.close();
  }
}
