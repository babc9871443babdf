// Issue 7: if the worker dies mid-analysis (out of memory, a bug), the page says so, keeps
// the files and the settings, and a retry finishes the job.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'a worker killed mid-analysis: the page recovers with files and settings kept';

export default async function ({ page, baseUrl, dir, generate }) {
  // Keep a handle on every worker the page starts, so the test can kill one as a crash would:
  // the browser terminates it and the page hears an `error` event.
  await page.addInitScript(() => {
    const Real = window.Worker;
    window.__workers = [];
    window.Worker = class extends Real {
      constructor(...args) { super(...args); window.__workers.push(this); }
    };
  });
  const file = join(dir, 'big.csv');
  generate(8000, 9, file);
  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'big.csv', bytes: readFileSync(file) }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  await page.click('.check > summary');
  // A setting the user chose, then a new run that dies halfway.
  const column = '[data-testid=column][data-column="What gets in the way?"]';
  await page.locator(`${column} [data-testid=role-select]`).selectOption('ignore');
  await page.click('[data-testid=find-segments]');
  await page.waitForFunction(() => /Finding segments/.test(document.querySelector('[data-testid=status]').textContent), null, { polling: 20 });
  await page.evaluate(() => {
    const w = window.__workers.at(-1);
    w.terminate();
    w.dispatchEvent(new ErrorEvent('error', { message: 'Out of memory (simulated by the test)' }));
  });
  assert(await settled(page) === 'error', 'the page reports the stop');
  const message = await page.textContent('[data-testid=error]');
  assert(/stopped unexpectedly/.test(message) && /files and settings are still here/.test(message), message);
  assert(await page.locator(`${column}`).getAttribute('data-role') === 'ignore', 'the chosen role is still shown');
  await page.click('[data-testid=error] button');
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  assert(await page.locator(`${column}`).getAttribute('data-role') === 'ignore', 'the retry kept the chosen role');
  assert(await page.locator('[data-testid=segment]').count() >= 3, 'segments are shown again');
  assert((await page.textContent('.check .summary-line')).includes('big.csv'), 'the same file is still loaded');
}
