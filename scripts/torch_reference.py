"""PyTorch reference for the GAN family: the same networks (as nn.Sequential) and the losses
written from their formulas, independently of the Rust core.

    python scripts/torch_reference.py fixtures            # writes tests/fixtures/grads/<variant>.safetensors
                                                          # and tests/fixtures/forward/dcgan{28,64}-*.safetensors
    python scripts/torch_reference.py grads --variant wgan-gp --inputs IN.safetensors --out OUT.safetensors
    python scripts/torch_reference.py check-load --gan target/release/gan --data www/data/mnist.bin --work DIR

`grads` reads the same inputs as `gan grads` (real, z, the variant's noise, state.k, and the
networks under generator./critic.) and writes the same names (d_loss, g_loss, d.<read-out>, fake,
critic.main.<i>.* and generator.main.<i>.* gradients), so the two files can be diffed tensor by tensor.
A fixture file holds the inputs and, under `expected.`, this script's outputs.

Needs torch and safetensors (pinned in scripts/requirements-reference.txt).
"""

import argparse
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

VARIANTS = ["ns-gan", "mm-gan", "lsgan", "wgan", "wgan-gp", "dragan", "began", "vae"]
BEGAN_CODE = 32  # the autoencoder's code size (crate/gan/began.rs)
BEGAN_GAMMA = 0.5
LAMBDA = 10.0  # WGAN-GP's and DRAGAN's penalty weight
VAE_MIN_STD = 1e-6  # crate/gan/vae.rs: σ = 1e-6 + softplus(·)
VAE_MIN_PROBABILITY = 1e-6  # a pixel's probability is kept within [1e-6, 1 − 1e-6]


def generator(variant, nz, g_width):
    if variant == "began":
        return nn.Sequential(*began_generator(nz, g_width))
    w = g_width
    return nn.Sequential(
        nn.ConvTranspose2d(nz, 2 * w, 7, 1, 0, bias=False),
        nn.BatchNorm2d(2 * w),
        nn.ReLU(True),
        nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),
        nn.BatchNorm2d(w),
        nn.ReLU(True),
        nn.ConvTranspose2d(w, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def began_generator(nz, w):
    """BEGAN's G (crate/gan/began.rs): FC (as a 7x7 transposed conv from 1x1) to 2w x 7 x 7 and
    BatchNorm, twice nearest 2x upsampling + 3x3 conv + BatchNorm + LeakyReLU(0.2), 3x3 conv, tanh.
    Biases only where no BatchNorm follows."""
    return [
        nn.ConvTranspose2d(nz, 2 * w, 7, 1, 0, bias=False),
        nn.BatchNorm2d(2 * w),
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(2 * w, 2 * w, 3, 1, 1, bias=False),
        nn.BatchNorm2d(2 * w),
        nn.LeakyReLU(0.2),
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(2 * w, w, 3, 1, 1, bias=False),
        nn.BatchNorm2d(w),
        nn.LeakyReLU(0.2),
        nn.Conv2d(w, 1, 3, 1, 1),
        nn.Tanh(),
    ]


def began_autoencoder(code, d):
    """BEGAN's D: 3x3 stride-2 conv + ReLU, FC (a 14x14 conv) to the code + BatchNorm + ReLU,
    FC back (a 14x14 transposed conv) + BatchNorm + ReLU, nearest 2x upsampling, linear 3x3 conv."""
    return [
        nn.Conv2d(1, d, 3, 2, 1),
        nn.ReLU(),
        nn.Conv2d(d, code, 14, 1, 0, bias=False),
        nn.BatchNorm2d(code),
        nn.ReLU(),
        nn.ConvTranspose2d(code, d, 14, 1, 0, bias=False),
        nn.BatchNorm2d(d),
        nn.ReLU(),
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(d, 1, 3, 1, 1),
    ]


def critic(variant, w, nz):
    if variant == "began":
        return nn.Sequential(*began_autoencoder(BEGAN_CODE, w))
    # The VAE's encoder: D's trunk, its last layer giving 2·nz numbers (μ, and σ before a softplus).
    outputs, bias = (2 * nz, True) if variant == "vae" else (1, False)
    # WGAN-GP and DRAGAN penalise per-sample gradients: LayerNorm instead of BatchNorm.
    norm = nn.LayerNorm([2 * w, 7, 7]) if variant in ("wgan-gp", "dragan") else nn.BatchNorm2d(2 * w)
    return nn.Sequential(
        nn.Conv2d(1, w, 4, 2, 1, bias=False),
        nn.LeakyReLU(0.2),
        nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),
        norm,
        nn.LeakyReLU(0.2),
        nn.Conv2d(2 * w, outputs, 7, 1, 0, bias=bias),
    )


class Wrapped(nn.Module):
    """`main` = the Sequential, so that state-dict names are main.<i>.* as in pytorch/examples."""

    def __init__(self, main):
        super().__init__()
        self.main = main

    def forward(self, x):
        return self.main(x)


def scores(d, x):
    return d(x).reshape(-1)


def input_gradient_norms(d, x_hat):
    """‖∇ₓD(x̂)‖₂ per sample, with the graph kept (double backward gives the penalty's gradient)."""
    x_hat = x_hat.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x_hat).sum(), x_hat, create_graph=True)
    return grad.flatten(1).norm(dim=1)


def reconstruction(d, v):
    return (d(v) - v).abs().mean()


def critic_loss(variant, d, real, fake, inputs):
    """The critic's loss and its read-outs, from each paper's formula."""
    if variant in ("ns-gan", "mm-gan", "dragan"):
        sr, sf = scores(d, real), scores(d, fake)
        loss = F.binary_cross_entropy_with_logits(sr, torch.ones_like(sr)) + F.binary_cross_entropy_with_logits(
            sf, torch.zeros_like(sf)
        )
        if variant != "dragan":
            return loss, {}
        # x̂ = x + α·0.5·std(x)·u, std over the whole batch (population std, as tf.nn.moments)
        std = real.std(unbiased=False)
        x_hat = real + inputs["alpha"] * 0.5 * std * inputs["perturbation"]
        norms = input_gradient_norms(d, x_hat)
        penalty = ((norms - 1) ** 2).mean()
        return loss + LAMBDA * penalty, {"gradient_norm": norms.mean(), "penalty": penalty}
    if variant == "lsgan":
        return 0.5 * ((scores(d, real) - 1) ** 2).mean() + 0.5 * (scores(d, fake) ** 2).mean(), {}
    if variant in ("wgan", "wgan-gp"):
        estimate = scores(d, real).mean() - scores(d, fake).mean()
        if variant == "wgan":
            return -estimate, {"wasserstein": estimate}
        eps = inputs["epsilon"]
        norms = input_gradient_norms(d, eps * real + (1 - eps) * fake)
        penalty = ((norms - 1) ** 2).mean()
        return -estimate + LAMBDA * penalty, {
            "wasserstein": estimate,
            "gradient_norm": norms.mean(),
            "penalty": penalty,
        }
    if variant == "began":
        k = inputs.get("state.k", torch.zeros(1)).reshape(())
        lx, lf = reconstruction(d, real), reconstruction(d, fake)
        m_global = lx + (BEGAN_GAMMA * lx - lf).abs()
        return lx - k * lf, {"k": k, "m_global": m_global}
    raise ValueError(variant)


def generator_loss(variant, d, fake):
    if variant in ("ns-gan", "dragan"):
        s = scores(d, fake)
        return F.binary_cross_entropy_with_logits(s, torch.ones_like(s))
    if variant == "mm-gan":
        return torch.log1p(-torch.sigmoid(scores(d, fake))).mean()  # E[log(1 − D(G(z)))]
    if variant == "lsgan":
        return 0.5 * ((scores(d, fake) - 1) ** 2).mean()
    if variant in ("wgan", "wgan-gp"):
        return -scores(d, fake).mean()
    if variant == "began":
        return reconstruction(d, fake)
    raise ValueError(variant)


def vae_loss(g, encoder, real, epsilon):
    """The negative ELBO with a Bernoulli likelihood, from torch.distributions and PyTorch's BCE:
    q(z|x) = N(μ, σ²) with σ = 1e-6 + softplus, z = μ + σ·ε, p = (G(z) + 1)/2 for x' = (x + 1)/2."""
    code = encoder(real)
    nz = code.shape[1] // 2
    mean, std = code[:, :nz], VAE_MIN_STD + F.softplus(code[:, nz:])
    z = mean + std * epsilon
    p = ((g(z) + 1) / 2).clamp(VAE_MIN_PROBABILITY, 1 - VAE_MIN_PROBABILITY)
    batch = real.shape[0]
    reconstruction = F.binary_cross_entropy(p, (real + 1) / 2, reduction="sum") / batch
    prior = torch.distributions.Normal(torch.zeros_like(mean), torch.ones_like(std))
    kl = torch.distributions.kl_divergence(torch.distributions.Normal(mean, std), prior).sum() / batch
    return reconstruction + kl, {"reconstruction": reconstruction, "kl": kl}


def networks(variant, inputs):
    nz = inputs["z"].shape[1]
    first = inputs["generator.main.0.weight"].shape[1]
    g_width = first // 2
    d_width = inputs["critic.main.0.weight"].shape[0]
    g, d = Wrapped(generator(variant, nz, g_width)), Wrapped(critic(variant, d_width, nz))
    for net, prefix in ((g, "generator."), (d, "critic.")):
        state = {k[len(prefix) :]: v for k, v in inputs.items() if k.startswith(prefix)}
        net.load_state_dict(state, strict=True)
        net.train()  # BatchNorm uses batch statistics, as in training
    return g, d


def reference_grads(variant, inputs):
    """The same names and values `gan grads` writes, computed by PyTorch in float64."""
    inputs = {k: v.double() if v.is_floating_point() else v for k, v in inputs.items()}
    g, d = networks(variant, inputs)
    g.double(), d.double()
    out = {}
    fake = g(inputs["z"])
    if variant == "vae":
        loss, readouts = vae_loss(g, d, inputs["real"], inputs["epsilon"])
        loss.backward()
        out["loss"] = loss.detach()
        for name, value in readouts.items():
            out[f"loss.{name}"] = value.detach().reshape(())
        out["fake"] = fake.detach()
        for net, prefix in ((d, "critic."), (g, "generator.")):
            for name, p in net.named_parameters():
                out[prefix + name] = p.grad.detach().clone()
        return {k: v.float().contiguous() for k, v in out.items()}
    d_loss, readouts = critic_loss(variant, d, inputs["real"], fake.detach(), inputs)
    d_loss.backward()
    out["d_loss"] = d_loss.detach()
    for name, value in readouts.items():
        out[f"d.{name}"] = value.detach().reshape(())
    for name, p in d.named_parameters():
        out[f"critic.{name}"] = p.grad.detach().clone()
    d.zero_grad()
    g_loss = generator_loss(variant, d, fake)
    g_loss.backward()
    out["g_loss"] = g_loss.detach()
    out["fake"] = fake.detach()
    for name, p in g.named_parameters():
        out[f"generator.{name}"] = p.grad.detach().clone()
    return {k: v.float().contiguous() for k, v in out.items()}


def fixture_inputs(variant, seed, batch=4, nz=8, g_width=4, d_width=4):
    """Fixed weights and inputs. Weights are drawn wider than DCGAN's N(0, 0.02) so that every
    gradient is well above float32 round-off and LeakyReLU sees both signs."""
    torch.manual_seed(seed)
    g, d = Wrapped(generator(variant, nz, g_width)), Wrapped(critic(variant, d_width, nz))
    inputs = {}
    for net, prefix in ((g, "generator."), (d, "critic.")):
        for name, t in net.state_dict().items():
            if name.endswith("num_batches_tracked"):
                value = torch.zeros((), dtype=torch.int64)
            elif name.endswith("running_var"):
                value = 1 + torch.rand(t.shape)
            elif isinstance(dict(net.named_modules())[name.rsplit(".", 1)[0]], (nn.BatchNorm2d, nn.LayerNorm)):
                value = (1.0 if name.endswith("weight") else 0.0) + 0.3 * torch.randn(t.shape)
            else:
                value = 0.3 * torch.randn(t.shape)
            inputs[prefix + name] = value.contiguous()
    inputs["real"] = torch.rand(batch, 1, 28, 28) * 2 - 1
    inputs["z"] = torch.randn(batch, nz, 1, 1)
    if variant == "wgan-gp":
        inputs["epsilon"] = torch.rand(batch, 1, 1, 1)
    if variant == "dragan":
        inputs["perturbation"] = torch.rand(batch, 1, 28, 28)
        inputs["alpha"] = torch.rand(batch, 1, 1, 1)
    if variant == "began":
        inputs["state.k"] = torch.tensor([0.3])
    if variant == "vae":
        inputs["epsilon"] = torch.randn(batch, nz, 1, 1)
    return inputs


def dcgan64_generator(nz, ngf, nc):
    """pytorch/examples/dcgan's Generator.main, layer for layer."""
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
        nn.BatchNorm2d(ngf * 8),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 4),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
        nn.BatchNorm2d(ngf),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
        nn.Tanh(),
    )


def randomise(net):
    """DCGAN's initialisation plus non-trivial BatchNorm running statistics (eval mode uses them)."""
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
            m.running_mean.normal_(0.0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(7)


def forward_fixtures(out):
    """Eval-mode forward passes of PyTorch-layout state dicts (saved exactly as
    `save_file(net.state_dict(), ...)` writes them): dcgan28 G and D, and a dcgan64 G (narrow
    widths keep the files small; the layers are the reference ones)."""
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(7)
    g, d = Wrapped(generator("ns-gan", 100, 8)), Wrapped(critic("ns-gan", 8, 100))
    randomise(g), randomise(d)
    g.eval(), d.eval()
    z = torch.randn(6, 100, 1, 1)
    with torch.no_grad():
        fake = g(z)
        logits = d(fake)
    save_file(g.state_dict(), os.path.join(out, "dcgan28-generator.safetensors"))
    save_file(d.state_dict(), os.path.join(out, "dcgan28-critic.safetensors"))
    save_file({"z": z, "samples": fake, "critic_logits": logits}, os.path.join(out, "dcgan28-io.safetensors"))
    g64 = Wrapped(dcgan64_generator(100, 4, 3))
    randomise(g64)
    g64.eval()
    z = torch.randn(3, 100, 1, 1)
    with torch.no_grad():
        fake = g64(z)
    save_file(g64.state_dict(), os.path.join(out, "dcgan64-generator.safetensors"))
    save_file({"z": z, "samples": fake}, os.path.join(out, "dcgan64-io.safetensors"))
    print(f"{out}: dcgan28 and dcgan64 forward fixtures")


def check_load(gan, data, work):
    """Our weight files in PyTorch: `gan train` writes a checkpoint; PyTorch loads its generator and
    critic with `load_state_dict(strict=True)` into the matching nn.Sequential, and G(z) in eval
    mode equals what `gan sample` computes for the same z. Prints TAP lines; returns failures."""
    import subprocess

    results = []
    for i, variant in enumerate(["ns-gan", "wgan-gp", "began"]):
        run = os.path.join(work, variant)
        subprocess.run(
            [gan, "train", "--variant", variant, "--steps", "2", "--batch", "4", "--g-width", "8", "--d-width", "8",
             "--grid-every", "1000", "--data", data, "--out", run],
            check=True, stdout=subprocess.DEVNULL,
        )
        weights = os.path.join(run, "weights.safetensors")
        torch.manual_seed(i)
        z = torch.randn(5, 100, 1, 1)
        save_file({"z": z}, os.path.join(run, "z.safetensors"))
        ours_path = os.path.join(run, "samples.safetensors")
        subprocess.run(
            [gan, "sample", "--weights", weights, "--z", os.path.join(run, "z.safetensors"), "--out", ours_path],
            check=True, stdout=subprocess.DEVNULL,
        )
        state = load_file(weights)
        g, d = Wrapped(generator(variant, 100, 8)), Wrapped(critic(variant, 8, 100))
        for net, prefix in ((g, "generator."), (d, "critic.")):
            net.load_state_dict({k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}, strict=True)
        g.eval()
        with torch.no_grad():
            expected = g(z)
        ours = load_file(ours_path)["samples"]
        error = ((ours - expected).abs().max() / expected.abs().max()).item()
        ok = error <= 1e-4
        results.append(ok)
        print(f"{'ok' if ok else 'not ok'} {i + 1} - {variant} checkpoint loads strictly into PyTorch; G(z) relative error {error:.2e}")
    print(f"# pass {sum(results)}")
    print(f"# fail {len(results) - sum(results)}")
    return len(results) - sum(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    fx = sub.add_parser("fixtures")
    fx.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "grads"))
    gr = sub.add_parser("grads")
    gr.add_argument("--variant", required=True, choices=VARIANTS)
    gr.add_argument("--inputs", required=True)
    gr.add_argument("--out", required=True)
    cl = sub.add_parser("check-load")
    cl.add_argument("--gan", required=True)
    cl.add_argument("--data", required=True)
    cl.add_argument("--work", required=True)
    args = parser.parse_args()
    if args.command == "check-load":
        os.makedirs(args.work, exist_ok=True)
        raise SystemExit(1 if check_load(args.gan, args.data, args.work) else 0)
    if args.command == "grads":
        save_file(reference_grads(args.variant, load_file(args.inputs)), args.out, {"variant": args.variant})
        return
    forward_fixtures(os.path.join(args.out, "..", "forward"))
    os.makedirs(args.out, exist_ok=True)
    for i, variant in enumerate(VARIANTS):
        inputs = fixture_inputs(variant, seed=100 + i)
        expected = {f"expected.{k}": v for k, v in reference_grads(variant, inputs).items()}
        path = os.path.join(args.out, f"{variant}.safetensors")
        meta = {"variant": variant, "torch": torch.__version__, "made_by": "scripts/torch_reference.py fixtures"}
        save_file({**inputs, **expected}, path, meta)
        loss = expected.get("expected.d_loss", expected.get("expected.loss"))
        print(f"{path}: {os.path.getsize(path)} bytes, first loss {loss:.6f}")


if __name__ == "__main__":
    main()
