"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp.

Built, as PyTorch's, on `autograd.grad` over the recorded graph: the user's function runs
eagerly on fresh copies of the inputs, then the engine differentiates it. A Jacobian is one
vector-Jacobian product per output element with one-hot cotangents; every product replays
the same graph, so it compiles once. Forward-mode products (jvp, hvp) use PyTorch's
double-backward trick.
"""

from __future__ import annotations

from ._grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


def _is_tensor(x) -> bool:
    from .._tensor import Tensor      # (lazily: this package is imported by _tensor)
    return isinstance(x, Tensor)


def _grad(*args, **kwargs):
    from . import grad
    return grad(*args, **kwargs)


def _as_tuple(inp, arg_name, fn_name):
    """(whether `inp` was a tuple, `inp` as a tuple of Tensors), with PyTorch's TypeError."""
    is_tuple = isinstance(inp, tuple)
    items = inp if is_tuple else (inp,)
    for i, el in enumerate(items):
        if not _is_tensor(el):
            where = (f"value at index {i} has type {type(el)}" if is_tuple
                     else f"given {arg_name} has type {type(el)}")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the {where}.")
    return is_tuple, items


def _untuple(res, to_unpack):
    """Undoes `_as_tuple` on a (possibly doubly nested) result."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _preprocess(inputs, create_graph, need_graph):
    """Fresh leaves, or with create_graph the inputs themselves (PyTorch: a view of each).

    PyTorch parity: a gradient computed with create_graph is recorded here as a function of
    the graph's leaves, so a later gradient with respect to a view of a leaf would find no
    path; differentiating with respect to the leaf itself means that the same tensor, when
    the user's function also captures it from its closure, counts on both paths (PyTorch
    counts only the argument)."""
    return tuple(inp if create_graph and inp.requires_grad and inp.is_leaf
                 else inp.view_as(inp) if create_graph and inp.requires_grad
                 else inp.detach().requires_grad_(need_graph) for inp in inputs)


def _postprocess(items, create_graph):
    if _is_tensor(items[0]):
        return items if create_graph else tuple(t.detach() for t in items)
    return tuple(_postprocess(t, create_graph) for t in items)


def _validate_v(v, other, is_other_tuple):
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but "
                               f"got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.size() != el_other.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {el_other.size()} but "
                               f"got {el_v.size()}.")


def _check_outputs(outputs, strict):
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode.")


def _autograd_grad(outputs, inputs, grad_outputs=None, create_graph=False,
                   retain_graph=None, is_grads_batched=False):
    """autograd.grad that skips outputs not requiring grad and allows unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                 allow_unused=True, create_graph=create_graph, retain_graph=retain_graph,
                 is_grads_batched=is_grads_batched)


def _fill_in_zeros(grads, refs, strict, stage):
    from .._factories import zeros_like
    texts = {
        "back": "The output of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode.",
        "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                      "grad_outputs when using the double backward trick to compute forward "
                      "mode gradients. This is not allowed in strict mode.",
        "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                       "This is not allowed in strict mode.",
        "double_back_trick": "The hessian of the user-provided function is independent of "
                             "entry {i} in the grad_jacobian. This is not allowed in strict "
                             "mode as it prevents from using the double backward trick to "
                             "replace forward mode AD.",
    }
    out = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(texts[stage].format(i=i))
            g = zeros_like(refs[i])
        out.append(g)
    return tuple(out)


def _prepare(func, inputs, v, create_graph, strict, fn_name, v_of="outputs"):
    """Runs `func` on fresh inputs with grad on; checks `v` against the outputs (vjp, vhp)
    or the inputs (jvp, hvp)."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", fn_name)
            v = _preprocess(v, create_graph, need_graph=False)
        if v_of == "inputs":
            _check_v(v, inputs, is_inputs_tuple, "input to the user-provided function is")
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function",
                                              fn_name)
        _check_outputs(outputs, strict)
        if v_of == "outputs":
            _check_v(v, outputs, is_outputs_tuple, "user-provided function returns")
    return is_inputs_tuple, inputs, is_outputs_tuple, outputs, v


def _check_v(v, other, is_tuple, what):
    if v is not None:
        _validate_v(v, other, is_tuple)
    elif len(other) != 1 or other[0].nelement() != 1:
        raise RuntimeError(f"The vector v can only be None if the {what} a single Tensor "
                           "with a single element.")


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product at `inputs`.

    Args:
      func: takes Tensors, returns a Tensor or a tuple of Tensors.
      inputs: a Tensor or a tuple of Tensors.
      v: cotangents shaped like func's outputs (may be None for a one-element output).
    Returns:
      (outputs, vjp), each nested as func's outputs and `inputs` respectively.
    """
    is_in, inputs, is_out, outputs, v = _prepare(func, inputs, v, create_graph, strict, "vjp")
    with set_grad_enabled(bool(create_graph) or is_grad_enabled()):
        res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, "back")
    return (_untuple(_postprocess(outputs, create_graph), is_out),
            _untuple(_postprocess(res, create_graph), is_in))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick.

    Returns:
      (outputs, jvp), both nested as func's outputs.
    """
    from .._factories import zeros_like
    is_in, inputs, is_out, outputs, v = _prepare(func, inputs, v, create_graph, strict, "jvp",
                                                 v_of="inputs")
    with enable_grad():
        # backward is linear in grad_outputs: their value does not matter, only that they
        # are finite and require grad
        grad_outputs = tuple(zeros_like(out, requires_grad=True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _fill_in_zeros(grad_inputs, inputs, strict, "back")
    with set_grad_enabled(bool(create_graph) or is_grad_enabled()):
        res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, outputs, strict, "back_trick")
    return (_untuple(_postprocess(outputs, create_graph), is_out),
            _untuple(_postprocess(res, create_graph), is_out))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of `func` at `inputs`: `J[i][j]` has shape `out_i.shape + in_j.shape`.

    Nesting as PyTorch: a Tensor for one input and one output, a tuple when either is a
    tuple, a tuple of tuples when both are.

    PyTorch parity: `vectorize` and `strategy="forward-mode"` give the same values, computed
    in reverse mode (one vjp per output element, replaying one compiled program).
    """
    if strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
                "only implemented for `vectorize=True`.")
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    from .._factories import eye, zeros
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_out, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                    "jacobian")
        _check_outputs(outputs, strict)
        jac = []
        for i, out in enumerate(outputs):
            n = out.nelement()
            if out.requires_grad and n and out.is_complex() and not vectorize:
                # (torch's loop of grad() calls, one per output element, each with an
                # implicit grad_output; vectorized, it gives the conjugate Jacobian)
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            if out.requires_grad and n:
                rows = _grad([out.reshape(-1)], list(inputs), [eye(n, dtype=out.dtype)],
                             retain_graph=True, create_graph=create_graph, allow_unused=True,
                             is_grads_batched=True)
            else:
                rows = (None,) * len(inputs)
            row = []
            for j, (g, inp) in enumerate(zip(rows, inputs)):
                if g is None:
                    if strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is "
                                           f"independent of input {j}. This is not allowed "
                                           "in strict mode.")
                    g = zeros((n, *inp.shape), dtype=inp.dtype)
                row.append(g.reshape(tuple(out.shape) + tuple(inp.shape)))
            jac.append(tuple(row))
    return _untuple(_postprocess(tuple(jac), create_graph), (is_out, is_in))


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar `func` at `inputs` (H[i][j]: `in_i.shape + in_j.shape`)."""
    is_in, t_inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in _STRATEGIES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function",
                                        "hessian")
        _check_outputs(t_out, strict)
        if is_out_tuple or not _is_tensor(out):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.squeeze()

    def jac_func(*inp):
        return jacobian(single_output, inp, create_graph=True)

    res = jacobian(jac_func, t_inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _untuple(res, (is_in, is_in))


def _scalar_jac(func, inputs, v, create_graph, strict, fn_name):
    is_in, inputs, is_out, outputs, v = _prepare(func, inputs, v, create_graph, strict,
                                                 fn_name, v_of="inputs")
    if is_out or not _is_tensor(outputs[0]):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    with enable_grad():
        jac = _autograd_grad(outputs, inputs, create_graph=True)
    return is_in, inputs, is_out, outputs, v, jac


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a scalar `func`; the product nested as `inputs`."""
    is_in, inputs, is_out, outputs, v, jac = _scalar_jac(func, inputs, v, create_graph,
                                                         strict, "vhp")
    with set_grad_enabled(bool(create_graph) or is_grad_enabled()):
        res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, "double_back")
    return (_untuple(_postprocess(outputs, create_graph), is_out),
            _untuple(_postprocess(res, create_graph), is_in))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar `func`, by the double-backward trick."""
    from .._factories import zeros_like
    is_in, inputs, is_out, outputs, v, jac = _scalar_jac(func, inputs, v, create_graph,
                                                         strict, "hvp")
    with enable_grad():
        grad_jac = tuple(zeros_like(inp, requires_grad=True) for inp in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
    with set_grad_enabled(bool(create_graph) or is_grad_enabled()):
        res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, "double_back_trick")
    return (_untuple(_postprocess(outputs, create_graph), is_out),
            _untuple(_postprocess(res, create_graph), is_in))
