// Issue 18: the page never waits forever. (1) A stage that stops reporting progress — here the
// meaning model's download never answers — ends in a clear error naming the stage, with
// "Try again", after the watchdog's patience (set to a few seconds through the page's
// address); the retry finishes once the download works. (2) Files large enough for the helper
// worker finish several times in a row, each started while a fresh helper is still loading
// (a hotel bookings file hung at "Finding segments — 95 %" when the job reached a helper
// that had not started yet).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'the watchdog stops a stalled stage; the helper path never hangs';

export default async function ({ browser, baseUrl, dir, generate }) {
  const context = await browser.newContext({ serviceWorkers: 'block', acceptDownloads: true });
  try {
    const page = await context.newPage();
    let stall = true;
    const held = [];
    await context.route('**/meaning/minilm-static.bin', (route) => {
      if (stall) held.push(route); // never answered: the download stalls
      else route.continue();
    });
    const file = join(dir, 'answers.csv');
    generate(1200, 3, file);
    await page.goto(`${baseUrl}?watchdog=4`);
    await dropFiles(page, [{ name: 'answers.csv', bytes: readFileSync(file) }]);
    const started = Date.now();
    assert(await settled(page, 60_000) === 'error', `a stalled download ends in an error: ${await page.textContent('[data-testid=status]')}`);
    const waited = (Date.now() - started) / 1000;
    assert(waited < 30, `it is stopped after the watchdog's patience, not much later (${waited.toFixed(1)} s)`);
    const message = await page.textContent('[data-testid=error]');
    assert(/no progress/.test(message) && message.includes('Loading the meaning model'), `the error names the stage: ${message}`);
    assert(/files and settings are still here/.test(message), message);
    assert(held.length >= 1, 'the model was asked for and held');
    stall = false;
    await page.click('[data-testid=error] button');
    assert(await settled(page, 120_000) === 'done', `the retry finishes: ${await page.textContent('[data-testid=status]')}`);
    assert(await page.locator('[data-testid=segment]').count() >= 3, 'segments are shown after the retry');

    // Large enough for the helper worker (10,000 rows and up); a fresh page each time, so
    // the job is sent while the helper is still starting.
    const big = join(dir, 'big.csv');
    generate(12000, 5, big);
    const bytes = readFileSync(big);
    for (let run = 0; run < 3; run++) {
      await page.goto(`${baseUrl}?watchdog=120`);
      await dropFiles(page, [{ name: 'big.csv', bytes }]);
      const state = await settled(page, 180_000);
      assert(state === 'done', `run ${run + 1} with the helper finishes: ${await page.textContent('[data-testid=status]')}`);
    }
  } finally {
    await context.close();
  }
}
