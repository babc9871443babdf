"""The Bayes rule's F1 for each planted group of the choices survey: the ceiling any segmentation can reach.

Each person is placed in the planted group whose answer shares (from its own members, half a
person of smoothing per level; options of a "choose all" question each a yes/no) explain
their answers best, with the groups' sizes as priors. Lone outliers are left out of the fit.

    ./target/release/edgewise generate --domain survey --rows 100000 --seed 7 \
        --out /tmp/sv.csv --truth /tmp/sv.truth.csv
    python3 bench/group_oracle.py /tmp/sv.csv /tmp/sv.truth.csv
"""
import csv,math,collections,sys
csvf,truthf=sys.argv[1],sys.argv[2]
rows=list(csv.DictReader(open(csvf,encoding='utf-8-sig')))
truth=[r['planted'] for r in csv.DictReader(open(truthf))]
skip={'Response ID','Submitted','Age band','Gender','Region','Customer ID','Email'}
cols=[c for c in rows[0] if c not in skip]
multi=[c for c in cols if 'choose all' in c]
opts={c:sorted({x.strip() for r in rows for x in r[c].split(';') if x.strip()}) for c in multi}
def feats(r):
    f=[]
    for c in cols:
        if c in multi:
            s={x.strip() for x in r[c].split(';')}
            for o in opts[c]: f.append((c+'::'+o, o in s))
        else: f.append((c,r[c]))
    return f
F=[feats(r) for r in rows]
groups=sorted(set(t for t in truth if t!='lone outlier'))
cnt={g:collections.Counter() for g in groups}; size=collections.Counter()
levels=collections.defaultdict(set)
for f,t in zip(F,truth):
    for k,v in f: levels[k].add(v)
    if t=='lone outlier': continue
    size[t]+=1
    for kv in f: cnt[t][kv]+=1
n=sum(size.values())
def lp(f,g):
    s=math.log(size[g]/n)
    for k,v in f: s+=math.log((cnt[g][(k,v)]+0.5)/(size[g]+0.5*len(levels[k])))
    return s
pred=[max(groups,key=lambda g:lp(f,g)) for f in F]
for g in groups:
    tp=sum(1 for p,t in zip(pred,truth) if p==g and t==g)
    fp=sum(1 for p,t in zip(pred,truth) if p==g and t!=g)
    fn=sum(1 for p,t in zip(pred,truth) if p!=g and t==g)
    print(f"{g:40s} F1 {2*tp/(2*tp+fp+fn):.3f}  ({tp} tp, {fp} fp, {fn} fn)")
