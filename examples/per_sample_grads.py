"""Per-sample gradients with functorch_like.func: vmap(grad(loss)) over a batch equals a
Python loop over single examples (torch.func's recipe, unchanged).

    python examples/per_sample_grads.py
"""

import jax
import numpy as np

import functorch_like as torch
import functorch_like.nn as nn
import functorch_like.nn.functional as F
from functorch_like.func import functional_call, grad, vmap


def main(argv=None) -> float:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 3))
    x, y = torch.randn(8, 10), torch.randint(0, 3, (8,))
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss_one(params, xi, yi):
        logits = functional_call(model, params, (xi.unsqueeze(0),))
        return F.cross_entropy(logits, yi.unsqueeze(0))

    per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0))(params, x, y)
    worst = 0.0
    for i in range(len(x)):
        single = grad(loss_one)(params, x[i], y[i])
        for k in params:
            worst = max(worst, float(np.abs(per_sample[k][i].numpy() - single[k].numpy()).max()))
    print({k: tuple(v.shape) for k, v in per_sample.items()})
    print(f"max |vmap - loop| = {worst:.2e}")
    # Float32 on CPU agrees to ~1e-7; GPUs multiply float32 matrices in TF32 by default
    # (JAX's default precision), where batched and single products round differently.
    assert worst < (1e-5 if jax.default_backend() == "cpu" else 1e-3)
    return worst


if __name__ == "__main__":
    main()
