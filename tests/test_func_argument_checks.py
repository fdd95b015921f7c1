"""torch.func and torch.vmap against torch 2.13 where a probe found them apart: in-place
writes and randomness='different' with nested in_dims entries, an integer output's jvp
tangent, and torch's errors for bad arguments and results (argnums, jvp's primals and
tangents, has_aux without a pair, vmap's out_dims=None and non-Tensor results, chunk_size,
functional_call's repeated keys, stack_module_state's checks)."""

import pytest
import torch

import functorch_like as ft


def _outcome(lib, call):
    try:
        out = call(lib)
    except Exception as e:      # noqa: BLE001 (the outcome compared is any exception)
        # (up to the structures torch prints as its own TreeSpec reprs)
        text = str(e).split(" Got primals with structure")[0]
        return type(e).__name__, text.split(" in_dims has ")[0]
    return out


def test_in_place_write_through_a_nested_in_dims_entry_reaches_the_caller():
    def run(lib):
        t = (lib.zeros(4, 2), lib.zeros(2))
        lib.func.vmap(lambda t: t[0].add_(1), in_dims=((0, None),))(t)
        return t[0].sum().item(), t[1].sum().item()
    assert run(ft) == run(torch) == (8.0, 0.0)


@pytest.mark.parametrize("dims, arg", [
    (({"a": None, "b": 0},), lambda L: {"a": L.zeros(2), "b": L.zeros(4)}),
    (((None, 0),), lambda L: (L.zeros(2), L.zeros(4))),
])
def test_randomness_different_with_nested_in_dims(dims, arg):
    def run(lib):
        lib.manual_seed(0)
        pick = (lambda d: d["b"]) if isinstance(dims[0], dict) else (lambda t: t[1])
        out = lib.func.vmap(lambda d: pick(d) + lib.rand(()), in_dims=dims,
                            randomness="different")(arg(lib))
        return tuple(out.shape), len(set(out.tolist()))
    assert run(ft) == run(torch) == ((4,), 4)


def test_jvp_of_an_integer_output_gives_integer_zeros():
    def run(lib):
        out, tangent = lib.func.jvp(lambda a: (a * 2, a.argmax()), (lib.ones(3),),
                                    (lib.ones(3),))
        return type(tangent[1]).__name__, tangent[1].item(), tangent[1].is_floating_point()
    assert run(ft) == run(torch)


CASES = {
    "vmap out_dims None batched": lambda L: L.func.vmap(lambda a: a * 2, out_dims=None)(
        L.ones(4, 2)),
    "vmap out_dims (0, None) batched": lambda L: L.func.vmap(
        lambda a: (a, a * 2), out_dims=(0, None))(L.ones(4, 2)),
    "vmap out_dims None unbatched": lambda L: L.func.vmap(
        lambda a: L.ones(2), out_dims=None)(L.ones(4, 2)).tolist(),
    "vmap returns int": lambda L: L.func.vmap(lambda a: 3)(L.ones(4, 2)),
    "vmap returns None": lambda L: L.func.vmap(lambda a: None)(L.ones(4, 2)),
    "vmap returns dict with int": lambda L: L.func.vmap(lambda a: {"a": a, "n": 1})(
        L.ones(4, 2)),
    "vmap int with out_dims None": lambda L: L.func.vmap(lambda a: 3, out_dims=None)(
        L.ones(4, 2)),
    "vmap sizes differ": lambda L: L.func.vmap(lambda a, b: a + b)(L.ones(4, 2), L.ones(3, 2)),
    "vmap in_dims length": lambda L: L.func.vmap(lambda a, b: a, in_dims=(0,))(L.ones(4),
                                                                                 L.ones(4)),
    "vmap in_dim out of range": lambda L: L.func.vmap(lambda a: a, in_dims=5)(L.ones(4, 3)),
    "vmap in_dim on int": lambda L: L.func.vmap(lambda a, n: a * n)(L.ones(4), 3),
    "vmap in_dim on str": lambda L: L.func.vmap(lambda a, s: a)(L.ones(4), "abc"),
    "vmap in_dims str": lambda L: L.func.vmap(lambda a: a, in_dims="a")(L.ones(4)),
    "vmap in_dims float": lambda L: L.func.vmap(lambda a: a, in_dims=0.0)(L.ones(4)),
    "vmap in_dims list": lambda L: L.func.vmap(lambda a, b: a, in_dims=[0, 0])(L.ones(4),
                                                                                L.ones(4)),
    "vmap out_dims str": lambda L: L.func.vmap(lambda a: a, out_dims="a")(L.ones(4)),
    "vmap no inputs": lambda L: L.func.vmap(lambda: L.ones(2))(),
    "vmap chunk_size 0": lambda L: L.func.vmap(lambda a: a, chunk_size=0)(L.ones(4, 2)),
    "vmap chunk_size -1": lambda L: L.func.vmap(lambda a: a, chunk_size=-1)(L.ones(4, 2)),
    "jvp primals tensor": lambda L: L.func.jvp(lambda a: a, L.ones(3), L.ones(3)),
    "jvp primals list": lambda L: L.func.jvp(lambda a: a, [L.ones(3)], [L.ones(3)]),
    "jvp tangents length": lambda L: L.func.jvp(lambda a: a, (L.ones(3),),
                                                (L.ones(3), L.ones(3))),
    "jvp tangent shape": lambda L: L.func.jvp(lambda a: a, (L.ones(3),), (L.ones(4),)),
    "jvp no tensor": lambda L: L.func.jvp(lambda: L.ones(1), (), ()),
    "jvp has_aux no pair": lambda L: L.func.jvp(lambda a: a, (L.ones(3),), (L.ones(3),),
                                                has_aux=True),
    "jacrev has_aux no pair": lambda L: L.func.jacrev(lambda a: a, has_aux=True)(L.ones(3)),
    "jacfwd has_aux no pair": lambda L: L.func.jacfwd(lambda a: a, has_aux=True)(L.ones(3)),
    "grad argnums repeated": lambda L: L.func.grad(lambda a, b: (a * b).sum(),
                                                   argnums=(0, 0))(L.ones(3), L.ones(3)),
    "grad argnums float": lambda L: L.func.grad(lambda a: a.sum(), argnums=0.0)(L.ones(3)),
    "grad argnums list": lambda L: L.func.grad(lambda a, b: (a * b).sum(),
                                               argnums=[0, 1])(L.ones(3), L.ones(3)),
    "grad argnums tuple of float": lambda L: L.func.grad(
        lambda a, b: a.sum(), argnums=(0, 1.0))(L.ones(3), L.ones(3)),
    "jacrev argnums range": lambda L: L.func.jacrev(lambda a: a, argnums=3)(L.ones(3)),
    "jacrev argnums float": lambda L: L.func.jacrev(lambda a: a, argnums=1.0)(L.ones(3)),
    "jacfwd argnums repeated": lambda L: L.func.jacfwd(lambda a, b: a, argnums=(0, 0))(
        L.ones(3), L.ones(3)),
    "hessian argnums range": lambda L: L.func.hessian(lambda a: a.sum(), argnums=2)(
        L.ones(3)),
    "functional_call repeated key": lambda L: L.func.functional_call(
        _linear(L), ({"weight": L.ones(1, 2)}, {"weight": L.ones(1, 2), "bias": L.ones(1)}),
        (L.ones(1, 2),)),
    "stack_module_state mixed modes": lambda L: L.func.stack_module_state(
        [L.nn.Linear(3, 4), L.nn.Linear(3, 4).eval()]),
    "stack_module_state classes": lambda L: L.func.stack_module_state(
        [L.nn.Linear(3, 4), L.nn.Conv1d(3, 4, 1)]),
    "stack_module_state shapes": lambda L: L.func.stack_module_state(
        [L.nn.Linear(3, 4), L.nn.Linear(3, 5)]),
}


def _linear(lib):
    return lib.nn.Linear(2, 1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_errors_and_results_as_torch(name):
    ours, theirs = _outcome(ft, CASES[name]), _outcome(torch, CASES[name])
    assert isinstance(theirs, tuple) or name == "vmap out_dims None unbatched" \
        or name == "vmap int with out_dims None"
    assert ours == theirs


def test_tolist_inside_grad_and_jvp_as_item():
    """(item() worked there; tolist() raised JAX's TracerArrayConversionError)"""
    def run(lib):
        seen = []

        def f(x):
            seen.append(x.tolist())
            return (x * 2).sum()
        g = lib.func.grad(f)(lib.ones(3))
        lib.func.jvp(f, (lib.ones(2),), (lib.ones(2),))
        return g.tolist(), seen
    assert run(ft) == run(torch) == ([2.0, 2.0, 2.0], [[1.0, 1.0, 1.0], [1.0, 1.0]])
