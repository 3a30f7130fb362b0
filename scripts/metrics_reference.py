"""Reference values for the sample-quality scores in crate/metrics.rs, from independent code:
FID's Fréchet distance as pytorch-fid computes it (scipy.linalg.sqrtm of Σ1·Σ2), and KID's
unbiased polynomial-kernel MMD² written out from Bińkowski et al. (2018), both in float64.

    python scripts/metrics_reference.py tests/fixtures/metrics.safetensors

The file holds two fixed feature sets `a` [300, 16] and `b` [200, 16] (float32; the references
are computed from exactly those values) and the expected scores in its metadata.
"""
import sys

import numpy as np
from scipy import linalg
from safetensors.numpy import save_file


def frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    covmean = covmean.real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def kid(a, b):
    d = a.shape[1]
    k = lambda x, y: (x @ y.T / d + 1) ** 3
    kaa, kbb, kab = k(a, a), k(b, b), k(a, b)
    m, n = len(a), len(b)
    return float((kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (n * (n - 1)) - 2 * kab.mean())


def main(out):
    rng = np.random.default_rng(2017)
    mix = rng.normal(size=(16, 16)) / 4
    a = rng.normal(size=(300, 16)).astype(np.float32)
    b = (rng.normal(size=(200, 16)) @ (np.eye(16) + mix) + 0.3).astype(np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    meta = {
        "fid_ab": repr(frechet(a64, b64)),
        "fid_aa": repr(frechet(a64, a64)),
        "kid_ab": repr(kid(a64, b64)),
        "made_by": "scripts/metrics_reference.py (numpy %s, scipy)" % np.__version__,
    }
    save_file({"a": a, "b": b}, out, meta)
    print(out, meta)


if __name__ == "__main__":
    main(sys.argv[1])
