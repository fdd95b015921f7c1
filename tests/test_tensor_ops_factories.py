"""Differential tests against PyTorch: factories (dtype inference), random functions and
tensor attributes/conversions."""

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check, check_raises, rand

# ---- factories -------------------------------------------------------------------------

FACTORIES = {
    "tensor_int": lambda t: t.tensor([1, 2]),
    "tensor_float": lambda t: t.tensor([1.0, 2.0]),
    "tensor_bool": lambda t: t.tensor([True]),
    "tensor_mixed": lambda t: t.tensor([1, 2.5, True]),
    "tensor_nested": lambda t: t.tensor([[1, 2], [3, 4]]),
    "tensor_0d_int": lambda t: t.tensor(3),
    "tensor_0d_float": lambda t: t.tensor(3.5),
    "tensor_0d_bool": lambda t: t.tensor(False),
    "tensor_empty": lambda t: t.tensor([]),
    "tensor_empty_2d": lambda t: t.tensor([[]]),
    "tensor_dtype": lambda t: (t.tensor([1, 2], dtype=t.float32),
                               t.tensor([1.7, -2.2], dtype=t.int64),
                               t.tensor([0, 2], dtype=t.bool), t.tensor(1, dtype=t.float16)),
    "tensor_numpy": lambda t: (t.tensor(np.array([1, 2], np.int32)),
                               t.tensor(np.array([1.5], np.float32)),
                               t.tensor(np.array([True])), t.tensor([np.float32(1.5), 2])),
    "as_tensor": lambda t: (t.as_tensor([1, 2]), t.as_tensor(np.arange(3.0)),
                            t.as_tensor([1, 2], dtype=t.float32), t.as_tensor(2.5)),
    "from_numpy": lambda t: (t.from_numpy(np.arange(4, dtype=np.int32)),
                             t.from_numpy(np.ones((2, 2), np.float32)),
                             t.from_numpy(np.array([True, False]))),
    "zeros_ones": lambda t: (t.zeros(2, 3), t.zeros((2, 3)), t.ones([3]), t.zeros(2, dtype=t.int64),
                             t.ones(2, 1, dtype=t.bool), t.zeros(()), t.ones(0, 2),
                             t.empty(2, 3).shape, t.empty((1,), dtype=t.int32).dtype),
    "full": lambda t: (t.full((2,), 3), t.full((2,), 3.0), t.full((2, 2), True),
                       t.full((1,), 1.5, dtype=t.int64), t.full([2], -1, dtype=t.float32),
                       t.full((2,), t.tensor(2))),
    "like": lambda t: (t.zeros_like(t.tensor([1, 2])), t.ones_like(t.tensor([1.0])),
                       t.full_like(t.tensor([1, 2]), 7), t.full_like(t.tensor([1.0, 2.0]), 7),
                       t.zeros_like(t.tensor([1, 2]), dtype=t.float32),
                       t.empty_like(t.ones(2, 3)).shape, t.ones_like(t.tensor([True]))),
    "arange": lambda t: (t.arange(5), t.arange(1, 4), t.arange(0, 1, 0.25), t.arange(5.0),
                         t.arange(1, 2.5, 0.5), t.arange(10, 0, -3), t.arange(0, 1, 0.3),
                         t.arange(3, dtype=t.float32), t.arange(0.0, 3.0, dtype=t.int64),
                         t.arange(t.tensor(4)), t.arange(-2, 2)),
    "linspace": lambda t: (t.linspace(0, 1, 5), t.linspace(-1, 1, 1), t.linspace(2, 2, 0),
                           t.linspace(0, 10, 4, dtype=t.int64), t.linspace(1, 0, steps=3)),
    "logspace": lambda t: (t.logspace(0, 2, 3), t.logspace(0, 3, 4, base=2),
                           t.logspace(-1, 1, 3, dtype=t.float32)),
    "eye": lambda t: (t.eye(3), t.eye(2, 3), t.eye(3, 1), t.eye(2, dtype=t.int64),
                      t.eye(2, dtype=t.bool)),
    "new_methods": lambda t: (t.ones(2, dtype=t.int64).new_zeros(3), t.ones(2).new_ones((2, 1)),
                              t.ones(2).new_full((2,), 4), t.ones(1).new_tensor([1, 2]),
                              t.tensor([1, 2]).new_tensor([1.5])),
}


@pytest.mark.parametrize("name", FACTORIES)
def test_factory(name):
    """Values, shapes and the inferred dtypes (mapped through functorch_like's dtypes)."""
    check(lambda t: FACTORIES[name](t))


def test_factory_requires_grad_and_errors():
    check(lambda t: (t.tensor([1.0, 2.0], requires_grad=True), t.zeros(2, requires_grad=True),
                     t.ones(1, requires_grad=True) * 2), grad=False)
    check_raises(lambda t: t.tensor([[1, 2], [3]]))
    check_raises(lambda t: t.arange(0, 5, 0))
    check_raises(lambda t: t.arange(5, 0, 1))
    check_raises(lambda t: t.linspace(0, 1, -1))
    check_raises(lambda t: t.tensor([1, 2]).requires_grad_(), match=False)
    check_raises(lambda t: t.zeros(-1))
    check_raises(lambda t: t.ones(2, -1))
    check_raises(lambda t: t.full((-1,), 2.0))
    check_raises(lambda t: t.rand(-1))
    check_raises(lambda t: t.randint(3, (-2,)))
    check_raises(lambda t: t.eye(-1))
    check_raises(lambda t: t.eye(2, -1))


def test_legacy_tensor_constructor():
    check(lambda t: (t.Tensor([1, 2]), t.Tensor(2, 3).shape, t.Tensor(2, 3).dtype), grad=False)


# ---- random ----------------------------------------------------------------------------

def test_random_shapes_dtypes_ranges():
    """Shapes, dtypes and ranges; loose statistics over 1000 draws (one shape, so each
    distribution compiles once)."""
    fl.manual_seed(0)
    u = fl.rand(1000)
    assert u.shape == (1000,) and u.dtype == fl.float32
    assert 0.0 <= u.min().item() and u.max().item() < 1.0 and abs(u.mean().item() - 0.5) < 0.05
    n = fl.randn(1000)
    assert n.dtype == fl.float32 and abs(n.mean().item()) < 0.1
    assert abs(n.std().item() - 1.0) < 0.1
    m = fl.normal(2.0, 0.5, (1000,))
    assert m.dtype == fl.float32 and abs(m.mean().item() - 2) < 0.05
    assert abs(m.std().item() - 0.5) < 0.05
    r = fl.randint(3, 7, (1000,))
    assert r.dtype == fl.int64 and r.min().item() == 3 and r.max().item() == 6
    b = fl.bernoulli(fl.full((1000,), 0.3))
    assert set(b.tolist()) <= {0.0, 1.0} and b.dtype == fl.float32
    assert abs(b.mean().item() - 0.3) < 0.06
    assert fl.randn(2, 3).shape == (2, 3) and fl.randn((2, 3)).shape == (2, 3)
    assert fl.rand(2, 3, dtype=fl.float16).dtype == fl.float16 and fl.rand(2, 3).shape == (2, 3)
    r = fl.randint(5, (2, 3), dtype=fl.int32)
    assert r.shape == (2, 3) and r.dtype == fl.int32 and 0 <= r.min().item() <= r.max().item() < 5
    mt = fl.normal(fl.full((2, 3), 100.0), fl.full((3,), 1e-3))     # elementwise mean/std
    assert mt.shape == (2, 3) and abs(mt.mean().item() - 100.0) < 0.01
    p = fl.randperm(10)
    assert p.dtype == fl.int64 and sorted(p.tolist()) == list(range(10))
    s = fl.multinomial(fl.tensor([0.0, 1.0, 0.0, 3.0]), 2)
    assert s.dtype == fl.int64 and sorted(s.tolist()) == [1, 3]
    like = fl.rand_like(fl.ones(2, 3, dtype=fl.float16))
    assert like.shape == (2, 3) and like.dtype == fl.float16
    ri = fl.randint_like(fl.ones(2, 3, dtype=fl.int64), 4)
    assert ri.dtype == fl.int64 and ri.shape == (2, 3) and ri.max().item() < 4


def test_random_errors_match_torch():
    check_raises(lambda t: t.randint(5, 2, (3,)))
    check_raises(lambda t: t.normal(0.0, -1.0, (2,)))
    check_raises(lambda t: t.rand(2, dtype=t.int64))
    check_raises(lambda t: t.randn(2, dtype=t.int64))
    check_raises(lambda t: t.normal(0.0, 1.0, (2,), dtype=t.int64))


def test_seeding_reproducibility():
    # Shapes as in test_random_shapes_dtypes_ranges: the draws are compiled once.
    draws = lambda: [fl.rand(2, 3), fl.randn(2, 3), fl.randint(0, 100, (2, 3)), fl.randperm(10),
                     fl.normal(0.0, 1.0, (2, 3))]
    fl.manual_seed(123)
    first = [d.tolist() for d in draws()]
    fl.manual_seed(123)
    assert [d.tolist() for d in draws()] == first                   # same seed, same numbers
    fl.manual_seed(124)
    assert [d.tolist() for d in draws()][:2] != first[:2]           # another seed, others
    assert fl.initial_seed() == 124
    assert fl.rand(2, 3).tolist() != fl.rand(2, 3).tolist()         # the stream advances
    g = fl.Generator().manual_seed(7)
    a = fl.randn(2, 3, generator=g).tolist()
    fl.manual_seed(0)
    fl.rand(2, 3)                                                   # the global stream...
    g2 = fl.Generator().manual_seed(7)
    assert fl.randn(2, 3, generator=g2).tolist() == a               # ...does not touch g
    state = fl.get_rng_state()
    x = fl.rand(2, 3).tolist()
    fl.set_rng_state(state)
    assert fl.rand(2, 3).tolist() == x
    fl.manual_seed(5)
    t1 = fl.zeros(2, 3).uniform_().tolist()
    fl.manual_seed(5)
    assert fl.zeros(2, 3).uniform_().tolist() == t1


# ---- attributes and conversions --------------------------------------------------------

def test_attributes():
    x = rand(2, 3)
    check(lambda t, a: (a.shape, a.size(), a.size(1), a.size(-2), a.dim(), a.ndim, a.numel(),
                        len(a), a.T, a.t(), a.is_floating_point(), a.element_size(),
                        a.is_leaf, a.requires_grad, a.grad_fn is None, a.is_contiguous(),
                        a.type(), a.long().type(), a.nelement(), a.ndimension()), x, grad=False)
    check_raises(lambda t, a: a.size(2), x)
    check_raises(lambda t, a: len(a[0, 0]), x, match=False)


def test_item_tolist_numpy():
    check(lambda t: (t.tensor(2.5).item(), t.tensor([3]).item(), t.tensor(True).item(),
                     t.tensor([[1, 2]]).tolist(), t.tensor([1.5, 2.0]).tolist(),
                     t.tensor(7).tolist(), t.tensor([True]).tolist(), float(t.tensor(2)),
                     int(t.tensor(2.7)), bool(t.tensor([0.0]))))
    check_raises(lambda t: t.ones(2).item())
    check_raises(lambda t: bool(t.ones(2)))
    check_raises(lambda t: t.ones(2, requires_grad=True).numpy())
    for make, dtype in ((lambda t: t.tensor([1.5, 2.0]), np.float32),
                        (lambda t: t.tensor([True]), np.bool_),
                        (lambda t: t.ones(2, requires_grad=True).detach(), np.float32)):
        got, ref = make(fl).numpy(), make(torch).numpy()
        assert isinstance(got, np.ndarray) and got.dtype == dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
        got[0] = 0                                   # a writable array
    ints = fl.tensor([1, 2]).numpy()
    assert ints.dtype.kind == "i" and ints.tolist() == [1, 2]


def test_conversions():
    x = rand(2, 3, low=-3, high=3)
    check(lambda t, a: (a.to(t.int64), a.to(t.float16), a.long(), a.int(), a.bool(),
                        a.float(), a.double(), a.half(), a.short(), a.abs().byte(),
                        a.to(dtype=t.bool), a.to(t.ones(1, dtype=t.int32)),
                        a.type(t.int64), a.long().float(), a.type_as(t.ones(1, dtype=t.bool))),
          x, grad=False)
    # Gradients through dtype casts, clone, contiguous and detach.
    check(lambda t, a: (a.double() * 2, a.clone() ** 2, a.contiguous() + 1,
                        a.detach() * a, a.to(t.float16).float() * 3), x)
    a = fl.tensor(x)
    assert a.to(fl.float32) is a and a.float() is a and a.contiguous() is a
    assert a.clone() is not a and a.clone().tolist() == a.tolist()
    r = fl.tensor(x, requires_grad=True)
    c, d = r.clone(), r.detach()
    assert c.grad_fn is not None and not c.is_leaf and d.is_leaf and not d.requires_grad


@pytest.mark.parametrize("make", ["tensor", "as_tensor", "from_numpy"])
def test_writing_the_source_array_afterwards_leaves_the_tensor_alone(make):
    """JAX arrays are immutable, so every constructor copies (PyTorch parity: torch's
    as_tensor/from_numpy share memory). The copy must be complete when the constructor
    returns: jax.device_put may alias a host array or read it asynchronously, and a large
    array written right afterwards once showed the write through the tensor."""
    src = np.arange(1_000_000, dtype=np.float32)
    t = getattr(fl, make)(src)
    src[0] = src[-1] = -5.0
    assert float(t[0]) == 0.0 and float(t[-1]) == 999_999.0


@pytest.mark.parametrize("make, n", [
    (lambda t: t.ones(2, 2, 2), 1), (lambda t: t.tensor(1.0), 1),
    (lambda t: t.ones(3), 0), (lambda t: t.ones(3), -1),
    (lambda t: t.ones(3, dtype=t.long), 1), (lambda t: t.ones(3, dtype=t.bool), 1),
    (lambda t: t.ones(2, 2, 2, dtype=t.long), 0), (lambda t: t.ones(2, 0), 1)],
    ids=["3d", "0d", "zero", "negative", "long", "bool", "3d_long", "empty_rows"])
def test_multinomial_argument_errors_as_torch(make, n):
    """torch's checks of dims, dtype and count, in its order (a 3-D or integer input was
    sampled, a count of 0 gave an empty result)."""
    from _tensor_ops_ref import same_error
    same_error(lambda lib: lib.multinomial(make(lib), n))


@pytest.mark.parametrize("op, n, dim", [("cat", 100, 0), ("cat", 1025, 1), ("stack", 70, 1),
                                        ("stack", 33, -1)])
def test_cat_and_stack_of_many_tensors_as_torch(op, n, dim):
    """Many operands (an epoch's batch outputs) run through groups of programs (one
    4096-operand program took 15 s to compile); values, dtype promotion and gradients are
    torch's."""
    rng = np.random.default_rng(n)
    arrays = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(n)]

    def run(lib):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays[:-1]]
        xs.append(lib.tensor(arrays[-1]).to(lib.float16))         # (promoted to float32)
        out = getattr(lib, op)(xs, dim)
        (out * out).sum().backward()
        return out.detach().numpy(), str(out.dtype), [x.grad.numpy() for x in xs[:-1]]
    (ref, ref_dtype, ref_grads), (got, got_dtype, grads) = run(torch), run(fl)
    assert got_dtype == ref_dtype
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    np.testing.assert_allclose(np.stack(grads), np.stack(ref_grads), rtol=1e-6)


# ---- typed elements and Python types as dtypes (float is torch.double) ------------------

TYPED_ELEMENTS = {
    "np_float64": lambda t: t.tensor([np.float64(0.1)]),
    "np_float64_and_int": lambda t: t.tensor([np.float64(1.5), 2]),
    "as_tensor_np_float64": lambda t: t.as_tensor([np.float64(1.5)]),
    "float64_tensor": lambda t: t.tensor([t.tensor(0.1, dtype=t.float64)]),
    "float16_tensor_and_int": lambda t: t.tensor([t.tensor(1.0, dtype=t.float16), 2]),
    "complex128_tensor_and_int": lambda t: t.tensor([t.tensor(1 + 1j, dtype=t.complex128),
                                                     2]),
    "np_float32_nested": lambda t: t.tensor([[1, 2], [np.float32(3), 4.5]]),
    "np_int32_and_int": lambda t: t.tensor([np.int32(1), 2]),
    "np_float16_and_float": lambda t: t.tensor([np.float16(1), 1.5]),
    "np_int64_and_bool": lambda t: t.tensor([np.int64(3), True]),
}


@pytest.mark.parametrize("name", sorted(TYPED_ELEMENTS))
def test_tensor_infers_typed_elements_dtype_as_torch(name, x64):
    """numpy's coercion gives float64 for [np.float64(0.1)] as for [0.1]; torch tells the
    typed element (its own dtype) from a Python float (the default dtype)."""
    make = TYPED_ELEMENTS[name]
    want, got = make(torch), make(fl)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_tensor_of_a_0d_array_in_a_list_raises_as_torch():
    check_raises(lambda t: t.tensor([np.array(1.5), 2.0]))


PYTHON_TYPE_DTYPES = {
    "zeros": lambda t, x, d: t.zeros(2, dtype=d),
    "to": lambda t, x, d: x.to(d),
    "arange": lambda t, x, d: t.arange(3, dtype=d),
    "full": lambda t, x, d: t.full((2,), 1, dtype=d),
    "zeros_like": lambda t, x, d: t.zeros_like(x, dtype=d),
    "cumsum": lambda t, x, d: x.cumsum(0, dtype=d),
    "sum": lambda t, x, d: x.sum(dtype=d),
    "sum_dim": lambda t, x, d: t.sum(x, 0, dtype=d),
    "mean_dim": lambda t, x, d: x.mean(0, dtype=d),
    "arange": lambda t, x, d: t.arange(3, dtype=d),
    "linspace": lambda t, x, d: t.linspace(0, 1, 3, dtype=d),
    "logspace": lambda t, x, d: t.logspace(0, 1, 3, dtype=d),
    "randperm": lambda t, x, d: t.randperm(3, dtype=d),
    "tril_indices": lambda t, x, d: t.tril_indices(2, 2, dtype=d),
    "vector_norm": lambda t, x, d: t.linalg.vector_norm(x, dtype=d),
    "matrix_norm": lambda t, x, d: t.linalg.matrix_norm(x.reshape(1, 2), dtype=d),
    "view": lambda t, x, d: x.view(d),
    "can_cast": lambda t, x, d: t.zeros(1, dtype=t.int64 if t.can_cast(t.float32, d)
                                        else t.bool),
    "promote_types": lambda t, x, d: t.zeros(1, dtype=t.promote_types(t.float32, d)),
    "finfo": lambda t, x, d: t.tensor([t.finfo(d).eps]),
    "iinfo": lambda t, x, d: t.tensor([t.iinfo(d).max]),
}


@pytest.mark.parametrize("kind", [float, int, complex, bool])
@pytest.mark.parametrize("name", sorted(PYTHON_TYPE_DTYPES))
def test_python_types_as_dtypes_as_torch(name, kind, x64):
    """dtype=float is torch.float64 (not the default dtype), int int64, complex
    complex128; and the reductions' dtype parameter takes them."""
    fn = PYTHON_TYPE_DTYPES[name]
    results = []
    for t in (torch, fl):
        try:
            results.append(str(fn(t, t.tensor([1.0, 2.0]), kind).dtype))
        except Exception as e:                  # noqa: BLE001 (the type is compared)
            results.append(type(e).__name__)
    assert results[1] == results[0]


@pytest.mark.parametrize("spec", [float, int, np.float32, 3])
def test_tensor_type_of_a_python_type_raises_as_torch(spec):
    check_raises(lambda t: t.tensor([1.0]).type(spec))


NORM_DTYPES = [("float32", "complex64"), ("complex64", "float32"), ("float32", "float16"),
               ("float16", "bfloat16"), ("complex64", "complex128"), ("float32", "int64")]


@pytest.mark.parametrize("norm", ["vector_norm", "matrix_norm", "norm"])
@pytest.mark.parametrize("given,asked", NORM_DTYPES)
def test_norm_dtype_checks_as_torch(norm, given, asked, x64):
    """torch's norms refuse a dtype of the other kind (real/complex) or one the input's
    narrows to, where a cast silently dropped the imaginary part or precision."""
    def run(t):
        x = t.ones(2, 2, dtype=getattr(t, given))
        return getattr(t.linalg, norm)(x, dtype=getattr(t, asked))
    if asked == "complex128":
        want, got = run(torch), run(fl)
        assert str(got.dtype) == str(want.dtype)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    else:
        check_raises(run)


@pytest.mark.parametrize("make", [
    lambda t: t.arange(3, dtype=t.bool), lambda t: t.arange(0, 3, 1, dtype=t.complex64),
    lambda t: t.linspace(0, 1, 3, dtype=t.bool), lambda t: t.logspace(0, 1, 3, dtype=t.bool),
    lambda t: t.randperm(3, dtype=t.bool), lambda t: t.randperm(2, dtype=t.complex64),
    lambda t: t.randperm(-1, dtype=t.bool)])
def test_factories_without_a_kernel_for_the_dtype_raise_as_torch(make):
    check_raises(make)
