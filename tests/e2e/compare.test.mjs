// Issue 19: next month. Two months of the grocer's export with planted changes (`edgewise
// generate --month 1|2`): office buyers appear, coeliac households leave, the elderly-relative
// shoppers double, the party hosts lose a third. Last month's segments.csv dropped on this
// month's results shows each as new / gone / grew / shrank, with counts, and the untouched
// groups as about the same.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'last month’s export shows what grew, shrank, appeared and went';

/** Planted group → the segment holding more than half of it (or undefined). */
function segmentsOfGroups(exportText, truthText) {
  const rows = parseCsv(exportText);
  const seg = rows[0].indexOf('segment');
  const truth = parseCsv(truthText).slice(1).map((r) => r[1]);
  const counts = {};
  rows.slice(1).forEach((r, i) => {
    const t = truth[i];
    counts[t] ??= {};
    counts[t][r[seg]] = (counts[t][r[seg]] ?? 0) + 1;
  });
  const out = {};
  for (const [t, c] of Object.entries(counts)) {
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const [s, n] = Object.entries(c).sort((a, b) => b[1] - a[1])[0];
    if (n * 2 > total && s !== 'edge') out[t] = s;
  }
  return out;
}

export default async function ({ page, baseUrl, dir, cli, consoleErrors }) {
  const path = (f) => join(dir, f);
  for (const m of [1, 2]) {
    execFileSync(cli, ['generate', '--rows', '5000', '--seed', '7', '--month', String(m), '--out', path(`month${m}.csv`), '--truth', path(`truth${m}.csv`)]);
  }
  execFileSync(cli, ['segment', path('month1.csv'), '--out', path('march-segments.csv'), '--quiet']);
  const before = segmentsOfGroups(readFileSync(path('march-segments.csv'), 'utf8'), readFileSync(path('truth1.csv'), 'utf8'));

  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'april.csv', bytes: readFileSync(path('month2.csv')) }]);
  assert(await settled(page) === 'done', `analysis: ${await page.textContent('[data-testid=status]')}`);
  const { text } = await exportCsv(page);
  const now = segmentsOfGroups(text, readFileSync(path('truth2.csv'), 'utf8'));

  await page.setInputFiles('[data-testid=compare]', { name: 'march-segments.csv', mimeType: 'text/csv', buffer: readFileSync(path('march-segments.csv')) });
  await page.waitForSelector('[data-testid=comparison]');
  const rows = await page.$$eval('[data-testid=change-row]', (trs) => trs.map((tr) => ({
    change: tr.dataset.change, now: tr.dataset.now, before: tr.dataset.before, counts: tr.querySelector('td.num').textContent,
  })));
  const changeNow = (group) => rows.find((r) => r.now === now[group])?.change;
  const changeGone = (group) => rows.find((r) => r.now === '' && r.before === before[group])?.change;
  const g = (n) => `edge: ${n}`;
  assert(now[g('small business buying for the office')] && changeNow(g('small business buying for the office')) === 'new', `office buyers are new: ${JSON.stringify(rows)}`);
  assert(changeGone(g('coeliac and allergy households')) === 'gone', `coeliac households are gone: ${JSON.stringify(rows)}`);
  assert(changeNow(g('shopping for an elderly relative')) === 'grew', 'the elderly-relative shoppers grew');
  assert(changeNow(g('party and event hosts')) === 'shrank', 'the party hosts shrank');
  for (const steady of ['night-shift workers', 'zero-waste shoppers']) {
    const row = rows.find((r) => r.now === now[g(steady)]);
    assert(row?.change === 'about the same' && row.before === before[g(steady)], `${steady} are the same segment, about the same size: ${JSON.stringify(row)}`);
  }
  const grew = rows.find((r) => r.now === now[g('shopping for an elderly relative')]);
  const [n0, n1] = grew.counts.split('→').map((x) => Number(x.replace(/[^0-9]/g, '')));
  assert(n1 > n0 * 1.5, `counts shown then → now: ${grew.counts}`);
  // Movers read in words: people then or now in no segment are not called by the export's `edge`.
  const movers = await page.$$eval('[data-testid=mover]', (lis) => lis.map((li) => li.textContent));
  assert(movers.some((t) => t.includes('in no segment')) && movers.every((t) => !/\bedge\b/.test(t)), `movers in plain words: ${movers.join(' | ')}`);
  const how = await page.textContent('[data-testid=comparison] .hint');
  assert(how.includes('Customer ID'), `says how segments were matched: ${how}`);
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
