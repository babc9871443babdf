#!/usr/bin/env bash
# Density clustering speed on the same 100,000 × 10 matrix, in the same run (issue 5):
# Edgewise's HDBSCAN (dual-tree Borůvka over a k-d tree, native, one thread) against the
# Python `hdbscan` package's boruvka_kdtree (one job). The matrix is the generator's feature
# space, reduced to 10 dimensions by PCA, written by `edgewise matrix`.
# Usage: bench/hdbscan_speed.sh [ROWS] [DIMS]   (needs: pip install hdbscan)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
dims=${2:-10}
m=$(( rows / 200 ))
cli=./target/release/edgewise
matrix=$(mktemp --suffix=.csv)
$cli matrix --rows "$rows" --dims "$dims" --out "$matrix"
echo "matrix: $rows × $dims; min_cluster_size $m, min_samples 12; $(nproc) cores, $(date -u +%F)"
$cli hdbscan "$matrix" --min-cluster-size "$m" --min-samples 12
python3 - "$matrix" "$m" <<'PY'
import sys, time, numpy as np, hdbscan
X = np.loadtxt(sys.argv[1], delimiter=',')
t = time.time()
c = hdbscan.HDBSCAN(min_cluster_size=int(sys.argv[2]), min_samples=12, algorithm='boruvka_kdtree', core_dist_n_jobs=1).fit(X)
print(f"python hdbscan boruvka_kdtree: {time.time() - t:.2f} s, {c.labels_.max() + 1} clusters, {(c.labels_ == -1).mean() * 100:.1f} % noise")
PY
rm -f "$matrix"
