#!/usr/bin/env python3
"""PyTorch (float32, CPU) side-by-side benchmark for stylize.

The same objective as stylize (README, "What is computed"; Sources/StylizeKit/Objective/)
on the same weights file (weights/vgg16.safetensors, read with numpy), so the two can be
timed against each other:

  x      (1, 3, H, W): B, G, R order, 0..255, minus the mean from the file's metadata
         (103.939, 116.779, 123.68); the optimized variable, as in stylize.
  F_l    ReLU output at layer l, N_l channels x M_l = H_l*W_l positions; VGG's 3x3
         convolutions (padding 1), 2x2/2 pooling (floor) between blocks, only up to the
         deepest layer used (relu5_1 by default).
  L_c    mean over content layers of sum((F_l - P_l)^2) / (4 N_l M_l)      [relu4_2]
  E_l    sum((F F^T - A_l)^2) / (4 N_l^2 M_l^2);  L_s = sum_l w_l E_l,  w_l = 1/L
         [relu1_1, relu2_1, relu3_1, relu4_1, relu5_1]; A_l is the style image's Gram
         times M_l(generated) / M_l(style).
  L_tv   sum_c sum [(x[c,i+1,j]-x[c,i,j])^2 + (x[c,i,j+1]-x[c,i,j])^2] / (3 H W)
  total  alpha L_c + beta L_s + gamma L_tv   (defaults 5, 1e-3, 1)

The gradient is taken with autograd with respect to the image only (the weights are
plain tensors with requires_grad=False).

Subcommands
  time  --size S --threads T [--runs 5] [--warmup 1] [--channels-last]
        Median seconds of one evaluation (forward to relu5_1, the three terms, and
        backward for d total / d x) on the synthetic images of stylize-bench
        (Sources/stylize-bench/main.swift, same formulas), and peak RSS. Prints one line
        in stylize-bench's format and one JSON line.
  run   CONTENT.png STYLE.png [--size 512] [--iterations 300] [--threads 2] -o OUT.png
        [--log OUT.jsonl] [--history-size 100] [--seed 0] [--content-weight 5] ...
        [--device cuda [--no-tf32]]
        A Gatys run as neural-style-pt drives it: noise init N(0, 16^2) on the
        preprocessed tensor (torch's RNG, not stylize's), one call of
        torch.optim.LBFGS(max_iter=iterations, history_size=100, tolerance_grad=-1,
        tolerance_change=-1, line_search_fn=None, lr=1).step(closure). Saves the image
        clipped to 0..255 and rounded to 8 bits as an RGB PNG, then evaluates the
        objective again on that saved image. Prints a summary line and one JSON line.
  check [--tolerance 1e-3]
        Losses and gradients on the 64x64 golden case of the test suite
        (Tests/StylizeKitTests/Resources/reference/, float64 PyTorch), max and average
        pooling: shows that this file computes stylize's objective. A few seconds.

Images (run): read with Pillow, alpha composited over white as stylize does, then
resized with Pillow's LANCZOS so the longest side is --size (content) and the style's
longest side is the content's (not resampled when already that size). The resize is done
per channel on float32 ('F' mode) so nothing is rounded to 8 bits in between, like
stylize's own float Lanczos-3 (support widened by the reduction factor); the two filters
are the same up to float rounding, but it is Pillow's code, not stylize's.

Run it with .venv-torch/bin/python (`make bench-torch` creates it from
tools/requirements-torch.txt) or any Python with those packages. Timings are only
meaningful on an otherwise idle machine: every timed block also measures the CPU that
other processes used, and a warning goes to stderr when they used more than 10 % of a CPU.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import numpy as np



def rss_now_mb():
    """VmRSS (current resident memory) in MiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


import torch  # noqa: E402
import torch.nn.functional as Fn  # noqa: E402

# What importing torch alone keeps resident: part of every peak RSS printed here.
_RSS_AFTER_TORCH_MB = rss_now_mb()

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_WEIGHTS = os.environ.get("STYLIZE_WEIGHTS") or os.path.join(REPO, "weights", "vgg16.safetensors")
DEFAULT_MEAN_BGR = (103.939, 116.779, 123.68)
CONTENT_LAYERS = ["relu4_2"]
STYLE_LAYERS = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]


def fail(message):
    print(f"bench_torch: error: {message}", file=sys.stderr)
    sys.exit(1)


def cpu_jiffies():
    """(busy, steal) jiffies of all CPUs from /proc/stat; busy = user+nice+system+irq+softirq."""
    try:
        with open("/proc/stat") as f:
            v = [int(t) for t in f.readline().split()[1:]]
        return v[0] + v[1] + v[2] + v[5] + v[6], v[7]
    except (OSError, IndexError, ValueError):
        return 0, 0


class LoadMeter:
    """Over a block: wall seconds, and the CPU time used by OTHER processes on this machine
    and stolen by the hypervisor, in % of one CPU (200 = both cores of a 2-core machine).
    PyTorch's OpenMP threads slow down badly when another process takes a core."""
    HZ = os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.j0, self.c0, self.t0 = cpu_jiffies(), own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.t0
        j1, own = cpu_jiffies(), own_cpu_s() - self.c0
        busy = (j1[0] - self.j0[0]) / self.HZ
        self.other_pct = max(0.0, 100.0 * (busy - own) / max(1e-9, self.elapsed))
        self.steal_pct = 100.0 * (j1[1] - self.j0[1]) / self.HZ / max(1e-9, self.elapsed)


def own_cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


BUSY_PCT = 10.0  # other processes above this share of one CPU: the figures are not clean


def warn_if_busy(other_pct, steal_pct, seconds):
    if seconds >= 0.05 and (other_pct > BUSY_PCT or steal_pct > BUSY_PCT):
        print(f"bench_torch: warning: other processes used {other_pct:.0f} % of a CPU (steal {steal_pct:.0f} %) "
              "while timing; these figures are not those of an idle machine", file=sys.stderr, flush=True)


def peak_rss_mb():
    """ru_maxrss (KiB on Linux) in MiB, as stylize-bench prints it ("MB")."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------------------ weights
def load_safetensors(path):
    """{name: float32 ndarray}, metadata. 8-byte little-endian header length, JSON header,
    raw little-endian data (weights/README.md)."""
    try:
        with open(path, "rb") as f:
            raw = bytearray(os.fstat(f.fileno()).st_size)  # one copy in memory; tensors are views
            f.readinto(raw)
    except OSError as e:
        fail(f"cannot read the weights '{path}': {e.strerror} (make weights)")
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(bytes(raw[8:8 + n]))
    data = memoryview(raw)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            fail(f"tensor '{name}' has dtype {info['dtype']}, expected F32")
        a, b = info["data_offsets"]
        tensors[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(info["shape"])
    return tensors, meta


class VGG:
    """The conv layers of the file (conv{B}_{K}, in order), as stylize's VGGNetwork."""

    def __init__(self, path, pooling="max"):
        tensors, meta = load_safetensors(path)
        ids = sorted({tuple(int(v) for v in k[4:].split(".")[0].split("_")) for k in tensors})
        self.layers = []  # (block, index, weight, bias)
        for b, k in ids:
            w = torch.from_numpy(tensors[f"conv{b}_{k}.weight"])
            bias = torch.from_numpy(tensors[f"conv{b}_{k}.bias"])
            assert not w.requires_grad and not bias.requires_grad
            self.layers.append((b, k, w, bias))
        mean = meta.get("mean")
        self.mean_bgr = tuple(float(v) for v in mean.split(",")) if mean else DEFAULT_MEAN_BGR
        if meta.get("channel_order", "BGR") != "BGR" or meta.get("pixel_scale", "0..255") != "0..255":
            fail("the weights' metadata does not describe BGR 0..255 input")
        self.pooling = pooling
        self.path = path

    def names(self):
        return [f"relu{b}_{k}" for b, k, _, _ in self.layers]

    def to_channels_last(self):
        self.layers = [(b, k, w.contiguous(memory_format=torch.channels_last), bias) for b, k, w, bias in self.layers]

    def stages(self, deepest):
        """The conv layers up to `deepest` (a relu name), each with `pool_before`."""
        out, block = [], 1
        for b, k, w, bias in self.layers:
            out.append((f"relu{b}_{k}", b != block, w, bias))
            block = b
            if out[-1][0] == deepest:
                return out
        fail(f"layer '{deepest}' is not in the weights (known: {', '.join(self.names())})")

    def features(self, x, wanted):
        """{layer: ReLU output} for the layers in `wanted`; runs only as deep as needed."""
        order = self.names()
        deepest = max(wanted, key=order.index)
        feats = {}
        for name, pool_before, w, bias in self.stages(deepest):
            if pool_before:
                x = Fn.max_pool2d(x, 2, 2) if self.pooling == "max" else Fn.avg_pool2d(x, 2, 2)
            # In-place ReLU on the convolution's output, as neural-style-pt's nn.ReLU(inplace=True).
            x = Fn.relu_(Fn.conv2d(x, w, bias, padding=1))
            if name in wanted:
                feats[name] = x
        return feats


def gram(f):
    """(1, N, H, W) -> F F^T, N x N."""
    m = f.reshape(f.shape[1], -1)
    return m @ m.t()


class Objective:
    """stylize's StyleTransferObjective for one content and one style image."""

    def __init__(self, vgg, content, style, alpha=5.0, beta=1e-3, gamma=1.0,
                 content_layers=CONTENT_LAYERS, style_layers=STYLE_LAYERS, style_layer_weights=None):
        self.vgg = vgg
        self.alpha, self.beta, self.gamma = alpha, beta, gamma
        self.content_layers, self.style_layers = list(content_layers), list(style_layers)
        self.w = style_layer_weights or [1.0 / len(self.style_layers)] * len(self.style_layers)
        self.wanted = set(self.content_layers) | set(self.style_layers)
        with torch.no_grad():
            fc = vgg.features(content, self.wanted)
            self.P = {l: fc[l].clone() for l in self.content_layers}
            fs = vgg.features(style, set(self.style_layers))
            # A style image of another size: its Gram times M(generated) / M(style).
            self.A = {l: gram(fs[l]) * (fc[l].shape[2] * fc[l].shape[3] / (fs[l].shape[2] * fs[l].shape[3]))
                      for l in self.style_layers}

    def __call__(self, x):
        """(total, content, style, tv, [E_l]) as tensors; differentiable in x."""
        feats = self.vgg.features(x, self.wanted)
        content = 0.0
        for l in self.content_layers:
            f = feats[l]
            n, m = f.shape[1], f.shape[2] * f.shape[3]
            content = content + ((f - self.P[l]) ** 2).sum() / (4.0 * n * m)
        content = content / len(self.content_layers)
        style, per_layer = 0.0, []
        for wl, l in zip(self.w, self.style_layers):
            f = feats[l]
            n, m = f.shape[1], f.shape[2] * f.shape[3]
            e = ((gram(f) - self.A[l]) ** 2).sum() / (4.0 * n * n * m * m)
            per_layer.append(e)
            style = style + wl * e
        h, w = x.shape[2], x.shape[3]
        tv = (((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum()
              + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()) / (3.0 * h * w)
        total = self.alpha * content + self.beta * style + self.gamma * tv
        return total, content, style, tv, per_layer


def terms_dict(t):
    total, content, style, tv, per_layer = t
    d = lambda v: float(v.detach()) if torch.is_tensor(v) else float(v)
    return {"content": d(content), "style": d(style), "tv": d(tv), "total": d(total),
            "style_layers": [d(e) for e in per_layer]}


# ------------------------------------------------------------------------------ images
def to_tensor(rgb, mean_bgr):
    """float RGB (H, W, 3), 0..255 -> (1, 3, H, W) float32, BGR minus mean (Preprocessing)."""
    bgr = np.ascontiguousarray(rgb[..., ::-1].astype(np.float32).transpose(2, 0, 1))
    bgr -= np.asarray(mean_bgr, dtype=np.float32)[:, None, None]
    return torch.from_numpy(bgr)[None]


def to_rgb8(x, mean_bgr):
    """(1, 3, H, W) preprocessed -> uint8 RGB (H, W, 3): plus mean, clipped to 0..255,
    rounded half away from zero (as stylize's PNG writer)."""
    bgr = x.detach()[0].cpu().numpy().astype(np.float32) + np.asarray(mean_bgr, dtype=np.float32)[:, None, None]
    v = np.floor(np.clip(bgr, 0, 255) + 0.5)
    return np.ascontiguousarray(v[::-1].transpose(1, 2, 0)).astype(np.uint8)


def synthetic(size, f):
    """stylize-bench's synthetic(): f(x/size, y/size, c) for RGB channel c, clamped to 0..255."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    out = np.stack([f(xx / size, yy / size, c) for c in range(3)], axis=-1)
    return np.clip(out, 0, 255).astype(np.float32)


def bench_images(size):
    content = synthetic(size, lambda x, y, c: 128 + 100 * np.sin(2 * np.pi * (1.5 * x + 0.5 * y + c)))
    style = synthetic(size, lambda x, y, c: 128 + 110 * np.sin(2 * np.pi * (6 + c) * x) * np.cos(2 * np.pi * 4 * y))
    return content, style


def read_png(path):
    """float32 RGB (H, W, 3), alpha composited over white: c·a + 255·(1 − a)."""
    from PIL import Image
    try:
        im = Image.open(path)
        im.load()
    except (OSError, ValueError) as e:
        fail(f"cannot read '{path}': {e}")
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    a = np.asarray(im.convert("RGBA" if has_alpha else "RGB"), dtype=np.float32)
    if has_alpha:
        alpha = a[..., 3:4] / 255.0
        return a[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return a


def resize(rgb, w, h):
    """Pillow LANCZOS on each float channel ('F' mode), clamped to 0..255."""
    from PIL import Image
    if rgb.shape[1] == w and rgb.shape[0] == h:
        return rgb
    chans = [np.asarray(Image.fromarray(np.ascontiguousarray(rgb[..., c]), mode="F").resize((w, h), Image.LANCZOS))
             for c in range(3)]
    return np.clip(np.stack(chans, axis=-1), 0, 255).astype(np.float32)


def resize_longest(rgb, side):
    """stylize's resized(longestSide:): the other side rounded half away from zero."""
    h, w = rgb.shape[:2]
    longest = max(w, h)
    if longest == side:
        return rgb
    scale = side / longest
    nw = side if w >= h else max(1, int(math.floor(w * scale + 0.5)))
    nh = side if h > w else max(1, int(math.floor(h * scale + 0.5)))
    return resize(rgb, nw, nh)


def write_png(rgb8, path):
    from PIL import Image
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    Image.fromarray(rgb8, mode="RGB").save(tmp, format="PNG")
    os.replace(tmp, path)


# ------------------------------------------------------------------------------ commands
def env_info(threads):
    return {"torch": torch.__version__, "numpy": np.__version__, "threads": threads,
            "torch_threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
            "mkldnn": torch.backends.mkldnn.is_available(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"), "python": sys.version.split()[0]}


def check_size(w, h, vgg, layers):
    pools = sum(1 for _, pool_before, _, _ in vgg.stages(max(layers, key=vgg.names().index)) if pool_before)
    if min(w, h) < 2 ** pools:
        fail(f"image {w}x{h} is too small: every side must be at least {2 ** pools} px for these layers")


def flop_per_evaluation(vgg, size, style_layers):
    """stylize-bench's count: every conv forward and input gradient as a direct
    convolution (2 * 2*H*W*OC*IC*9) plus the Gram matrices and their backward (2 * 2*N^2*M)."""
    deepest = max(CONTENT_LAYERS + style_layers, key=vgg.names().index)
    flop, s, sizes = 0.0, size, {}
    for name, pool_before, w, _ in vgg.stages(deepest):
        if pool_before:
            s //= 2
        flop += 2 * 2 * float(s * s * w.shape[0] * w.shape[1] * 9)
        sizes[name] = (w.shape[0], s * s)
    for l in style_layers:
        n, m = sizes[l]
        flop += 2 * 2 * float(n * n * m)
    return flop


def cmd_time(args):
    torch.set_num_threads(args.threads)
    if args.size < 32:
        fail("--size must be at least 32 (as stylize-bench)")
    vgg = VGG(args.weights)
    rss_setup = rss_now_mb()
    content_rgb, style_rgb = bench_images(args.size)
    content, style = to_tensor(content_rgb, vgg.mean_bgr), to_tensor(style_rgb, vgg.mean_bgr)
    # stylize-bench: x = content with (i % 7) − 3 added to the i-th value of the (3, H, W) data.
    x = content.clone()
    x.view(-1).add_(torch.arange(x.numel(), dtype=torch.int64).remainder(7).to(torch.float32) - 3)
    if args.channels_last:
        vgg.to_channels_last()
        content, style, x = (t.contiguous(memory_format=torch.channels_last) for t in (content, style, x))
    cuda = args.device == "cuda"
    if cuda:  # the GPU (issue 17): weights and images on it; TF32 convolutions as PyTorch's default, or not
        torch.backends.cudnn.allow_tf32 = not args.no_tf32
        vgg.layers = [(b, k, w.cuda(), bias.cuda()) for b, k, w, bias in vgg.layers]
        content, style, x = content.cuda(), style.cuda(), x.cuda()
    objective = Objective(vgg, content, style)
    x.requires_grad_(True)

    def evaluate():
        x.grad = None
        t = objective(x)
        t[0].backward()
        if cuda:
            torch.cuda.synchronize()
        return float(t[0].detach())

    for _ in range(args.warmup):
        evaluate()
    times, other, steal = [], [], []
    for _ in range(args.runs):
        with LoadMeter() as m:
            loss = evaluate()
        times.append(m.elapsed)
        other.append(m.other_pct)
        steal.append(m.steal_pct)
    ts = sorted(times)
    median = ts[len(ts) // 2]
    flop = flop_per_evaluation(vgg, args.size, STYLE_LAYERS)
    rss = peak_rss_mb()
    where = (f"cuda{' no-tf32' if args.no_tf32 else ''}") if cuda else f"threads {args.threads}"
    print(f"torch  size {args.size:4d}  {where}  median {median:.4f} s/evaluation "
          f"(min {ts[0]:.3f}, max {ts[-1]:.3f}, {args.runs} runs)  {flop / 1e9:.1f} GFLOP/evaluation  "
          f"{flop / median / 1e9:.1f} effective GFLOP/s  peak RSS {rss:.0f} MB "
          f"(torch and weights alone: {rss_setup:.0f} MB)", flush=True)
    warn_if_busy(statistics.median(other), statistics.median(steal), sum(times))
    print(json.dumps({
        "tool": "torch", "cmd": "time", "size": args.size, "runs": args.runs, "warmup": args.warmup,
        "channels_last": args.channels_last, "median_s": median, "min_s": ts[0], "max_s": ts[-1],
        "times_s": times, "gflop_per_evaluation": flop / 1e9, "effective_gflops": flop / median / 1e9,
        "peak_rss_mb": rss, "rss_after_import_torch_mb": _RSS_AFTER_TORCH_MB,
        "rss_after_weights_mb": rss_setup, "other_cpu_pct": other, "steal_pct": steal, "loss": loss,
        "grad_finite": bool(torch.isfinite(x.grad).all()), **env_info(args.threads)}), flush=True)


def cmd_run(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.iterations < 0 or args.history_size < 1 or args.size < 1:
        fail("--iterations must be >= 0, --history-size >= 1, --size >= 1")
    vgg = VGG(args.weights)  # weight loading is not timed
    rss_weights = rss_now_mb()
    wanted = CONTENT_LAYERS + STYLE_LAYERS

    t_start = time.perf_counter()
    content_rgb = resize_longest(read_png(args.content), args.size)
    h, w = content_rgb.shape[:2]
    check_size(w, h, vgg, wanted)
    style_rgb = resize_longest(read_png(args.style), max(w, h))
    content = to_tensor(content_rgb, vgg.mean_bgr)
    style = to_tensor(style_rgb, vgg.mean_bgr)
    x = torch.randn(1, 3, h, w, dtype=torch.float32) * args.noise_sigma  # on the CPU: the same noise either way
    cuda = args.device == "cuda"
    if cuda:  # issue 17: the whole run on the GPU, TF32 convolutions as PyTorch's default, or not
        torch.backends.cudnn.allow_tf32 = not args.no_tf32
        vgg.layers = [(b, k, wt.cuda(), bias.cuda()) for b, k, wt, bias in vgg.layers]
        content, style, x = content.cuda(), style.cuda(), x.cuda()
    objective = Objective(vgg, content, style, args.content_weight, args.style_weight, args.tv_weight)
    x.requires_grad_(True)
    if cuda:
        torch.cuda.synchronize()
    t_setup = time.perf_counter() - t_start

    optimizer = torch.optim.LBFGS([x], lr=1, max_iter=args.iterations, history_size=args.history_size,
                                  tolerance_grad=-1, tolerance_change=-1, line_search_fn=None)
    log = open(args.log, "w") if args.log else None
    evaluations = [0]
    last = [None]
    t_opt_start = time.perf_counter()

    def log_line(iteration, terms, seconds=None):
        if log:
            seconds = time.perf_counter() - t_opt_start if seconds is None else seconds
            log.write(json.dumps({"iteration": iteration, "evaluations": evaluations[0], **terms,
                                  "seconds": round(seconds, 3)}) + "\n")
            log.flush()

    def closure():
        optimizer.zero_grad()
        t = objective(x)
        t[0].backward()
        evaluations[0] += 1
        last[0] = terms_dict(t)
        # Without a line search, evaluation k (from 1) is at the image after iteration k − 1.
        log_line(evaluations[0] - 1, last[0])
        return t[0]

    with LoadMeter() as meter:
        if args.iterations > 0:
            optimizer.step(closure)
        if cuda:
            torch.cuda.synchronize()
    t_opt = time.perf_counter() - t_opt_start
    wall = t_setup + t_opt
    iterations = optimizer.state[x].get("n_iter", 0) if args.iterations > 0 else 0
    rss = peak_rss_mb()
    warn_if_busy(meter.other_pct, meter.steal_pct, meter.elapsed)

    # Not timed: the float image after the last step (L-BFGS takes it without evaluating it),
    # then the saved 8-bit image read back.
    with torch.no_grad():
        final = terms_dict(objective(x))
        if iterations == evaluations[0]:  # always, without a line search (iteration 0 for --iterations 0)
            log_line(iterations, final, seconds=t_opt)  # evaluated after the clock stopped
        rgb8 = to_rgb8(x, vgg.mean_bgr)
        write_png(rgb8, args.output)
        saved_x = to_tensor(rgb8.astype(np.float32), vgg.mean_bgr)
        saved = terms_dict(objective(saved_x.cuda() if cuda else saved_x))
    if log:
        log.close()
    optimizer_loss = last[0]["total"] if last[0] else None
    where = (f"cuda{' no-tf32' if args.no_tf32 else ''}") if cuda else f"threads {args.threads}"
    print(f"torch  {w}x{h}  {where}  {iterations} iterations  {evaluations[0]} evaluations  "
          f"wall {wall:.2f} s (setup+targets {t_setup:.2f} s, optimizer {t_opt:.2f} s, "
          f"{t_opt / max(1, evaluations[0]):.3f} s/evaluation)  peak RSS {rss:.0f} MB", flush=True)
    print(f"torch  loss: optimizer's last {optimizer_loss if optimizer_loss is None else f'{optimizer_loss:.6g}'}  "
          f"final float image {final['total']:.6g}  saved 8-bit PNG {saved['total']:.6g} "
          f"(content {saved['content']:.6g}, style {saved['style']:.6g}, tv {saved['tv']:.6g})  -> {args.output}",
          flush=True)
    print(json.dumps({
        "tool": "torch", "cmd": "run", "content_path": args.content, "style_path": args.style,
        "output": args.output, "width": w, "height": h, "style_size": list(style_rgb.shape[1::-1]),
        "resize": "Pillow LANCZOS per float32 channel", "iterations": iterations,
        "max_iter": args.iterations, "evaluations": evaluations[0], "history_size": args.history_size,
        "line_search": None, "lr": 1, "seed": args.seed, "device": args.device, "tf32": cuda and not args.no_tf32, "noise_sigma": args.noise_sigma,
        "weights": {"content": args.content_weight, "style": args.style_weight, "tv": args.tv_weight},
        "wall_s": wall, "setup_s": t_setup, "optimize_s": t_opt,
        "s_per_evaluation": t_opt / max(1, evaluations[0]), "optimizer_final_loss": optimizer_loss,
        "optimizer_final_terms": last[0], "final_float_terms": final, "saved_png_terms": saved,
        "peak_rss_mb": rss, "rss_after_import_torch_mb": _RSS_AFTER_TORCH_MB,
        "rss_after_weights_mb": rss_weights, "other_cpu_pct": meter.other_pct, "steal_pct": meter.steal_pct,
        **env_info(args.threads)}),
        flush=True)


def cmd_check(args):
    """The golden 64x64 case of the test suite: losses and gradients, max and avg pooling."""
    torch.set_num_threads(args.threads)
    ref_dir = os.path.join(REPO, "Tests", "StylizeKitTests", "Resources", "reference")
    with open(os.path.join(ref_dir, "reference.json")) as f:
        reference = json.load(f)
    worst = 0.0
    for case in reference["cases"]:
        vgg = VGG(args.weights, pooling=case["pooling"])
        img = {n: to_tensor(read_png(os.path.join(ref_dir, n + ".png")), vgg.mean_bgr)
               for n in ("content", "style", "generated")}

        def objective(a, b, g):
            return Objective(vgg, img["content"], img["style"], a, b, g, [case["content_layer"]], case["style_layers"])

        x = img["generated"].clone().requires_grad_(True)
        got = terms_dict(objective(case["alpha"], case["beta"], case["gamma"])(x))
        errors = {k: abs(got[k] - case[k + "_loss"]) / abs(case[k + "_loss"]) for k in ("content", "style", "tv", "total")}
        for l, e in zip(case["style_layers"], got["style_layers"]):
            errors[l] = abs(e - case["style_loss_per_layer"][l]) / abs(case["style_loss_per_layer"][l])
        for name, lw in (("content", (1, 0, 0)), ("style", (0, 1, 0)), ("tv", (0, 0, 1)), ("total", (1, 1, 1))):
            x.grad = None
            objective(*lw)(x)[0].backward()
            g = x.grad[0].double()
            expected = case["gradients"][name]
            errors[f"grad_{name}_norm"] = abs(float(g.norm()) - expected["l2_norm"]) / expected["l2_norm"]
            rms = expected["l2_norm"] / math.sqrt(g.numel())
            errors[f"grad_{name}_values"] = max(abs(float(g[p["c"], p["y"], p["x"]]) - p["value"]) / (abs(p["value"]) + rms)
                                                for p in expected["at"])
        bad = {k: v for k, v in errors.items() if not v <= args.tolerance}
        worst = max(worst, max(errors.values()))
        print(f"check {case['pooling']}: largest relative error {max(errors.values()):.1e} "
              f"({max(errors, key=errors.get)})  {'ok' if not bad else 'FAILED: ' + ', '.join(bad)}")
        if bad:
            sys.exit(1)
    print(json.dumps({"tool": "torch", "cmd": "check", "max_relative_error": worst, "tolerance": args.tolerance,
                      **env_info(args.threads)}))


def main():
    ap = argparse.ArgumentParser(description="PyTorch version of stylize's objective, for side-by-side benchmarks.")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
        p.add_argument("--weights", default=DEFAULT_WEIGHTS, help="VGG .safetensors (default weights/vgg16.safetensors)")

    p = sub.add_parser("time", help="median seconds of one evaluation (forward + gradient) and peak RSS")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1, help="untimed evaluations first (default 1, as stylize-bench)")
    p.add_argument("--channels-last", action="store_true", help="NHWC tensors (not what neural-style-pt does)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to evaluate (default cpu)")
    p.add_argument("--no-tf32", action="store_true", help="with cuda: strict float32 convolutions (stylize's)")
    common(p)
    p.set_defaults(func=cmd_time)

    p = sub.add_parser("run", help="a Gatys run with torch.optim.LBFGS, as neural-style-pt")
    p.add_argument("content")
    p.add_argument("style")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--history-size", type=int, default=100, help="L-BFGS history (neural-style-pt: 100; stylize: 20)")
    p.add_argument("--content-weight", type=float, default=5.0)
    p.add_argument("--style-weight", type=float, default=1e-3)
    p.add_argument("--tv-weight", type=float, default=1.0)
    p.add_argument("--noise-sigma", type=float, default=16.0)
    p.add_argument("--seed", type=int, default=0, help="torch.manual_seed (not stylize's generator)")
    p.add_argument("--log", help="JSON lines: iteration, evaluations, content, style, tv, total, style_layers, seconds")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to run (default cpu)")
    p.add_argument("--no-tf32", action="store_true", help="with cuda: strict float32 convolutions (stylize's)")
    common(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check", help="losses and gradients against the test suite's golden 64x64 case")
    p.add_argument("--tolerance", type=float, default=1e-3)
    common(p)
    p.set_defaults(func=cmd_check)

    args = ap.parse_args()
    if args.threads < 1:
        fail("--threads must be at least 1")
    if getattr(args, "runs", 1) < 1:
        fail("--runs must be at least 1")
    args.func(args)


if __name__ == "__main__":
    main()
