// Takes the README's screenshot: the built site (dist/) with the shipped example data, in
// headless Chromium. Usage: node tools/screenshot.mjs [out.png [file.csv …]] (needs `make dist`
// first); with files, they are chosen in the page instead of the example data.
// EDGEWISE_BALANCE=0..100: then moves the say/do slider there (100 = only what they say) and
// finds the segments again before the screenshot.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';

const out = process.argv[2] ?? 'docs/screenshot.png';
const files = process.argv.slice(3);
const port = 8391;
const server = spawn('./target/release/edgewise', ['serve', 'dist', '--port', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/`);
  if (files.length) await page.setInputFiles('[data-testid=file-input]', files);
  else await page.getByText('Try it with example data').click();
  await page.waitForSelector('[data-testid=status][data-state=done]', { state: 'attached', timeout: 120000 });
  if (process.env.EDGEWISE_BALANCE) {
    await page.click('.check > summary');
    await page.fill('[data-testid=balance]', process.env.EDGEWISE_BALANCE);
    await page.click('[data-testid=find-segments]');
    await page.waitForSelector('[data-testid=status][data-state=working]', { state: 'attached' });
    await page.waitForSelector('[data-testid=status][data-state=done]', { state: 'attached', timeout: 120000 });
  }
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.kill();
}
