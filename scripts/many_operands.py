"""The time of torch.cat / torch.stack over many tensors (an epoch's batch outputs, a
DataLoader batch of samples): the first call (compiles) and later calls.

    python scripts/many_operands.py [--sizes 64,128,256,1024,4096] [--repeat 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import functorch_like as fl  # noqa: E402


def timed(op, xs, repeat: int) -> tuple[float, float]:
    """(seconds of the first call, milliseconds per later call)."""
    start = time.perf_counter()
    op(xs, 0)._value.block_until_ready()
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(repeat):
        out = op(xs, 0)
    out._value.block_until_ready()
    return first, (time.perf_counter() - start) / repeat * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="64,128,256,1024,4096")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print("op     n     first call s   later calls ms")
    for n in map(int, args.sizes.split(",")):
        for name, op, shape in (("cat", fl.cat, (1, 4)), ("stack", fl.stack, (1, 28, 28))):
            xs = [fl.ones(shape) * i for i in range(n)]
            first, later = timed(op, xs, args.repeat)
            print(f"{name:6s} {n:5d} {first:12.3f} {later:16.2f}")


if __name__ == "__main__":
    main()
