"""An ensemble of models run at once: stack_module_state + vmap(functional_call) equals
running the models one by one (torch.func's model-ensembling recipe).

    python examples/ensemble.py
"""

import copy

import jax
import numpy as np

import functorch_like as torch
import functorch_like.nn as nn
from functorch_like.func import functional_call, stack_module_state, vmap


def main(argv=None) -> float:
    torch.manual_seed(0)
    models = [nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)) for _ in range(5)]
    x = torch.randn(32, 8)
    params, buffers = stack_module_state(models)
    base = copy.deepcopy(models[0])

    def run(params, buffers, x):
        return functional_call(base, (params, buffers), (x,))

    stacked = vmap(run, in_dims=(0, 0, None))(params, buffers, x)
    with torch.no_grad():
        looped = torch.stack([m(x) for m in models])
    err = float(np.abs(stacked.detach().numpy() - looped.numpy()).max())
    print(f"ensemble output {tuple(stacked.shape)}; max |vmap - loop| = {err:.2e}")
    # Float32 on CPU agrees to ~1e-7; GPUs multiply float32 matrices in TF32 by default
    # (JAX's default precision), where batched and single products round differently.
    assert err < (1e-5 if jax.default_backend() == "cpu" else 1e-3)
    return err


if __name__ == "__main__":
    main()
