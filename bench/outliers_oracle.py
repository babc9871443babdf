"""How many of the choices survey's random answerers any detector could rank in the top 2x.

The survey generator (`edgewise generate --domain survey`) plants lone outliers who answer at
random. Ranked by their surprise -log p(x) under the latent class model of the generator's
own groups (answer shares from each planted group's members, half a person of smoothing),
which is the likelihood-ratio test against a random answerer, this is the ceiling; the same
model on Edgewise's segments, and Edgewise's edge score, are printed beside it.

    cargo build --release --bin edgewise
    python3 bench/outliers_oracle.py 20000 7
"""
import csv, math, collections, subprocess, sys, tempfile, os

rows_n, seed = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp()
pre = os.path.join(tmp, 'survey')
subprocess.run(['./target/release/edgewise', 'generate', '--domain', 'survey', '--rows', rows_n,
                '--seed', seed, '--out', pre + '.csv', '--truth', pre + '.truth.csv'], check=True)
subprocess.run(['./target/release/edgewise', 'segment', pre + '.csv', '--out', pre + '.out.csv',
                '--quiet'], check=True)
rows=list(csv.DictReader(open(pre+'.csv',encoding='utf-8-sig')))
truth=[r['planted'] for r in csv.DictReader(open(pre+'.truth.csv'))]
out=list(csv.DictReader(open(pre+'.out.csv',encoding='utf-8-sig')))
skip={'Response ID','Submitted','Age band','Gender','Region'}
cols=[c for c in rows[0] if c not in skip]
multi=[c for c in cols if 'choose all' in c]
def feats(r):
    f=[]
    for c in cols:
        if c in multi:
            opts=set(x.strip() for x in r[c].split(';') if x.strip())
            f.append((c,'__set__',frozenset(opts)))
        else: f.append((c,r[c],None))
    return f
F=[feats(r) for r in rows]
def fit(labels):
    groups=collections.defaultdict(list)
    for i,l in enumerate(labels):
        if l is not None: groups[l].append(i)
    allopts={c:set() for c in multi}
    for f in F:
        for c,v,s in f:
            if s is not None: allopts[c]|=s
    model={}
    N=sum(len(g) for g in groups.values())
    for l,idx in groups.items():
        cnt=collections.defaultdict(collections.Counter); n=len(idx)
        for i in idx:
            for c,v,s in F[i]:
                if s is None: cnt[c][v]+=1
                else:
                    for o in allopts[c]: cnt[(c,o)][o in s]+=1
        model[l]=(n/N,cnt,n)
    levels={c:set(r[c] for r in rows) for c in cols if c not in multi}
    def nll(i):
        lps=[]
        for l,(w,cnt,n) in model.items():
            lp=math.log(w)
            for c,v,s in F[i]:
                if s is None:
                    lp+=math.log((cnt[c][v]+0.5)/(n+0.5*len(levels[c])))
                else:
                    for o in allopts[c]:
                        lp+=math.log((cnt[(c,o)][o in s]+0.5)/(n+1))
            lps.append(lp)
        m=max(lps); return -(m+math.log(sum(math.exp(x-m) for x in lps)))
    return [nll(i) for i in range(len(F))]
n=truth.count('lone outlier')
def topcount(score):
    order=sorted(range(len(score)),key=lambda i:-score[i])
    return sum(truth[i]=='lone outlier' for i in order[:2*n])
orc=fit([t if t!='lone outlier' else None for t in truth])
print('oracle classes:',topcount(orc),'of',n)
seg=fit([o['segment'] if o['segment']!='edge' else None for o in out])
print('found segments:',topcount(seg),'of',n)
print('tool edge score:',topcount([float(o['edge_score']) for o in out]))
