"""A linear model as a pure function over a parameter pytree, trained with jax.grad,
jax.jit and the pure core's PyTorch-rule SGD (momentum 0.9).

    python examples/pure_linear_regression.py [--steps 200]
"""

import argparse

import jax
import jax.numpy as jnp
import optax

from functorch_like.pure import losses, nn, optim


def main(steps: int = 200) -> float:
    key_w, key_x, key_noise, key_init = jax.random.split(jax.random.key(0), 4)
    true_w = jax.random.normal(key_w, (1, 3))
    x = jax.random.normal(key_x, (256, 3))
    y = x @ true_w.T + 0.5 + 0.01 * jax.random.normal(key_noise, (256, 1))

    params = nn.linear_init(3, 1, key=key_init)     # {"weight": (1, 3), "bias": (1,)}
    opt = optim.sgd(lr=0.05, momentum=0.9)
    state = opt.init(params)

    def loss_fn(params, x, y):
        return losses.mse_loss(nn.linear(x, **params), y)

    @jax.jit
    def train_step(params, state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    for step in range(steps):
        params, state, loss = train_step(params, state, x, y)
        if step % 50 == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {float(loss):.6f}")
    err = float(jnp.max(jnp.abs(params["weight"] - true_w)))
    print(f"max |w - w_true| = {err:.4f}, bias = {float(params['bias'][0]):.4f} (true 0.5)")
    return float(loss)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    main(parser.parse_args().steps)
