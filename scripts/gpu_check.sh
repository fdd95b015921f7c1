#!/usr/bin/env bash
# The device-tool run that issue 6 still needs: the benchmark on the GPU and on the same
# host's CPU, the step's device and Python parts timed in turn (step_parts.py), one-change
# variants of the hand-written step (step_variants.py), the
# per-call Python pieces (and the optimized XLA programs, in $OUT/hlo.tgz), XLA's memory by
# tensor order, and the main job. About 4 minutes on an H200 machine, plus its start.
# Run from the repository root on a machine whose jax sees a GPU (the device image has
# jax[cuda], optax, flax, torch):
#     bash scripts/gpu_check.sh
# Tables go to stdout and, as JSON, to $OUT (the device tool's output folder) if set; the
# optimized programs come back as one archive, hlo.tgz (the tool returns at most 8 files).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=. PYTHONUNBUFFERED=1
out="${OUT:-.}"
hlo=$(mktemp -d)
# The device image's python3 is the one that holds jax[cuda], flax and torch.
py=$(command -v python3 || command -v python)
"$py" -c "import jax; print(jax.devices())"
"$py" scripts/bench.py --quick --json "$out/bench_gpu.json"
# (--hlo: the GPU's optimized programs, to compare their kernels)
"$py" scripts/step_parts.py --steps 1000 --hlo "$hlo"
tar czf "$out/hlo.tgz" -C "$hlo" .
# (hand-written steps that differ from the raw one in one way each: relu, loss, inputs)
"$py" scripts/step_variants.py --steps 300
"$py" scripts/compile_overhead.py --calls 5000
"$py" scripts/xla_memory.py --sweep
JAX_PLATFORMS=cpu CUDA_VISIBLE_DEVICES= "$py" scripts/bench.py --quick \
    --json "$out/bench_host_cpu.json"
"$py" examples/train_digits.py --no-progress --out "$(mktemp -d)"
