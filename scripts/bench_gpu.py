"""The core natively on a GPU (burn's wgpu backend: Vulkan, Metal or DX12) against PyTorch eager on
the same GPU, same dcgan28, initialisation scheme, optimizer, losses and batch. One iteration is
n_critic critic steps and one G step, each followed by reading the losses back, in both.

    python scripts/bench_gpu.py --gan target/release/gan [--batches 64,256]
        [--variants ns-gan,lsgan,wgan-gp] [--steps 20] [--warmup 5] [--torch-device cuda]
        [--gpu-convolutions products,burn] [--no-torch]

Each of the core's convolution paths is timed (`gan bench --gpu-convolutions`): its own products
(im2col, col2im and tiled matmuls) and burn's direct kernels. The convolutions' arithmetic rate is
their floating-point operations in one iteration (counted by the core's products, the same for
both paths) over its median time.

Prints a markdown table with ours/PyTorch ratios and the JSON lines it was made from. Needs the
`gan` binary built natively (`cargo build --release`), www/data/mnist.bin (`npm run build:data`),
and PyTorch with CUDA. `--backend cpu --torch-device cpu` runs the same comparison on the CPU.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(command):
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gan", required=True, help="the native `gan` binary")
    parser.add_argument("--backend", default="gpu", help="`gan bench`'s --backend: gpu (default), cpu or auto")
    parser.add_argument("--torch-device", default="cuda")
    parser.add_argument("--batches", default="64,256")
    parser.add_argument("--variants", default="ns-gan,lsgan,wgan-gp")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--g-width", type=int, default=128)
    parser.add_argument("--d-width", type=int, default=64)
    parser.add_argument("--data", default=os.path.join(HERE, "..", "www", "data", "mnist.bin"))
    parser.add_argument("--gpu-convolutions", default="products,burn", help="the core's convolution paths to time")
    parser.add_argument("--no-torch", action="store_true", help="time the core only (no PyTorch here)")
    args = parser.parse_args()

    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        for variant in args.variants.split(","):
            sizes = ["--variant", variant, "--batch", str(batch), "--steps", str(args.steps), "--warmup", str(args.warmup),
                     "--g-width", str(args.g_width), "--d-width", str(args.d_width)]
            theirs = None
            if not args.no_torch:
                theirs = run_json([sys.executable, os.path.join(HERE, "bench_torch.py"), "--device", args.torch_device, "--data", args.data, *sizes])
                print(json.dumps({"variant": variant, **theirs}), flush=True)
            ours = {}
            for path in args.gpu_convolutions.split(","):
                ours[path] = run_json([args.gan, "bench", "--json", "--backend", args.backend, "--data", args.data,
                                       "--gpu-convolutions", path, *sizes])
                print(json.dumps({"variant": variant, **ours[path]}), flush=True)
            # The products count the iteration's convolution arithmetic; burn's kernels do the same.
            gflop = next((r["convGflop"] for r in ours.values() if r.get("convGflop")), None)
            rows.append((variant, batch, ours, theirs, gflop))

    print(f"\ndcgan28 (G width {args.g_width}, D width {args.d_width}), {args.steps} timed iterations after {args.warmup}; ms per G iteration (n_critic D steps + 1 G step), medians\n")
    print("| variant | batch | convolutions | ours (ms) | device | conv GFLOP per iteration | GFLOP/s | PyTorch eager (ms) | device | ours / PyTorch |")
    print("|---|---:|---|---:|---|---:|---:|---:|---|---:|")
    for variant, batch, ours, theirs, gflop in rows:
        for path, r in ours.items():
            rate = f"{gflop / r['medianMs'] * 1000:.0f}" if gflop else "–"
            torch = f"{theirs['medianMs']:.2f} | {theirs['name']} | {r['medianMs'] / theirs['medianMs']:.2f}" if theirs else "– | – | –"
            print(f"| {variant} | {batch} | {path} | {r['medianMs']:.2f} | {r['name']} | {gflop or 0:.2f} | {rate} | {torch} |")


if __name__ == "__main__":
    main()
