"""Regenerates scipy-reference.json: the values @probity/stats must match.

Run from the repository root after `bash infra/interop/install-stats.sh`:

    $PROBITY_CACHE_DIR/venv/bin/python packages/stats/reference/generate.py

Inputs are drawn from a seeded numpy Generator and ROUNDED to 6 decimals before
any reference is computed, so the arrays stored in the JSON are exactly the
floats SciPy saw. The TypeScript tests read only the JSON (no Python needed).
"""
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

OUT = Path(__file__).with_name("scipy-reference.json")
rng = np.random.default_rng(20240611)


def r6(a):
    return np.round(np.asarray(a, dtype=np.float64), 6)


def fl(x):
    """JSON-safe float (repr round-trips exactly in JS)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def arr(a):
    return [float(v) for v in a]


# --------------------------------------------------------------------------- KS
ks_cases = []


def ks_case(name, a, b):
    a, b = r6(a), r6(b)
    entry = {"name": name, "a": arr(a), "b": arr(b), "results": {}}
    for alt in ("two-sided", "less", "greater"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = stats.ks_2samp(a, b, alternative=alt, method="auto")
        fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
        n1, n2 = len(a), len(b)
        method = "exact" if max(n1, n2) <= 10000 and not fell_back else "asymp"
        entry["results"][alt] = {
            "statistic": fl(res.statistic),
            "pValue": fl(res.pvalue),
            "statisticLocation": fl(res.statistic_location),
            "statisticSign": int(res.statistic_sign),
            "method": method,
        }
    ks_cases.append(entry)


ks_case("n=1 vs n=1", [0.5], [1.5])
ks_case("n=1 vs n=1 identical", [2.0], [2.0])
ks_case("n=1 vs n=2", [0.3], [0.1, 0.9])
ks_case("n=2 vs n=3", [1.0, 2.0], [1.5, 2.5, 3.5])
ks_case("n=3 vs n=3 disjoint", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
ks_case("n=3 vs n=2 disjoint reversed", [7.0, 8.0, 9.0], [1.0, 2.0])
same = r6(rng.normal(size=50))
ks_case("identical samples n=50", same, same.copy())
ks_case("ties integers 30 vs 40", rng.integers(0, 5, size=30), rng.integers(0, 6, size=40))
ks_case("ties heavy 200 vs 300", rng.integers(0, 3, size=200), rng.integers(1, 4, size=300))
ks_case("equal n=100 shift", rng.normal(size=100), rng.normal(0.4, size=100))
ks_case("equal n=500 small shift", rng.normal(size=500), rng.normal(0.1, size=500))
ks_case("unequal 60 vs 45", rng.normal(size=60), rng.normal(0.3, 1.2, size=45))
ks_case("unequal 7 vs 13", rng.normal(size=7), rng.normal(size=13))
ks_case("unequal 400 vs 700 (one-sided falls back to asymp)", rng.normal(size=400), rng.normal(0.15, size=700))
ks_case("unequal 1000 vs 3000 strong shift", rng.normal(size=1000), rng.normal(0.5, size=3000))
ks_case("unequal 250 vs 5000 exponential vs normal", rng.exponential(size=250), rng.normal(1.0, size=5000))
ks_case("exact n=10000 vs 10000", rng.normal(size=10000), rng.normal(0.02, size=10000))
ks_case("exact n=10000 vs 9999", rng.normal(size=10000), rng.normal(size=9999))
ks_case("asymp n=10001 vs 10001", rng.normal(size=10001), rng.normal(0.03, size=10001))
ks_case("asymp n=20000 vs 20000", rng.normal(size=20000), rng.normal(size=20000))
ks_case("asymp n=20000 vs 15000 large shift", rng.normal(size=20000), rng.normal(0.08, size=15000))
ks_case("asymp n=10001 vs 5 tiny en", rng.normal(size=10001), rng.normal(0.5, size=5))
ks_case("asymp n=12000 vs 300", rng.normal(size=12000), rng.normal(0.3, size=300))
ks_case("asymp disjoint n=10001 vs 50", rng.normal(size=10001), rng.normal(20.0, size=50))

# kstwo.sf grid: exercises every branch of SciPy's kolmogn (Simard & L'Ecuyer).
kstwo_grid = []
for n in (1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 2500, 5000, 50000, 100000, 100001, 500000, 2000000):
    for x in (0.0005, 0.002, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95, 0.999):
        kstwo_grid.append({"n": n, "x": x, "sf": fl(stats.kstwo.sf(x, n))})
for n in (5000, 50000, 500000):  # nx^2 around the 0.754693, 2.2, 4, 18 and 370 cut-overs
    for nx2 in (0.3, 0.754, 0.76, 1.0, 2.1, 2.3, 3.9, 4.1, 10.0, 17.9, 18.1, 100.0, 369.0, 371.0):
        x = math.sqrt(nx2 / n)
        kstwo_grid.append({"n": n, "x": x, "sf": fl(stats.kstwo.sf(x, n))})
smirnov_grid = []
for n in (1, 2, 3, 9, 10, 11, 20, 100, 1000, 10000, 200000, 1000000, 1000001, 3000000):
    for x in (0.0, 1e-4, 0.001, 0.004, 0.02, 0.05, 0.1, 0.25, 0.5, 0.7, 0.9, 0.99, 1.0):
        smirnov_grid.append({"n": n, "x": x, "sf": fl(special.smirnov(n, x))})

# ------------------------------------------------------------------------- PSI
def psi_reference(ref, cur, bins=10, eps=1e-4):
    """The documented @probity/stats PSI, written with numpy: equal-frequency
    bins from np.quantile(method='linear'), duplicate edges dropped, outer
    edges -inf/+inf, bin i = (edge_i, edge_i+1], proportions floored at eps."""
    inner = np.quantile(ref, np.arange(1, bins) / bins, method="linear")
    edges = np.unique(np.concatenate(([-np.inf], inner, [np.inf])))
    rc = np.diff(np.searchsorted(np.sort(ref), edges, side="right"))
    cc = np.diff(np.searchsorted(np.sort(cur), edges, side="right"))
    rp = np.maximum(rc / len(ref), eps)
    cp = np.maximum(cc / len(cur), eps)
    contrib = (cp - rp) * np.log(cp / rp)
    return {
        "value": fl(np.sum(contrib)),
        "edges": [fl(e) for e in edges],
        "referenceCounts": [int(c) for c in rc],
        "currentCounts": [int(c) for c in cc],
        "contributions": [fl(c) for c in contrib],
    }


psi_cases = []
for name, ref, cur, bins, eps in [
    ("normal 1000 vs shifted 800", rng.normal(size=1000), rng.normal(0.3, size=800), 10, 1e-4),
    ("normal 5000 vs same", rng.normal(size=5000), rng.normal(size=5000), 10, 1e-4),
    ("ties collapse edges", rng.integers(0, 4, size=300), rng.integers(0, 6, size=200), 10, 1e-4),
    ("current outside reference range", rng.normal(size=200), rng.normal(5.0, size=100), 5, 1e-4),
    ("tiny n=3 bins=4", [1.0, 2.0, 3.0], [0.5, 2.5, 2.6, 9.0], 4, 1e-4),
    ("20 bins eps 1e-6", rng.gamma(2.0, size=20000), rng.gamma(2.2, size=20000), 20, 1e-6),
]:
    ref, cur = r6(ref), r6(cur)
    psi_cases.append({"name": name, "reference": arr(ref), "current": arr(cur), "bins": bins,
                      "epsilon": eps, **psi_reference(ref, cur, bins, eps)})

# ----------------------------------------------------------------- Wasserstein
wasserstein_cases = []
for name, u, v, uw, vw in [
    ("n=1 vs n=1", [0.0], [3.5], None, None),
    ("ties", [0, 1, 1, 2, 3], [1, 1, 1, 4], None, None),
    ("normal 3000 vs 2000", rng.normal(size=3000), rng.normal(0.2, 1.3, size=2000), None, None),
    ("identical", [1.5, 2.5, 9.0], [9.0, 1.5, 2.5], None, None),
    ("weighted", [0.0, 1.0, 3.0], [5.0, 6.0, 8.0], [0.4, 1.0, 2.0], [1.4, 0.2, 3.0]),
    ("weighted with ties", rng.integers(0, 5, size=40), rng.integers(0, 5, size=30),
     r6(rng.uniform(0.1, 2, size=40)), r6(rng.uniform(0.1, 2, size=30))),
]:
    u, v = r6(u), r6(v)
    val = stats.wasserstein_distance(u, v, uw, vw)
    wasserstein_cases.append({"name": name, "u": arr(u), "v": arr(v),
                              "uWeights": None if uw is None else arr(uw),
                              "vWeights": None if vw is None else arr(vw), "value": fl(val)})

# -------------------------------------------------------------- Jensen-Shannon
js_cases = []
for name, p, q in [
    ("docs example", [1.0, 0.0], [0.5, 0.5]),
    ("disjoint", [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
    ("identical", [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]),
    ("counts", [10, 20, 30, 0, 5], [12, 18, 25, 3, 7]),
    ("random 50", r6(rng.uniform(size=50)), r6(rng.uniform(size=50))),
]:
    p, q = r6(p), r6(q)
    js_cases.append({"name": name, "p": arr(p), "q": arr(q),
                     "base2": fl(distance.jensenshannon(p, q, base=2)),
                     "baseE": fl(distance.jensenshannon(p, q)),
                     "base10": fl(distance.jensenshannon(p, q, base=10))})

# ------------------------------------------------------------- chi-square 2xk
chi_cases = []
for name, rc, cc in [
    ("2x2", [10, 20], [30, 40]),
    ("2x5", [120, 95, 80, 60, 45], [110, 100, 90, 50, 50]),
    ("2x10 drifted", list(rng.integers(50, 150, size=10)), list(rng.integers(30, 200, size=10))),
    ("large counts", [100000, 200000, 300000], [101000, 198000, 305000]),
    ("strong drift tiny p", [500, 500, 500, 500], [100, 300, 700, 900]),
    ("single column dof 0", [7], [9]),
    ("zero column", [5, 0, 7], [6, 0, 9]),
    ("many bins", list(rng.integers(0, 40, size=60) + 1), list(rng.integers(0, 40, size=60) + 1)),
]:
    table = np.array([rc, cc], dtype=np.float64)
    entry = {"name": name, "referenceCounts": [int(x) for x in rc], "currentCounts": [int(x) for x in cc]}
    try:
        res = stats.chi2_contingency(table, correction=False)
        entry.update({"statistic": fl(res.statistic), "pValue": fl(res.pvalue), "dof": int(res.dof)})
    except ValueError as e:
        entry["error"] = str(e)
    chi_cases.append(entry)

chi2_sf_grid = []
for k in (1, 2, 3, 4, 9, 19, 59, 200, 1000):
    for x in (1e-3, 0.5, 1.0, 3.84, 10.0, 30.0, 100.0, 300.0, 1500.0):
        chi2_sf_grid.append({"dof": k, "x": x, "sf": fl(stats.chi2.sf(x, k))})

# ---------------------------------------------------------------- moments etc
moment_cases = []
for name, a, b in [("normal 1000 vs 1200", rng.normal(size=1000), rng.normal(0.25, 1.5, size=1200)),
                   ("small", [1.0, 2.0, 4.0], [2.0, 3.0, 9.0, 10.0])]:
    a, b = r6(a), r6(b)
    pooled = math.sqrt(((len(a) - 1) * np.var(a, ddof=1) + (len(b) - 1) * np.var(b, ddof=1)) / (len(a) + len(b) - 2))
    moment_cases.append({"name": name, "a": arr(a), "b": arr(b), "meanA": fl(np.mean(a)), "meanB": fl(np.mean(b)),
                         "sdA": fl(np.std(a, ddof=1)), "sdB": fl(np.std(b, ddof=1)),
                         "cohensD": fl((np.mean(b) - np.mean(a)) / pooled)})

bland_altman_cases = []
for name, meas, refv in [("sensor vs reference 40", rng.normal(10, 2, size=40), None),
                         ("three readings", [1.02, 2.05, 2.96], [1.0, 2.0, 3.0])]:
    meas = r6(meas)
    refv = r6(meas - rng.normal(0.1, 0.3, size=len(meas))) if refv is None else r6(refv)
    d = meas - refv
    n = len(d)
    bias, sd = np.mean(d), np.std(d, ddof=1)
    t = stats.t.ppf(0.975, n - 1)
    bland_altman_cases.append({"name": name, "measured": arr(meas), "reference": arr(refv), "bias": fl(bias),
                               "sd": fl(sd), "lowerLimit": fl(bias - 1.96 * sd), "upperLimit": fl(bias + 1.96 * sd),
                               "t975": fl(t), "biasCiHalfWidth": fl(t * sd / math.sqrt(n)),
                               "limitCiHalfWidth": fl(t * sd * math.sqrt(3 / n))})

doc = {
    "generator": "packages/stats/reference/generate.py",
    "python": sys.version.split()[0],
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "ks2samp": ks_cases,
    "kstwoSf": kstwo_grid,
    "smirnovSf": smirnov_grid,
    "psi": psi_cases,
    "wasserstein": wasserstein_cases,
    "jensenShannon": js_cases,
    "chiSquare": chi_cases,
    "chi2Sf": chi2_sf_grid,
    "moments": moment_cases,
    "blandAltman": bland_altman_cases,
}
OUT.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB) with numpy {np.__version__}, scipy {scipy.__version__}")
