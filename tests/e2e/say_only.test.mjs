// Issue 17: the say/do slider moved to "what they say" on a survey joined to a CRM. A third of
// the customers never took the survey; they are placed by what they do among the segments
// formed by what people say. Before, they all got the survey's average answers and the
// largest class: the in-house teams' non-respondents sat with the agencies (one segment of
// 64 % of everyone).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'read by what they say alone, customers who never took the survey stay with those who do what they do';

export default async function ({ page, baseUrl, dir, cli }) {
  const out = join(dir, 'saas');
  const truthFile = join(dir, 'truth.csv');
  execFileSync(cli, ['generate', '--domain', 'saas', '--rows', '5000', '--seed', '7', '--out', out, '--truth', truthFile]);
  await page.goto(baseUrl);
  await dropFiles(page, [
    { name: 'crm.csv', bytes: readFileSync(join(out, 'crm.csv')) },
    { name: 'survey.csv', bytes: readFileSync(join(out, 'survey.csv')) },
  ]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));

  await page.click('.check > summary');
  await page.fill('[data-testid=balance]', '100');
  await page.click('[data-testid=find-segments]');
  await page.waitForSelector('[data-testid=status][data-state=working]', { state: 'attached' });
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  // The re-run lists fewer people in no segment than the first run; they are numbered from 1
  // (Chromium's list markers once kept 3–12 for ten people).
  const ranks = await page.$$eval('[data-testid=outlier] .rank', (els) => els.map((e) => e.textContent));
  assert(ranks.length > 0 && ranks.every((r, i) => r === `${i + 1}.`), `people in no segment numbered from 1: ${ranks.join(' ')}`);
  // The written ranks are the only numbers: the browser draws no list markers beside them.
  const markers = await page.$$eval('[data-testid=outlier]', (lis) => lis.map((li) => getComputedStyle(li).listStyleType));
  assert(markers.every((m) => m === 'none'), `no list markers beside the ranks: ${markers.join(' ')}`);

  const rows = parseCsv((await exportCsv(page)).text);
  const truth = parseCsv(readFileSync(truthFile, 'utf8')).slice(1).map((r) => r[1]);
  const head = rows[0];
  const segment = head.indexOf('segment');
  const email = head.indexOf('Email address');
  assert(segment >= 0 && email >= 0, `the export has the segment and the survey's email: ${head.join(', ')}`);
  assert(rows.length - 1 === truth.length, `every customer exported (${rows.length - 1} of ${truth.length})`);
  const seen = [];
  const homes = new Set();
  for (const group of ['mass: agencies running client projects', 'mass: in-house product teams', 'mass: solo trialists']) {
    const members = rows.slice(1).filter((_, i) => truth[i] === group);
    const count = (list) => list.reduce((m, r) => m.set(r[segment], (m.get(r[segment]) ?? 0) + 1), new Map());
    const answered = [...count(members.filter((r) => r[email] !== '')).entries()].sort((a, b) => b[1] - a[1]);
    assert(answered.length > 0, `${group}: some of them answered the survey`);
    const home = answered[0][0];
    const silent = members.filter((r) => r[email] === '');
    const withThem = silent.filter((r) => r[segment] === home).length;
    seen.push(`${group}: ${withThem} of ${silent.length} non-respondents in ${home}`);
    assert(silent.length > 100 && withThem >= 0.9 * silent.length, `${group}: non-respondents with the respondents who do what they do (${seen.at(-1)})`);
    homes.add(home);
  }
  assert(homes.size === 3, `the three mass groups are three segments: ${seen.join('; ')}`);
  console.log(`    ${seen.join('\n    ')}`);
}
