#!/usr/bin/env python3
"""Edgewise against the usual tools on the same generated export (issue 5).

Generates an export with planted segments (`edgewise generate`), then runs
  * scikit-learn k-means, k chosen by silhouette (2..15), and
  * HDBSCAN (the `hdbscan` package, min_cluster_size = 0.5 % of rows),
both on TF-IDF + truncated SVD features of the text columns joined with scaled numbers and
one-hot labels (the usual recipe), and prints, per planted group, the best F1 of any found
segment, plus how many planted lone outliers rank in the top 2x their number (k-means by
distance to the centre, HDBSCAN by GLOSH). `edgewise evaluate` prints the same figures for
Edgewise on the same data (same generator, same seed).

Usage: python3 bench/compare_baselines.py ROWS [SEED]   (needs: pip install scikit-learn hdbscan)
"""
import csv, subprocess, sys, time, os, tempfile
import numpy as np

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
cli = os.path.join(os.path.dirname(__file__), '..', 'target', 'release', 'edgewise')
tmp = tempfile.mkdtemp()
data_path, truth_path = os.path.join(tmp, 'export.csv'), os.path.join(tmp, 'truth.csv')
subprocess.run([cli, 'generate', '--rows', str(rows), '--seed', str(seed), '--out', data_path, '--truth', truth_path], check=True)

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import StandardScaler, OneHotEncoder
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
import hdbscan

with open(data_path, newline='', encoding='utf-8') as f:
    reader = csv.DictReader(f)
    records = list(reader)
with open(truth_path, newline='') as f:
    truth = [r['planted'] for r in csv.DictReader(f)]

text_cols = ['What are you trying to get done when you shop with us?', 'What gets in the way?']
num_cols = ['Orders (12 months)', 'Total spend', 'Average order value', 'Support tickets',
            'Importance: get my delivery at a time that suits me', 'Satisfaction: get my delivery at a time that suits me',
            'Importance: find products that fit my diet', 'Satisfaction: find products that fit my diet']
cat_cols = ['Channel', 'Plan', 'Payment method', 'Delivery slot', 'Newsletter', 'Eco packaging', 'Categories bought']

t0 = time.time()
text = [' '.join(r[c] for c in text_cols) for r in records]
tfidf = TfidfVectorizer(stop_words='english', min_df=2, ngram_range=(1, 2), sublinear_tf=True).fit_transform(text)
svd = TruncatedSVD(n_components=20, random_state=seed).fit_transform(tfidf)
nums = StandardScaler().fit_transform(np.log1p(np.array([[float(r[c] or 0) for c in num_cols] for r in records])))
cats = OneHotEncoder(handle_unknown='ignore').fit_transform([[r[c] for c in cat_cols] for r in records]).toarray()
X = np.hstack([StandardScaler().fit_transform(svd), nums, cats])
prep = time.time() - t0

def f1_table(labels):
    labels = np.asarray(labels)
    out = {}
    for g in sorted(set(truth)):
        if g == 'lone outlier':
            continue
        mask = np.array([t == g for t in truth])
        best = 0.0
        for c in set(labels.tolist()):
            if c == -1:
                continue
            seg = labels == c
            inter = (mask & seg).sum()
            best = max(best, 2 * inter / (mask.sum() + seg.sum()))
        out[g] = best
    return out

def outliers_in_top(scores):
    is_out = np.array([t == 'lone outlier' for t in truth])
    top = np.argsort(-np.asarray(scores), kind='stable')[: 2 * is_out.sum()]
    return int(is_out[top].sum()), int(is_out.sum())

# k-means with k by silhouette (on a sample of at most 5,000 for the score).
t0 = time.time()
rng = np.random.default_rng(seed)
sample = rng.choice(len(X), size=min(len(X), 5000), replace=False)
best_k, best_s, best_model = None, -1, None
for k in range(2, 16):
    model = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(X)
    s = silhouette_score(X[sample], model.labels_[sample])
    if s > best_s:
        best_k, best_s, best_model = k, s, model
km_labels = best_model.labels_
km_dist = np.linalg.norm(X - best_model.cluster_centers_[km_labels], axis=1)
t_km = time.time() - t0

t0 = time.time()
hdb = hdbscan.HDBSCAN(min_cluster_size=max(5, round(0.005 * len(X))), core_dist_n_jobs=1).fit(X)
t_hdb = time.time() - t0

km, hd = f1_table(km_labels), f1_table(hdb.labels_)
print(f'{rows} rows, seed {seed}; features (TF-IDF + SVD 20, scaled numbers, one-hot) {prep:.1f} s')
print(f'k-means: k = {best_k} by silhouette ({t_km:.1f} s); HDBSCAN: {hdb.labels_.max() + 1} clusters, '
      f'{(hdb.labels_ == -1).mean() * 100:.1f} % noise ({t_hdb:.1f} s)')
print(f'{"planted group":<48} {"k-means F1":>10} {"HDBSCAN F1":>11}')
for g in km:
    print(f'{g:<48} {km[g]:>10.3f} {hd[g]:>11.3f}')
print('lone outliers in top 2x: k-means (distance to centre) %d of %d; HDBSCAN (GLOSH) %d of %d'
      % (*outliers_in_top(km_dist), *outliers_in_top(np.nan_to_num(hdb.outlier_scores_))))
