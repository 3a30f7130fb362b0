//! The CPU BatchNorm against burn's own operation, output, statistics and the three gradients:
//! one batch, and batches side by side (each against a pass of burn's on its own).

use burn::tensor::module::{BatchNormTrainOutput, batch_norm_train};
use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::Rng;

fn random<const D: usize>(rng: &mut Rng, dims: [usize; D], mean: f64, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(rng.normal_vec(dims.iter().product(), mean, 1.0), dims), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    crate::tensor::to_f32(t.into_data()).unwrap()
}

fn assert_close(ours: Vec<f32>, theirs: Vec<f32>, what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: length");
    let scale = theirs.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    let worst = ours.iter().zip(&theirs).fold(0.0f32, |m, (x, y)| m.max((x - y).abs()));
    assert!(worst <= 2e-5 * scale, "{what}: largest difference {worst} (values up to {scale})");
}

/// Output, mean, variance and the gradients of x, γ and β for a random projection of the output.
type Results = [Vec<f32>; 6];

fn run(
    x: &Tensor<4>,
    gamma: &Tensor<1>,
    beta: &Tensor<1>,
    projection: &Tensor<4>,
    f: impl Fn(Tensor<4>, Tensor<1>, Tensor<1>) -> (Tensor<4>, Tensor<2>, Tensor<2>),
) -> Results {
    let x = x.clone().detach().require_grad();
    let [gamma, beta] = [gamma, beta].map(|t| t.clone().detach().require_grad());
    let (y, mean, variance) = f(x.clone(), gamma.clone(), beta.clone());
    let grads = (y.clone() * projection.clone()).sum().backward();
    let gradient = |t: Tensor<1>| values(t.grad(&grads).unwrap());
    [values(y), values(mean), values(variance), values(x.grad(&grads).unwrap()), gradient(gamma), gradient(beta)]
}

#[test]
fn batch_norm_matches_burns_one_batch_and_side_by_side() {
    let device = Device::flex().autodiff();
    for (dims, groups) in [([4, 3, 5, 5], 1), ([6, 4, 7, 7], 2), ([6, 2, 1, 1], 3), ([64, 16, 7, 7], 2)] {
        let mut rng = Rng::new(11);
        let [n, c, ..] = dims;
        let x = random(&mut rng, dims, 0.5, &device);
        let (gamma, beta) = (random(&mut rng, [c], 1.0, &device), random(&mut rng, [c], 0.0, &device));
        let projection = random(&mut rng, dims, 0.0, &device);
        let ours =
            run(&x, &gamma, &beta, &projection, |x, gamma, beta| super::batch_norm_train(x, gamma, beta, groups, 1e-5));
        // burn's, one group at a time; the statistics stacked, the outputs joined.
        let theirs = run(&x, &gamma, &beta, &projection, |x, gamma, beta| {
            let parts: Vec<_> = x
                .chunk(groups, 0)
                .into_iter()
                .map(|part| batch_norm_train(part, gamma.clone(), beta.clone(), 1e-5))
                .collect();
            let stack = |f: &dyn Fn(&BatchNormTrainOutput<4>) -> Tensor<1>| {
                Tensor::stack::<2>(parts.iter().map(f).collect(), 0)
            };
            let (mean, variance) = (stack(&|p| p.mean.clone()), stack(&|p| p.variance.clone()));
            (Tensor::cat(parts.iter().map(|p| p.output.clone()).collect(), 0), mean, variance)
        });
        assert_eq!(ours[0].len(), n * c * dims[2] * dims[3]);
        for (what, (a, b)) in ["output", "mean", "variance", "x gradient", "γ gradient", "β gradient"]
            .into_iter()
            .zip(ours.into_iter().zip(theirs))
        {
            assert_close(a, b, &format!("{dims:?} in {groups} groups: {what}"));
        }
    }
}
