"""The same kind of model as a pure function over a parameter pytree, trained with
jax.grad, jax.jit and a pure PyTorch-rule optimizer; then loaded into a facade Module,
which gives identical outputs (the pytree keys are the Module's state_dict keys).

    python examples/functional_jax.py [--steps 300]
"""

import argparse

import jax
import jax.numpy as jnp
import numpy as np
import optax
from sklearn.datasets import load_digits

import functorch_like as torch
import functorch_like.nn as tnn
from functorch_like.pure import losses, nn, optim


def init(key):
    k1, k2 = jax.random.split(key)
    return {**{f"0.{k}": v for k, v in nn.conv_init(1, 8, 3, key=k1).items()},
            **{f"4.{k}": v for k, v in nn.linear_init(8 * 4 * 4, 10, key=k2).items()}}


def apply(params, x):
    """x: (N, 1, 8, 8) -> logits (N, 10)."""
    h = nn.conv2d(x, params["0.weight"], params["0.bias"], padding=1)
    h = nn.max_pool2d(nn.relu(h), 2)
    return nn.linear(nn.flatten(h, 1), params["4.weight"], params["4.bias"])


def facade_model():
    return tnn.Sequential(tnn.Conv2d(1, 8, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                          tnn.Flatten(), tnn.Linear(8 * 4 * 4, 10))


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)

    digits = load_digits()
    x = jnp.asarray(digits.images[:, None] / 16.0, jnp.float32)
    y = jnp.asarray(digits.target)
    params = init(jax.random.key(0))
    opt = optim.adam(lr=3e-3)
    state = opt.init(params)

    @jax.jit
    def step(params, state, x, y):
        loss, grads = jax.value_and_grad(lambda p: losses.cross_entropy(apply(p, x), y))(params)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    for i in range(args.steps):
        params, state, loss = step(params, state, x, y)
        if i % 100 == 0:
            print(f"step {i:3d}  loss {float(loss):.4f}")
    acc = float(jnp.mean(jnp.argmax(apply(params, x), 1) == y))
    print(f"training accuracy {acc:.4f}")

    model = facade_model()
    model.load_state_dict({k: np.asarray(v) for k, v in params.items()})
    with torch.no_grad():
        out = model(torch.from_numpy(np.asarray(x[:16]))).numpy()
    np.testing.assert_allclose(out, np.asarray(apply(params, x[:16])), rtol=1e-5, atol=1e-5)
    print("facade Module loaded from the pytree: identical outputs")
    return acc


if __name__ == "__main__":
    main()
