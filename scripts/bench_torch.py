"""PyTorch's row of `npm run bench`: the same dcgan28 networks and losses as the reference fixtures
(torch_reference.py), timed the way `gan bench` times the core: one iteration is n_critic critic
steps and one G step, each followed by reading the losses back (which waits for the GPU); then
single critic steps. Eager mode, on the CPU or (`--device cuda`) a GPU. Prints one JSON line in
`gan bench --json`'s shape.

    python scripts/bench_torch.py --variant wgan-gp --batch 8 --steps 10 --warmup 2 [--device cuda]
"""

import argparse
import json
import os
import time

import numpy as np
import torch

from torch_reference import critic, critic_loss, generator, generator_loss, vae_loss

# Each variant's optimizer and critic steps per G step, as in crate/gan/*.rs.
OPTIMIZERS = {
    "ns-gan": lambda p: torch.optim.Adam(p, 2e-4, betas=(0.5, 0.999)),
    "mm-gan": lambda p: torch.optim.Adam(p, 2e-4, betas=(0.5, 0.999)),
    "lsgan": lambda p: torch.optim.Adam(p, 2e-4, betas=(0.5, 0.999)),
    "wgan": lambda p: torch.optim.RMSprop(p, 5e-5),
    "wgan-gp": lambda p: torch.optim.Adam(p, 1e-4, betas=(0.0, 0.9)),
    "dragan": lambda p: torch.optim.Adam(p, 1e-4, betas=(0.5, 0.9)),
    "began": lambda p: torch.optim.Adam(p, 1e-4, betas=(0.5, 0.999)),
    # One Adam over both networks: two with the same settings are the same updates.
    "vae": lambda p: torch.optim.Adam(p, 5e-5, betas=(0.5, 0.999)),
}
N_CRITIC = {"wgan": 5, "wgan-gp": 5}
WGAN_CLIP = 0.01


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="ns-gan", choices=sorted(OPTIMIZERS))
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--g-width", type=int, default=128)
    parser.add_argument("--d-width", type=int, default=64)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "www", "data", "mnist.bin"))
    args = parser.parse_args()
    threads = os.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(1)

    raw = np.fromfile(args.data, dtype=np.uint8)
    count = int(raw[4:8].view(np.uint32)[0])
    device = torch.device(args.device)
    images = torch.from_numpy(raw[20 : 20 + count * 784].reshape(count, 1, 28, 28).astype(np.float32) / 127.5 - 1)
    images = images.to(device)

    variant, batch, nz = args.variant, args.batch, 100
    g, d = generator(variant, nz, args.g_width).to(device), critic(variant, args.d_width, nz).to(device)
    opt_g, opt_d = OPTIMIZERS[variant](g.parameters()), OPTIMIZERS[variant](d.parameters())
    opt_joint = OPTIMIZERS[variant](list(g.parameters()) + list(d.parameters()))

    def joint_step():
        """The VAE's one step: encoder (D's network) and decoder (G) on the negative ELBO."""
        real = images[torch.randint(0, count, (batch,), device=device)]
        loss, _ = vae_loss(g, d, real, torch.randn(batch, nz, 1, 1, device=device))
        opt_joint.zero_grad(set_to_none=True)
        loss.backward()
        opt_joint.step()
        return loss.item()

    def noise(real):
        return {
            "epsilon": torch.rand(batch, 1, 1, 1, device=device),
            "alpha": torch.rand(batch, 1, 1, 1, device=device),
            "perturbation": torch.rand_like(real),
        }

    def critic_step():
        real = images[torch.randint(0, count, (batch,), device=device)]
        with torch.no_grad():
            fake = g(torch.randn(batch, nz, 1, 1, device=device))
        loss, _ = critic_loss(variant, d, real, fake, noise(real))
        opt_d.zero_grad(set_to_none=True)
        loss.backward()
        opt_d.step()
        if variant == "wgan":
            with torch.no_grad():
                for p in d.parameters():
                    p.clamp_(-WGAN_CLIP, WGAN_CLIP)
        return loss.item()

    def generator_step():
        loss = generator_loss(variant, d, g(torch.randn(batch, nz, 1, 1, device=device)))
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        return loss.item()

    def timed(work):
        start = time.perf_counter()
        work()
        return 1000 * (time.perf_counter() - start)

    n_critic = N_CRITIC.get(variant, 1)
    times, d_times = [], []
    for _ in range(args.warmup + args.steps):
        if variant == "vae":  # no critic step of its own
            times.append(timed(joint_step))
            continue
        times.append(timed(lambda: ([critic_step() for _ in range(n_critic)], generator_step())))
        d_times.append(timed(critic_step))
    kept = sorted(times[args.warmup :])
    d_kept = sorted(d_times[args.warmup :])
    print(
        json.dumps(
            {
                "backend": f"torch-{device.type}",
                "name": f"PyTorch {torch.__version__} "
                + (f"CUDA eager ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else f"CPU, {threads} threads"),
                "batch": batch,
                "firstStepMs": times[0],
                "medianMs": kept[len(kept) // 2],
                "minMs": kept[0],
                "maxMs": kept[-1],
                "steps": len(kept),
                "dStepMedianMs": d_kept[len(d_kept) // 2] if d_kept else None,
                "nCritic": n_critic,
            }
        )
    )


if __name__ == "__main__":
    main()
