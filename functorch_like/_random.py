"""Randomness: JAX keys behind a PyTorch-style global generator.

`manual_seed(s)` makes every later draw reproducible bit for bit; each draw splits the
generator's key, so the sequence depends only on the seed and the order of draws. The key
lives in `Generator._key`, a plain array that a compiled step can thread as state (as its raw
uint32 data, `_key_data`, so that a call makes no Python key object).
"""

from __future__ import annotations

import contextlib
import math
import os
import threading

import jax
import jax.numpy as jnp

from . import _device, _dtypes, _trace_state
from ._tensor import Tensor, apply
from ._func_frames import check_write, inplace_name
from ._writes import WRITES

_DEFAULT_SEED = 67280421310721   # PyTorch's default CPU seed


def _key_from_seed(seed: int):
    """The key of a 64-bit seed (negative seeds wrap, as torch's). jax.random.key keeps
    only the low 32 bits without x64 (2**32 would seed as 0), so the threefry key's two
    words are set from the seed's high and low halves; a seed below 2**32 gives the key
    jax.random.key gives."""
    seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF
    key = jax.random.key(seed & 0xFFFF_FFFF)
    data = jax.random.key_data(key)
    if data.shape == (2,) and data.dtype == jnp.uint32:
        key = jax.random.wrap_key_data(
            jnp.array([seed >> 32, seed & 0xFFFF_FFFF], jnp.uint32),
            impl=jax.random.key_impl(key))
    return key


class Generator:
    """`torch.Generator(device='cpu')` over a JAX PRNG key.

    PyTorch parity: the streams are JAX's (threefry), not PyTorch's Mersenne Twister /
    Philox, so the same seed gives other numbers than PyTorch, with the same distribution.
    """

    def __init__(self, device="cpu"):
        self.device = _device.device(device)
        self._seed = _DEFAULT_SEED
        self._impl = None           # the key's implementation, once raw data was made
        self._key = _key_from_seed(self._seed)

    # The key is held as a typed key or as its raw data, whichever was set last; the other
    # form is made on demand. functorch_like.compile reads and writes the raw data on every
    # call, and wrapping it into a typed key costs more Python than the rest of the call.
    @property
    def _key(self):
        if self._typed is None:
            self._typed = jax.random.wrap_key_data(self._raw, impl=self._impl)
        return self._typed

    # A new key is a counted write (`_writes`): a compiled step reads the global one.
    @_key.setter
    def _key(self, key) -> None:
        self._typed, self._raw = key, None
        WRITES.count += 1

    @property
    def _key_data(self):
        if self._raw is None:
            # The implementation is read here, where raw data is made, not on every draw.
            self._impl = jax.random.key_impl(self._typed)
            self._raw = jax.random.key_data(self._typed)
        return self._raw

    @_key_data.setter
    def _key_data(self, raw) -> None:
        # Raw data in the layout of the current key's implementation (threefry: uint32[2]).
        self._raw, self._typed = raw, None
        WRITES.count += 1

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        if not -0x8000_0000_0000_0000 <= seed <= 0xFFFF_FFFF_FFFF_FFFF:
            raise ValueError("Overflow when unpacking long long")
        self._key = _key_from_seed(seed)
        self._seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        return self

    def seed(self) -> int:
        return self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The key's raw data as a uint8 tensor, as torch's ByteTensor state (restore
        with set_state). PyTorch parity: 8 bytes (a threefry key), not torch's 5056."""
        data = jax.random.key_data(self._key)
        return Tensor._make(jax.lax.bitcast_convert_type(data, jnp.uint8).reshape(-1))

    def set_state(self, state: Tensor) -> "Generator":
        """Restores a get_state() (also the uint32 key data earlier versions gave); torch's
        TypeError for anything but a uint8 tensor, its RuntimeError for another size."""
        if not isinstance(state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(state).__name__}")
        value = state._value
        shape = jax.random.key_data(self._key).shape
        if value.dtype == jnp.uint8:
            if value.size != 4 * math.prod(shape):
                raise RuntimeError(
                    f"Expected a CPUGeneratorImplState of size {4 * math.prod(shape)} but "
                    f"found the input RNG state size to be {value.size}")
            value = jax.lax.bitcast_convert_type(value.reshape(*shape, 4), jnp.uint32)
        elif value.dtype != jnp.uint32 or value.shape != shape:
            raise TypeError("RNG state must be a torch.ByteTensor")
        self._key = jax.random.wrap_key_data(value.astype(jnp.uint32),
                                             impl=jax.random.key_impl(self._key))
        return self

    def clone_state(self) -> "Generator":
        """A new Generator in this one's state (its seed and key), as torch's."""
        new = Generator(self.device)
        new._key, new._seed = self._key, self._seed
        return new

    def next_key(self):
        """A fresh subkey; advances the generator.

        Under a JAX trace of the user's own (jax.jit, lax.scan of a function that draws,
        Dropout in train mode included), the new key would be a tracer kept in the
        generator after the trace ends, and every later draw in the process would fail
        with JAX's UnexpectedTracerError: that raises here instead, saying what to use.
        functorch_like.compile and the torch.func transforms thread the key themselves."""
        key = self._key
        new, sub = jax.random.split(key)
        if isinstance(new, jax.core.Tracer) and not isinstance(key, jax.core.Tracer) \
                and not _guards.depth and not _trace_state.state.compiling:
            raise RuntimeError(
                "functorch_like: a random op (dropout, randn, ...) ran inside a function "
                "traced by jax.jit or another JAX transform of your own, which cannot "
                "advance the global generator (its next key would leak out of the trace). "
                "Compile the step with functorch_like.compile, or make the module a pure "
                "function with functorch_like.func.to_pure, whose apply draws from the "
                "`key=` it is given; or put the module in eval() mode.")
        self._key = new
        return sub


class _Guards(threading.local):
    depth = 0       # code that puts the generator's key back after a JAX trace (guarded)


_guards = _Guards()


@contextlib.contextmanager
def guarded():
    """Within: a random op under a JAX trace may leave a traced key in the generator, as
    the caller puts the key back afterwards (functional_call, the torch.func bridges)."""
    _guards.depth += 1
    try:
        yield
    finally:
        _guards.depth -= 1


default_generator = Generator()
# A DataLoader worker's own global generator, set in the thread that runs it: each of
# torch's worker processes seeds its own global generator (base_seed + worker id), and
# the workers here are emulated in one loading thread (utils/data/_worker.py).
_thread = threading.local()


def _global() -> Generator:
    """The global generator of the calling thread: a worker's own, else the default."""
    generator = getattr(_thread, "generator", None)
    return default_generator if generator is None else generator


def set_thread_generator(generator: Generator | None) -> None:
    """Makes `generator` the global one in the calling thread (None: the default)."""
    _thread.generator = generator


def manual_seed(seed: int) -> Generator:
    """Seeds the global generator (and returns it), as torch.manual_seed."""
    return _global().manual_seed(seed)


def seed() -> int:
    return _global().seed()


def initial_seed() -> int:
    return _global().initial_seed()


def get_rng_state() -> Tensor:
    return _global().get_state()


def set_rng_state(state: Tensor) -> None:
    _global().set_state(state)


def next_key(generator: Generator | None = None):
    if generator is None:
        return _global().next_key()
    if not isinstance(generator, Generator):
        # (torch's parser refuses it as an invalid combination of arguments)
        raise TypeError(f"expected a torch.Generator for argument 'generator', got "
                        f"{type(generator).__name__}")
    return generator.next_key()


def draw_seed(generator: Generator | None = None) -> int:
    """A random non-negative 63-bit seed, as torch's
    `torch.empty((), dtype=torch.int64).random_(generator=g).item()` (a DataLoader
    iterator's base seed)."""
    high, low = (int(b) for b in jax.random.bits(next_key(generator), (2,), jnp.uint32))
    return ((high << 32) | low) >> 1


def _float(dtype, kernel: str = "check_uniform_bounds"):
    """The JAX dtype of a float (or complex) draw; other dtypes raise PyTorch's error for
    `kernel`."""
    d = _dtypes.to_jax(dtype) if dtype is not None else _dtypes.get_default_dtype().jax
    if not jnp.issubdtype(d, jnp.inexact):
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_dtypes.scalar_type_name(d)}'")
    return d


def _parts(draw, key, shape, dtype):
    """`draw(key, shape, real dtype)` for a real dtype; for a complex one, the real and
    imaginary parts are two independent draws, as torch's complex samplers make them."""
    if not jnp.issubdtype(dtype, jnp.complexfloating):
        return draw(key, shape, dtype)
    real = jnp.finfo(dtype).dtype
    pair = draw(key, (2, *shape), real)
    return jax.lax.complex(pair[0], pair[1]).astype(dtype)


def normal_draw(key, shape, dtype, mean=0.0, std=1.0):
    """N(mean, std**2) samples; complex: each part has variance std**2 / 2, as torch's (so
    that E|z - mean|**2 = std**2), and a real number `mean` shifts both parts."""
    if not jnp.issubdtype(dtype, jnp.complexfloating):
        return mean + std * jax.random.normal(key, shape, dtype)
    if isinstance(mean, (int, float)):
        mean = complex(mean, mean)
    z = _parts(jax.random.normal, key, shape, dtype) * (1 / jnp.sqrt(2.0))
    return (mean + std * z).astype(dtype)


def uniform_draw(key, shape, dtype, low=0.0, high=1.0):
    """U[low, high) samples; complex: each part U[low, high), as torch's."""
    return _parts(lambda k, sh, d: jax.random.uniform(k, sh, d, low, high), key, shape,
                  dtype)


def _finish(value, requires_grad, device):
    from ._factories import _finish as finish
    return finish(value, None, device, requires_grad)


def rand(*sizes, size=None, generator=None, dtype=None, device=None,
         requires_grad=False) -> Tensor:
    """U[0, 1) samples of `size`."""
    from ._ops_shape import new_shape, size_argument
    shape = new_shape(size_argument(sizes, size, "rand"), "rand")
    value = uniform_draw(next_key(generator), shape, _float(dtype))
    return _finish(value, requires_grad, device)


def randn(*sizes, size=None, generator=None, dtype=None, device=None,
          requires_grad=False) -> Tensor:
    """N(0, 1) samples of `size`."""
    from ._ops_shape import new_shape, size_argument
    shape = new_shape(size_argument(sizes, size, "randn"), "randn")
    value = normal_draw(next_key(generator), shape, _float(dtype, "normal_kernel_cpu"))
    return _finish(value, requires_grad, device)


def randint(*args, low=None, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad=False) -> Tensor:
    """randint(high, size) or randint(low, high, size): integers in [low, high); each may
    be given by keyword, as torch's."""
    args = list(args)
    if size is None:
        if len(args) < 2 or isinstance(args[-1], (int, float)):
            from ._argparse_names import argparse_typename
            given = args[-1] if len(args) >= 2 else None
            raise TypeError("randint(): argument 'size' (position 2) must be tuple of ints, "
                            f"not {argparse_typename(given)}" if given is not None else
                            "randint() missing required argument 'size' (pos 2)")
        size = args.pop()
    if high is not None:
        args.append(high)
    if low is not None:
        args.insert(0, low)
    low, high = (0, args[0]) if len(args) == 1 else args
    if any(isinstance(v, float) for v in (low, high)):
        raise TypeError("randint() received an invalid combination of arguments - got "
                        f"({', '.join(type(v).__name__ for v in (*args, size))}), but "
                        "expected one of:\n * (int high, tuple of ints size, ...)\n"
                        " * (int low, int high, tuple of ints size, ...)")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    from ._ops_shape import new_shape
    d = _dtypes.to_jax(dtype) if dtype is not None else _dtypes.int64.jax
    shape = new_shape((tuple(size),), "randint")
    value = jax.random.randint(next_key(generator), shape, low, high,
                               d if jnp.issubdtype(d, jnp.integer) else jnp.int32).astype(d)
    return _finish(value, requires_grad, device)


def randperm(n: int, *, generator=None, dtype=None, device=None,
             requires_grad=False) -> Tensor:
    d = _dtypes.to_jax(dtype) if dtype is not None else _dtypes.int64.jax
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if d.kind in "bc":
        raise _dtypes.kernel_error("randperm", d)
    value = jax.random.permutation(next_key(generator), int(n)).astype(d)
    return _finish(value, requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """normal(mean, std, size) with float mean/std, or elementwise with tensor mean/std."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._value if isinstance(mean, Tensor) else mean
        s = std._value if isinstance(std, Tensor) else std
        shape = jnp.broadcast_shapes(jnp.shape(m), jnp.shape(s))
        from .pure._errors import check_values
        check_values((s,), lambda: (jnp.asarray(s) < 0, s),
                     lambda _: RuntimeError("normal expects all elements of std >= 0.0"))
        dt = (mean if isinstance(mean, Tensor) else std)._value.dtype
        value = normal_draw(next_key(generator), shape, dt, m, s)
        return _finish(value, requires_grad, device)
    if size is None:        # (torch has no overload of two numbers without a size)
        raise TypeError("normal() received an invalid combination of arguments - got "
                        f"({type(mean).__name__}, {type(std).__name__}), but expected one "
                        "of:\n * (Tensor mean, Tensor std, ...)\n * (Tensor mean, float std"
                        " = 1, ...)\n * (float mean, Tensor std, ...)\n * (float mean, "
                        "float std, tuple of ints size, ...)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    value = normal_draw(next_key(generator), tuple(size or ()),
                        _float(dtype, "normal_kernel_cpu"), mean, std)
    return _finish(value, requires_grad, device)


def _check_p(name: str, p: float) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={p:g}")


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:
    """0/1 samples with probabilities `input` (or a scalar p), in input's dtype."""
    if p is None:
        from .pure._errors import check_values
        check_values((input._value,), lambda: (~((input._value >= 0) & (input._value <= 1)),
                                               input._value),
                     lambda _: RuntimeError(
                         "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                         "this error message be improved?  If so, please report an "
                         "enhancement request to PyTorch.)"))
    else:
        _check_p("bernoulli_", p)      # (torch words the scalar form so too)
    prob = input._value if p is None else jnp.full(input.shape, p, input._value.dtype)
    value = jax.random.bernoulli(next_key(generator), prob).astype(input._value.dtype)
    return Tensor._make(value)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None) -> Tensor:
    """Samples indices by the (unnormalized) row weights of `input` (1-D or 2-D)."""
    from .pure._errors import check_values
    # torch's argument checks, in its order, before the values'
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtypes.scalar_type_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > input.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    check_values((input._value,), lambda: (~(jnp.isfinite(input._value) & (input._value >= 0)),
                                           input._value),
                 lambda _: RuntimeError("probability tensor contains either `inf`, `nan` or "
                                        "element < 0"))
    check_values((input._value,), lambda: (jnp.sum(input._value, -1) <= 0, input._value),
                 lambda _: RuntimeError("invalid multinomial distribution (sum of "
                                        "probabilities <= 0)"))
    logits = jnp.log(input._value)
    key = next_key(generator)
    if replacement:
        out = jax.random.categorical(key, logits, shape=(num_samples,) + logits.shape[:-1])
        out = jnp.moveaxis(out, 0, -1)
    else:
        gumbel = jax.random.gumbel(key, logits.shape, logits.dtype)   # Gumbel top-k trick
        out = jax.lax.top_k(logits + gumbel, num_samples)[1]
    return Tensor._make(out.astype(_dtypes.int64.jax))


def rand_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return rand(tuple(input.shape), dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return randn(tuple(input.shape), dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device)


def _f_overwrite(x, value):
    # The samples replace x: x is an input only so that its gradient is zero, not absent.
    return jnp.broadcast_to(value.astype(x.dtype), x.shape)


def _key_into(t: Tensor, name: str, generator):
    """The key of an in-place draw into `t` (grad_fn `name`), after the checks of a write
    into it: inside a torch.func transform, a write into a captured tensor raises before
    anything is drawn (before vmap's randomness='error' could), as torch's."""
    check_write(t, inplace_name(name))
    return next_key(generator)


def _sample_inplace(t: Tensor, value, name: str) -> Tensor:
    """Writes samples into `t`. A non-leaf stays in the graph with a zero gradient, as
    PyTorch's `y.normal_()` (grad_fn NormalBackward0), so `y.sum().backward()` still works."""
    return t._set(apply(_f_overwrite, name, t, value), op=inplace_name(name))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    key = _key_into(t, "NormalBackward0", generator)
    value = normal_draw(key, t.shape, t._value.dtype, mean, std)
    return _sample_inplace(t, value, "NormalBackward0")


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")
    key = _key_into(t, "UniformBackward0", generator)
    value = uniform_draw(key, t.shape, t._value.dtype, a, b)
    return _sample_inplace(t, value, "UniformBackward0")


def bernoulli_(t: Tensor, p=0.5, *, generator=None) -> Tensor:
    if not isinstance(p, Tensor):
        _check_p("bernoulli_", p)
    prob = p._value if isinstance(p, Tensor) else p
    key = _key_into(t, "BernoulliBackward2", generator)
    value = jax.random.bernoulli(key, prob, t.shape)
    return _sample_inplace(t, value, "BernoulliBackward2")


def random_(t: Tensor, low=0, high=None, *, generator=None) -> Tensor:
    if high is None:
        low, high = 0, low if low else 2**24
    key = _key_into(t, "RandomBackward2", generator)
    value = jax.random.randint(key, t.shape, low, high)
    return _sample_inplace(t, value, "RandomBackward2")


def exponential_(t: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    key = _key_into(t, "ExponentialBackward0", generator)
    value = jax.random.exponential(key, t.shape, t._value.dtype) / lambd
    return _sample_inplace(t, value, "ExponentialBackward0")
