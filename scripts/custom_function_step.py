"""Eager training step with and without a custom autograd.Function in the model.

A custom Function's backward runs the user's Python on its call's ctx (as torch's), so
backward cuts the graph there and runs compiled pieces between the cuts
(functorch_like/autograd/_engine_cut.py). This times an Adam step of a 64-256-256-10 MLP
at batch 128 with a gradient-reversal Function between its two halves against the same
step without it, alternating the two, and prints the median ms per step of each.

    PYTHONPATH=. python scripts/custom_function_step.py --rounds 4 --steps 30
"""

from __future__ import annotations

import argparse
import statistics
import time

import functorch_like as torch


class GradReverse(torch.autograd.Function):
    """Identity forward, a scaled and negated gradient backward (domain adaptation)."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -0.5 * g


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    torch.manual_seed(0)
    head = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU())
    tail = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))
    opt = torch.optim.Adam([*head.parameters(), *tail.parameters()])
    x, y = torch.randn(128, 64), torch.randint(0, 10, (128,))
    criterion = torch.nn.CrossEntropyLoss()

    def step(custom: bool):
        opt.zero_grad()
        h = head(x)
        if custom:
            h = GradReverse.apply(h)
        loss = criterion(tail(h), y)
        loss.backward()
        opt.step()
        return loss

    times = {False: [], True: []}
    for _ in range(args.rounds):
        for custom in (False, True):
            for _ in range(5):                      # warm-up (and compilation)
                step(custom).item()
            start = time.perf_counter()
            for _ in range(args.steps):
                step(custom).item()
            times[custom].append((time.perf_counter() - start) / args.steps * 1e3)
    for custom in (False, True):
        label = "with GradReverse" if custom else "plain"
        print(f"{label:18s} {statistics.median(times[custom]):.2f} ms/step "
              f"(rounds: {', '.join(f'{t:.2f}' for t in times[custom])})")


if __name__ == "__main__":
    main()
