"""Training-step benchmark: raw JAX + optax vs functorch_like (the compiled step, the
eager loop, and the eager loop over `torch.compile(model)` ("module")), and Flax NNX and
PyTorch eager when installed.

    python scripts/bench.py [--quick] [--json out.json]

Workloads: an MLP 64-256-256-10 with Adam at batch 8, 128 and 1024, and a small CNN
(Conv2d-BatchNorm2d-ReLU-MaxPool twice, Dropout, Linear) on 1x28x28 inputs at batch 64.
Each figure is the median wall time of one step (after warm-up, synchronized), measured in
interleaved rounds (every variant once per round) and reported as the median over rounds;
compiled/raw is the median of the per-round ratios. Memory is
XLA's own analysis of the compiled step (arguments + outputs + temporaries - donated
aliases), available for the two XLA programs (raw JAX and functorch_like.compile); the raw
step holds its pytrees as dicts, as a JAX user writes them (scripts/xla_memory.py shows how
much the order of a program's tensors moves XLA's CPU memory).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

import functorch_like as ft  # noqa: E402
from functorch_like import nn  # noqa: E402


def _median_step(step, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(runs: dict, n: int, rounds: int, warmup: int) -> dict:
    """Median step time per variant, interleaved: each round times every variant for n
    steps, so that drift of a shared machine (clock, other load) hits all variants alike.
    Returns per variant the median over rounds, and per round medians for ratios."""
    for run in runs.values():
        for _ in range(warmup):
            run()
    per_round = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            per_round[name].append(_median_step(run, n))
    return per_round


# ---- models -------------------------------------------------------------------------

def make_mlp():
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def make_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(32 * 7 * 7, 10))


def raw_mlp_loss(p, x, y):
    h = jax.nn.relu(x @ p["0.weight"].T + p["0.bias"])
    h = jax.nn.relu(h @ p["2.weight"].T + p["2.bias"])
    logits = h @ p["4.weight"].T + p["4.bias"]
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def _raw_conv(x, w, b):
    y = jax.lax.conv_general_dilated(x, w, (1, 1), [(1, 1), (1, 1)],
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def _raw_bn(x, p, s, prefix):
    mean = x.mean((0, 2, 3))
    var = x.var((0, 2, 3))
    n = x.size // x.shape[1]
    y = (x - mean[None, :, None, None]) / jnp.sqrt(var[None, :, None, None] + 1e-5)
    y = y * p[prefix + "weight"][None, :, None, None] + p[prefix + "bias"][None, :, None, None]
    new = {prefix + "running_mean": 0.9 * s[prefix + "running_mean"] + 0.1 * mean,
           prefix + "running_var": 0.9 * s[prefix + "running_var"] + 0.1 * var * n / (n - 1),
           prefix + "num_batches_tracked": s[prefix + "num_batches_tracked"] + 1}
    return y, new


def _raw_pool(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def raw_cnn_loss(p, s, key, x, y):
    h = _raw_conv(x, p["0.weight"], p["0.bias"])
    h, s1 = _raw_bn(h, p, s, "1.")
    h = _raw_pool(jax.nn.relu(h))
    h = _raw_conv(h, p["4.weight"], p["4.bias"])
    h, s2 = _raw_bn(h, p, s, "5.")
    h = _raw_pool(jax.nn.relu(h)).reshape(x.shape[0], -1)
    keep = jax.random.bernoulli(key, 0.75, h.shape)
    h = jnp.where(keep, h / 0.75, 0)
    logits = h @ p["10.weight"].T + p["10.bias"]
    loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
    return loss, {**s1, **s2}


def _xla_bytes(compiled) -> int | None:
    try:
        m = compiled.memory_analysis()
        return int(m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes
                   - m.alias_size_in_bytes)
    except Exception:
        return None


# ---- variants -----------------------------------------------------------------------

def raw_mlp_step(opt, loss_fn=raw_mlp_loss):
    """The hand-written JAX + optax training step of the MLP (not jitted)."""
    def step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss
    return step


def bench_raw(kind, batch, opt=None):
    """The hand-written jax.jit step (run, memory bytes), its pytrees as dicts (as a JAX
    user writes them). opt: the optax optimizer, Adam(1e-3) by default."""
    ft.manual_seed(0)
    model = make_mlp() if kind == "mlp" else make_cnn()
    params = {k: v._value for k, v in model.named_parameters()}
    stats = {k: v._value for k, v in model.named_buffers()}
    opt = optax.adam(1e-3) if opt is None else opt
    opt_state = opt.init(params)
    x, y = _data(kind, batch)
    key = jax.random.key(0)
    if kind == "mlp":
        jitted = jax.jit(raw_mlp_step(opt), donate_argnums=(0, 1))
        state = [params, opt_state]

        def run():
            state[0], state[1], loss = jitted(state[0], state[1], x, y)
            loss.block_until_ready()
        compiled = jitted.lower(params, opt_state, x, y).compile()
    else:
        def step(params, stats, opt_state, key, x, y):
            key, sub = jax.random.split(key)
            (loss, stats), grads = jax.value_and_grad(raw_cnn_loss, has_aux=True)(
                params, stats, sub, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), stats, opt_state, key, loss
        jitted = jax.jit(step, donate_argnums=(0, 1, 2, 3))
        state = [params, stats, opt_state, key]

        def run():
            *state[:], loss = jitted(*state, x, y)
            loss.block_until_ready()
        compiled = jitted.lower(params, stats, opt_state, key, x, y).compile()
    run.compiled = compiled                 # (its XLA program, for scripts/step_parts.py)
    return run, _xla_bytes(compiled)


def _data(kind, batch):
    rng = np.random.default_rng(0)
    if kind == "mlp":
        x = rng.standard_normal((batch, 64), dtype=np.float32)
    else:
        x = rng.standard_normal((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch).astype(np.int32)
    return jnp.asarray(x), jnp.asarray(y)


def _facade(kind, batch):
    ft.manual_seed(0)
    model = make_mlp() if kind == "mlp" else make_cnn()
    opt = ft.optim.Adam(model.parameters(), lr=1e-3)
    crit = nn.CrossEntropyLoss()
    x, y = _data(kind, batch)
    return model, opt, crit, ft.from_numpy(np.asarray(x)), ft.from_numpy(np.asarray(y))


def pytorch_step(model, opt, crit):
    """The PyTorch-style training step of these objects under functorch_like.compile."""
    @ft.compile
    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def compiled_step(kind, batch):
    """(step, x, y): the PyTorch-style step under functorch_like.compile, and its data."""
    model, opt, crit, x, y = _facade(kind, batch)
    return pytorch_step(model, opt, crit), x, y


def bench_compiled(kind, batch):
    step, x, y = compiled_step(kind, batch)

    def run():
        step(x, y)._value.block_until_ready()
    run()
    return run, _xla_bytes(step.lower(x, y).compile())


def bench_eager(kind, batch, compile_model: bool = False):
    model, opt, crit, x, y = _facade(kind, batch)
    if compile_model:
        model = ft.compile(model)

    def run():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        next(model.parameters())._value.block_until_ready()
    run.model = model                       # (for tests)
    return run, None


def bench_nnx(kind, batch):
    from flax import nnx

    class MLP(nnx.Module):
        def __init__(self, rngs):
            self.l1, self.l2 = nnx.Linear(64, 256, rngs=rngs), nnx.Linear(256, 256, rngs=rngs)
            self.l3 = nnx.Linear(256, 10, rngs=rngs)

        def __call__(self, x):
            return self.l3(jax.nn.relu(self.l2(jax.nn.relu(self.l1(x)))))

    class CNN(nnx.Module):
        def __init__(self, rngs):
            self.c1 = nnx.Conv(1, 16, (3, 3), padding=1, rngs=rngs)
            self.b1 = nnx.BatchNorm(16, momentum=0.9, rngs=rngs)
            self.c2 = nnx.Conv(16, 32, (3, 3), padding=1, rngs=rngs)
            self.b2 = nnx.BatchNorm(32, momentum=0.9, rngs=rngs)
            self.drop = nnx.Dropout(0.25, rngs=rngs)
            self.fc = nnx.Linear(32 * 7 * 7, 10, rngs=rngs)

        def __call__(self, x):
            x = jnp.transpose(x, (0, 2, 3, 1))                  # NNX convs are NHWC
            x = nnx.max_pool(jax.nn.relu(self.b1(self.c1(x))), (2, 2), (2, 2))
            x = nnx.max_pool(jax.nn.relu(self.b2(self.c2(x))), (2, 2), (2, 2))
            return self.fc(self.drop(x.reshape(x.shape[0], -1)))

    model = (MLP if kind == "mlp" else CNN)(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
    x, y = _data(kind, batch)

    @nnx.jit
    def step(model, optimizer, x, y):
        def loss_fn(model):
            return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()
        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads)
        return loss

    def run():
        step(model, optimizer, x, y).block_until_ready()
    return run, None


def bench_torch(kind, batch):
    import torch
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(0)
    tnn = torch.nn
    if kind == "mlp":
        model = tnn.Sequential(tnn.Linear(64, 256), tnn.ReLU(), tnn.Linear(256, 256),
                               tnn.ReLU(), tnn.Linear(256, 10))
    else:
        model = tnn.Sequential(
            tnn.Conv2d(1, 16, 3, padding=1), tnn.BatchNorm2d(16), tnn.ReLU(), tnn.MaxPool2d(2),
            tnn.Conv2d(16, 32, 3, padding=1), tnn.BatchNorm2d(32), tnn.ReLU(),
            tnn.MaxPool2d(2), tnn.Flatten(), tnn.Dropout(0.25), tnn.Linear(32 * 7 * 7, 10))
    model = model.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    crit = tnn.CrossEntropyLoss()
    x, y = _data(kind, batch)
    x = torch.from_numpy(np.array(x)).to(dev)
    y = torch.from_numpy(np.array(y)).long().to(dev)

    def run():
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        if dev == "cuda":
            torch.cuda.synchronize()
    return run, None


def bench_compiled_module(kind, batch):
    """The eager loop over `model = torch.compile(model)` (compiled forward, eager
    backward through it)."""
    return bench_eager(kind, batch, compile_model=True)


VARIANTS = {"raw_jax": bench_raw, "compiled": bench_compiled, "eager": bench_eager,
            "module": bench_compiled_module, "nnx": bench_nnx, "torch": bench_torch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (< 5 minutes)")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--workloads", default="mlp:8,mlp:128,mlp:1024,cnn:64",
                        help="kind:batch pairs, kind mlp or cnn")
    parser.add_argument("--rounds", type=int, help="override the mode's number of rounds")
    args = parser.parse_args()
    n, rounds, warmup = (20, 5, 5) if args.quick else (100, 10, 20)
    rounds = args.rounds or rounds
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(VARIANTS)}")
    try:
        workloads = [(kind, int(batch)) for kind, batch in
                     (w.split(":") for w in args.workloads.split(","))]
    except ValueError:
        parser.error(f"--workloads: expected kind:batch pairs, got {args.workloads!r}")
    if any(kind not in ("mlp", "cnn") for kind, _ in workloads):
        parser.error("--workloads: kind must be mlp or cnn")
    device = jax.devices()[0]
    print(f"device: {device.platform} ({device.device_kind}); jax {jax.__version__}; "
          f"python {platform.python_version()}; {rounds} rounds x {n} steps")
    results = []
    for kind, batch in workloads:
        row, runs = {"workload": f"{kind} b{batch}"}, {}
        for name in variants:
            try:
                runs[name], row[f"{name}_mem_bytes"] = VARIANTS[name](kind, batch)
            except ImportError as err:
                row[f"{name}_error"] = f"not installed: {err.name}"
        per_round = measure(runs, n, rounds, warmup)
        for name in variants:
            times = per_round.get(name)
            row[f"{name}_ms"] = None if times is None else statistics.median(times) * 1e3
        if "raw_jax" in per_round and "compiled" in per_round:
            # The ratio of each round's medians, then their median: robust to drift.
            row["compiled_over_raw"] = statistics.median(
                c / r for c, r in zip(per_round["compiled"], per_round["raw_jax"]))
        mr, mc = row.get("raw_jax_mem_bytes"), row.get("compiled_mem_bytes")
        row["mem_compiled_over_raw"] = mc / mr if mr and mc else None
        results.append(row)
    header = f"{'workload':<12}" + "".join(f"{v + ' ms':>16}" for v in variants)
    print(header + f"{'compiled/raw':>14}{'mem compiled/raw':>18}")
    for row in results:
        line = f"{row['workload']:<12}"
        for v in variants:
            ms = row.get(f"{v}_ms")
            line += f"{'n/a' if ms is None else f'{ms:.3f}':>16}"
        ratio, mratio = row.get("compiled_over_raw"), row["mem_compiled_over_raw"]
        line += f"{'n/a' if ratio is None else f'{ratio:.3f}':>14}"
        line += f"{'n/a' if mratio is None else f'{mratio:.3f}':>18}"
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps({"device": str(device), "results": results},
                                              indent=2))


if __name__ == "__main__":
    main()
