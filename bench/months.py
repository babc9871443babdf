#!/usr/bin/env python3
"""Next month, checked against planted changes. For each domain with two months (`edgewise
generate --domain D --month 1|2`: month 2 gains edge group 0, loses edge group 1, doubles edge
group 2 with new people, loses a third of edge group 3), at 5,000 and 20,000 rows and seeds
1, 2, 7, month 1 is segmented by the CLI — once with its id and email columns, once without
(then segments can only be matched by profile) — and month 2 with `segment --compare`.

Prints one line per run: how segments were matched, how many people moved, and for each
planted edge group the change named against the change planted (✓ or ✗), or "no segment" when
in a month no segment holds more than half of the group with the group more than half of it. Needs `cargo build --release`.
Usage: python3 bench/months.py [domain …]   (default: grocer survey)"""
import csv, collections, json, os, subprocess, sys, tempfile

E = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'target', 'release', 'edgewise')
os.chdir(tempfile.mkdtemp(prefix='edgewise-months-'))
KEYS = ('Customer ID', 'Response ID', 'Email', 'First name', 'Last name')


def majority_segments(export, truth):
    rows = list(csv.DictReader(open(export, encoding='utf-8-sig')))
    planted = [r['planted'] for r in csv.DictReader(open(truth))]
    by = collections.defaultdict(collections.Counter)
    for t, r in zip(planted, rows):
        by[t][r['segment']] += 1
    sizes = {t: sum(c.values()) for t, c in by.items()}
    seg_sizes = collections.Counter(r['segment'] for r in rows)
    out = {}
    for t, c in by.items():
        s, k = c.most_common(1)[0]
        # The group's segment: holds more than half of the group, and the group is more than
        # half of it (else the group was absorbed, e.g. into the mass middle).
        out[t] = s if k * 2 > sizes[t] and k * 2 > seg_sizes[s] and s != 'edge' else None
    return out, sizes


def run(domain, n, seed, anonymous):
    for m in (1, 2):
        subprocess.run([E, 'generate', '--domain', domain, '--rows', str(n), '--seed', str(seed),
                        '--month', str(m), '--out', f'm{m}.csv', '--truth', f't{m}.csv'], check=True)
    if anonymous:
        rows = list(csv.reader(open('m1.csv')))
        keep = [i for i, h in enumerate(rows[0]) if h not in KEYS]
        with open('m1.csv', 'w', newline='') as f:
            w = csv.writer(f)
            for r in rows:
                w.writerow([r[i] for i in keep])
    subprocess.run([E, 'segment', 'm1.csv', '--out', 's1.csv', '--quiet'], check=True)
    subprocess.run([E, 'segment', 'm2.csv', '--out', 's2.csv', '--quiet', '--compare', 's1.csv'], check=True)
    c = json.load(open('s2.compare.json'))
    g1, n1 = majority_segments('s1.csv', 't1.csv')
    g2, n2 = majority_segments('s2.csv', 't2.csv')
    status = {}
    for s in c['segments']:
        status[('now', s['now'][0]) if s['now'] else ('before', s['before'][0])] = s['change']
    cells = []
    for t in sorted(set(n1) | set(n2)):
        if not t.startswith('edge'):
            continue
        a, b = n1.get(t, 0), n2.get(t, 0)
        planted = 'New' if a == 0 else 'Gone' if b == 0 else 'Grew' if b > 1.5 * a else 'Shrank' if b < 0.8 * a else 'Same'
        now, before = g2.get(t), g1.get(t)
        short = t.split(': ', 1)[1][:22]
        if (planted != 'New' and not before) or (planted != 'Gone' and not now):
            # The group formed no segment of its own in a month: a clustering outcome, not
            # the comparison's; say what the comparison said about its remains.
            month = 'month 1' if planted != 'New' and not before else 'month 2'
            cells.append(f"{short}: no segment in {month} (planted {planted})")
            continue
        named = status.get(('now', now)) if now else status.get(('before', before))
        cells.append(f"{short}: {named} {'✓' if named == planted else '✗ (planted ' + planted + ')'}")
    how = 'profile' if 'Profile' in c['matching'] else f"{c['matching']['Members']['column']} ({c['matching']['Members']['in_both']})"
    print(f"{domain} {n} seed {seed} {'anonymous' if anonymous else 'ids'} · by {how} · movers {c['n_movers']} · " + '; '.join(cells), flush=True)


for domain in sys.argv[1:] or ['grocer', 'survey']:
    for n in (5000, 20000):
        for seed in (1, 2, 7):
            for anonymous in ((True,) if os.environ.get('ONLY_ANONYMOUS') else (False, True)):
                run(domain, n, seed, anonymous)
