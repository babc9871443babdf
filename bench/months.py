#!/usr/bin/env python3
"""Next month, checked against planted changes: `edgewise generate --month 1|2` at 5,000 and
20,000 rows, seeds 1, 2, 7, last month with ids and without (matched by profile), segmented by
the CLI and compared with `segment --compare`. Prints, per run, how segments were matched, how
many people moved, and the change named for each planted edge group (office buyers planted new,
coeliac households gone, elderly-relative shoppers doubled, party hosts down a third, the
other two unchanged). Needs `cargo build --release`. Usage: python3 bench/months.py"""
import csv, collections, json, os, subprocess, sys, tempfile
E=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'target', 'release', 'edgewise')
os.chdir(tempfile.mkdtemp(prefix="edgewise-months-"))
def run(n, seed, anonymous=False):
    for m in (1,2):
        subprocess.run([E,'generate','--rows',str(n),'--seed',str(seed),'--month',str(m),'--out',f'm{m}.csv','--truth',f't{m}.csv'],check=True)
    if anonymous:
        rows=list(csv.reader(open('m1.csv')))
        keep=[i for i,h in enumerate(rows[0]) if h not in ('Customer ID','Email','First name','Last name')]
        w=csv.writer(open('m1.csv','w',newline=''))
        for r in rows: w.writerow([r[i] for i in keep])
    subprocess.run([E,'segment','m1.csv','--out','s1.csv','--quiet'],check=True)
    subprocess.run([E,'segment','m2.csv','--out','s2.csv','--quiet','--compare','s1.csv'],check=True)
    c=json.load(open('s2.compare.json'))
    def seg_of(seg, tr):
        rows=list(csv.DictReader(open(seg,encoding='utf-8-sig')))
        truth=[r['planted'] for r in csv.DictReader(open(tr))]
        by=collections.defaultdict(collections.Counter)
        for t,r in zip(truth,rows): by[t][r['segment']]+=1
        out={}
        for t,cnt in by.items():
            s,k=cnt.most_common(1)[0]
            out[t]=s if k*2>sum(cnt.values()) and s!='edge' else None
        return out
    g1=seg_of('s1.csv','t1.csv'); g2=seg_of('s2.csv','t2.csv')
    status={}
    for s in c['segments']:
        if s['now']: status[('now',s['now'][0])]=s['change']
        else: status[('before',s['before'][0])]=s['change']
    names=sorted(set(g1)|set(g2))
    res=[]
    for t in names:
        if not t.startswith('edge'): continue
        now=g2.get(t); before=g1.get(t)
        st=status.get(('now',now)) if now else status.get(('before',before)) if before else 'no segment'
        res.append(f"{t.split(': ')[1][:18]}={st}")
    print(n, seed, 'anon' if anonymous else 'ids', c['matching'] if 'Profile' not in c['matching'] else 'Profile', 'movers',c['n_movers'], '; '.join(res))
for n in (5000, 20000):
    for seed in (1,2,7):
        run(n, seed)
        run(n, seed, True)
