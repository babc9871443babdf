// Issue 19: take the result away. Rename a segment and write a note; the name travels into
// segments.csv (segment_name), the receipt, the report and the audiences. The report opens
// from disk with every portrait and its charts and makes no request; the members file holds
// exactly the segment's people; the customer list holds SHA-256 of their normalised emails;
// the receipt names each input by its SHA-256; a settings file loaded back re-runs the same way.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'report, receipt, names, audiences and settings travel with the result';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

async function downloadOf(page, testid) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), path, bytes: readFileSync(path) };
}

export default async function ({ page, context, baseUrl, dir, root, consoleErrors }) {
  const names = ['example-survey.csv', 'example-crm.csv'];
  const inputs = names.map((n) => ({ name: n, bytes: readFileSync(join(root, 'assets', 'example', n)) }));
  await page.goto(baseUrl);
  await dropFiles(page, inputs);
  assert(await settled(page) === 'done', `analysis: ${await page.textContent('[data-testid=status]')}`);

  // Rename the selected segment and add a note.
  const portrait = page.locator('[data-testid=portrait]');
  const id = (await portrait.locator('.segment-id').first().textContent()).trim();
  await portrait.locator('summary', { hasText: 'Rename' }).click();
  await page.fill('[data-testid=segment-name-input]', 'Office managers');
  await page.fill('[data-testid=segment-note]', 'Ask about invoices first');
  await page.click('[data-testid=save-name]');
  await page.waitForSelector(`[data-testid=segment][data-segment-id=${id}] >> text=Office managers`);
  assert((await page.textContent('[data-testid=segment-note-shown]')).includes('Ask about invoices'), 'the note is shown');
  // Changing only the note keeps the name.
  const details = portrait.locator('details.rename');
  if (!(await details.evaluate((d) => d.open))) await portrait.locator('summary', { hasText: 'Rename' }).click();
  assert(await page.inputValue('[data-testid=segment-name-input]') === 'Office managers', 'the form shows the name given');
  await page.fill('[data-testid=segment-note]', 'Ask about invoices first, then VAT');
  await page.click('[data-testid=save-name]');
  await page.waitForSelector('[data-testid=segment-note-shown] >> text=then VAT');
  assert((await page.textContent(`[data-testid=segment][data-segment-id=${id}]`)).includes('Office managers'), 'a new note keeps the name');
  assert((await page.textContent('[data-testid=charts]')).includes('Office managers'), 'the charts use the name');

  // The export carries the name.
  const { text } = await exportCsv(page);
  const rows = parseCsv(text);
  const header = rows[0];
  const seg = header.indexOf('segment'), segName = header.indexOf('segment_name');
  assert(segName === seg + 1, `segment_name follows segment: ${header.slice(-5).join('|')}`);
  const members = rows.slice(1).map((r, i) => [i + 1, r]).filter(([, r]) => r[seg] === id);
  assert(members.length > 0, `the segment ${id} has members in the export`);
  assert(members.every(([, r]) => r[segName] === 'Office managers'), 'every member row carries the new name');

  // Members: exactly the segment's people, by row.
  const audience = await downloadOf(page, 'export-audience');
  assert(audience.name.startsWith(`${id}-office-managers`) && audience.name.endsWith('-members.csv'), `members file name: ${audience.name}`);
  const listed = parseCsv(audience.bytes.toString('utf8')).slice(1).filter((r) => r.length > 1 || r[0] !== '');
  assert(JSON.stringify(listed.map((r) => Number(r[0]))) === JSON.stringify(members.map(([n]) => n)),
    `the members file lists exactly the segment's rows (${listed.length} vs ${members.length})`);

  // Customer list: SHA-256 of each member's trimmed, lower-cased email.
  const emailCols = header.map((h, i) => [h, i]).filter(([h]) => h.startsWith('Email')).map(([, i]) => i);
  const expected = members
    .map(([, r]) => emailCols.map((c) => r[c].trim()).find((e) => e !== ''))
    .filter(Boolean)
    .map((e) => sha256(e.toLowerCase()))
    .sort();
  const list = await downloadOf(page, 'export-customer-list');
  const listRows = parseCsv(list.bytes.toString('utf8'));
  assert(listRows[0].join(',') === 'Email,Phone', `customer list header: ${listRows[0]}`);
  const hashes = listRows.slice(1).filter((r) => r[0]).map((r) => r[0]).sort();
  assert(hashes.length > 0 && JSON.stringify(hashes) === JSON.stringify(expected), `hashed emails of the members: ${hashes.length} vs ${expected.length}`);
  assert(hashes.every((h) => /^[0-9a-f]{64}$/.test(h)), 'every hash is SHA-256 hex');
  assert((await page.textContent('[data-testid=notice]')).includes('SHA-256'), 'the page says what was hashed');

  // Receipt: inputs by SHA-256, settings with the name.
  const receipt = JSON.parse((await downloadOf(page, 'export-receipt')).bytes.toString('utf8'));
  for (const input of inputs) {
    const f = receipt.files.find((x) => x.name === input.name);
    assert(f && f.sha256 === sha256(input.bytes), `receipt names ${input.name} by its SHA-256`);
  }
  assert(receipt.settings.labels.some((l) => l.id === id && l.name === 'Office managers'), 'the receipt keeps the name');
  assert(typeof receipt.tool === 'string' && receipt.tool.startsWith('edgewise '), `receipt version: ${receipt.tool}`);

  // Report: opens from disk, makes no request, holds every portrait and the charts.
  const report = await downloadOf(page, 'export-report');
  assert(report.name === 'edgewise-report.html', `report name: ${report.name}`);
  const reportPath = join(dir, 'edgewise-report.html');
  writeFileSync(reportPath, report.bytes);
  const segments = await page.locator('[data-testid=segment]').count();
  const reader = await context.newPage();
  const requests = [];
  reader.on('request', (r) => requests.push(r.url()));
  await context.setOffline(true);
  try {
    await reader.goto(`file://${reportPath}`);
    assert(await reader.locator('article.portrait').count() === segments, `every segment's portrait is in the report (${segments})`);
    assert(await reader.locator('svg[aria-label="Segment sizes"]').count() === 1, 'the sizes chart');
    assert(await reader.locator('svg[aria-label$="largest differences"]').count() === segments, 'one small multiple per segment');
    assert(await reader.locator('svg[aria-label="Opportunity landscape"]').count() === 1, 'the opportunity landscape');
    assert((await reader.textContent(`#segment-${id} h3`)).includes('Office managers'), 'the report uses the new name');
    assert((await reader.textContent('#receipt')).includes(sha256(inputs[0].bytes)), 'the report holds the receipt');
    assert(requests.length === 1 && requests[0].startsWith('file://'), `the report makes no request: ${requests.join(', ')}`);
  } finally {
    await context.setOffline(false);
    await reader.close();
  }

  // Settings file back in: the same segments, the same export.
  const settingsFile = await downloadOf(page, 'export-settings');
  const settings = JSON.parse(settingsFile.bytes.toString('utf8'));
  assert(settings.labels.length === 1, 'the settings file keeps the name');
  await page.setInputFiles('[data-testid=load-settings]', { name: 'edgewise-settings.json', mimeType: 'application/json', buffer: settingsFile.bytes });
  await page.waitForSelector('[data-testid=status][data-state=working]', { state: 'attached', timeout: 10_000 }).catch(() => {});
  assert(await settled(page) === 'done', `re-run: ${await page.textContent('[data-testid=status]')}`);
  const again = await exportCsv(page);
  assert(again.text === text, 'the re-run with the loaded settings exports the same file, names included');

  // A file that is not a settings file is refused in words.
  await page.setInputFiles('[data-testid=load-settings]', { name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await page.waitForSelector('[data-testid=notice] >> text=not an Edgewise settings file');
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
