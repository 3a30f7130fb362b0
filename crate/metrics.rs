//! Sample-quality scores on feature vectors (from the MNIST classifier's penultimate layer, see
//! [`crate::classifier`]): the Fréchet distance of FID (Heusel et al. 2017) and the kernel
//! distance of KID (Bińkowski et al. 2018). Features come off the device once; the statistics are
//! computed here in f64 (a d×d eigendecomposition for d ≈ 64 takes well under a millisecond).

use crate::rng::Rng;

/// `n` feature vectors of length `d`, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    pub n: usize,
    pub d: usize,
    pub values: Vec<f64>,
}

impl Features {
    pub fn new(n: usize, d: usize, values: Vec<f64>) -> Result<Self, String> {
        if values.len() != n * d || n < 2 || d == 0 {
            return Err(format!(
                "features: need at least 2 vectors of a positive length, got {n}×{d} from {} values",
                values.len()
            ));
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err("features: a value is NaN or infinite".into());
        }
        Ok(Self { n, d, values })
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.values[i * self.d..(i + 1) * self.d]
    }

    /// The mean vector and the unbiased covariance matrix (d×d, row-major), as numpy's `np.cov`.
    pub fn mean_and_covariance(&self) -> (Vec<f64>, Vec<f64>) {
        let (n, d) = (self.n, self.d);
        let mut mean = vec![0.0; d];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(self.row(i)) {
                *m += v / n as f64;
            }
        }
        let mut cov = vec![0.0; d * d];
        for i in 0..n {
            let centred: Vec<f64> = self.row(i).iter().zip(&mean).map(|(v, m)| v - m).collect();
            for a in 0..d {
                for b in a..d {
                    cov[a * d + b] += centred[a] * centred[b];
                }
            }
        }
        for a in 0..d {
            for b in a..d {
                cov[a * d + b] /= (n - 1) as f64;
                cov[b * d + a] = cov[a * d + b];
            }
        }
        (mean, cov)
    }
}

/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½): the Fréchet distance between Gaussians fitted to two
/// feature sets. Tr((Σ₁Σ₂)^½) is computed as Tr((Σ₁^½ Σ₂ Σ₁^½)^½), the same number (the two
/// matrices are similar) from symmetric matrices only, so no complex square root can arise.
pub fn frechet_distance(a: &Features, b: &Features) -> Result<f64, String> {
    if a.d != b.d {
        return Err(format!("feature lengths differ: {} and {}", a.d, b.d));
    }
    let d = a.d;
    let (mu1, s1) = a.mean_and_covariance();
    let (mu2, s2) = b.mean_and_covariance();
    let mean_term: f64 = mu1.iter().zip(&mu2).map(|(x, y)| (x - y) * (x - y)).sum();
    let root1 = symmetric_sqrt(&s1, d);
    let inner = matmul(&matmul(&root1, &s2, d), &root1, d);
    let (eigenvalues, _) = symmetric_eigen(&inner, d);
    let trace_root: f64 = eigenvalues.iter().map(|&l| l.max(0.0).sqrt()).sum();
    let trace = |m: &[f64]| (0..d).map(|i| m[i * d + i]).sum::<f64>();
    Ok(mean_term + trace(&s1) + trace(&s2) - 2.0 * trace_root)
}

/// KID: the unbiased estimate of MMD² with the kernel k(x, y) = (x·y/d + 1)³, averaged over
/// `subsets` random subsets of `subset_size` vectors from each set (Bińkowski et al.'s protocol;
/// with `subset_size` ≥ both sizes, one subset is the whole sets). Returns (mean, standard deviation).
pub fn kernel_inception_distance(
    a: &Features,
    b: &Features,
    subsets: usize,
    subset_size: usize,
    seed: u64,
) -> Result<(f64, f64), String> {
    if a.d != b.d {
        return Err(format!("feature lengths differ: {} and {}", a.d, b.d));
    }
    let (m, n) = (subset_size.min(a.n), subset_size.min(b.n));
    let full = m == a.n && n == b.n;
    let subsets = if full { 1 } else { subsets.max(1) };
    let mut rng = Rng::new(seed);
    let mut estimates = Vec::with_capacity(subsets);
    for _ in 0..subsets {
        let pick = |rng: &mut Rng, total: usize, k: usize| -> Vec<usize> {
            if k == total { (0..total).collect() } else { rng.permutation(total).into_iter().take(k).collect() }
        };
        let (ia, ib) = (pick(&mut rng, a.n, m), pick(&mut rng, b.n, n));
        let kernel =
            |x: &[f64], y: &[f64]| (x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>() / a.d as f64 + 1.0).powi(3);
        let within = |f: &Features, idx: &[usize]| {
            let mut s = 0.0;
            for (p, &i) in idx.iter().enumerate() {
                for &j in &idx[p + 1..] {
                    s += 2.0 * kernel(f.row(i), f.row(j));
                }
            }
            s / (idx.len() * (idx.len() - 1)) as f64
        };
        let mut cross = 0.0;
        for &i in &ia {
            for &j in &ib {
                cross += kernel(a.row(i), b.row(j));
            }
        }
        estimates.push(within(a, &ia) + within(b, &ib) - 2.0 * cross / (m * n) as f64);
    }
    let mean = estimates.iter().sum::<f64>() / estimates.len() as f64;
    let var = estimates.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / estimates.len() as f64;
    Ok((mean, var.sqrt()))
}

fn matmul(a: &[f64], b: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for k in 0..d {
            let aik = a[i * d + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..d {
                out[i * d + j] += aik * b[k * d + j];
            }
        }
    }
    out
}

/// The symmetric square root V·diag(√max(λ, 0))·Vᵀ of a symmetric positive semi-definite matrix.
fn symmetric_sqrt(m: &[f64], d: usize) -> Vec<f64> {
    let (values, vectors) = symmetric_eigen(m, d);
    let mut out = vec![0.0; d * d];
    for (k, &l) in values.iter().enumerate() {
        let s = l.max(0.0).sqrt();
        for i in 0..d {
            let vik = vectors[i * d + k] * s;
            for j in 0..d {
                out[i * d + j] += vik * vectors[j * d + k];
            }
        }
    }
    out
}

/// Eigenvalues and eigenvectors (columns of the returned row-major matrix) of a symmetric matrix,
/// by cyclic Jacobi rotations: slow for large d, exact to round-off, and with no dependency.
pub fn symmetric_eigen(m: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = m.to_vec();
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt().max(f64::MIN_POSITIVE);
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j] * a[i * d + j])
            .sum();
        if off.sqrt() <= 1e-15 * scale {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}
