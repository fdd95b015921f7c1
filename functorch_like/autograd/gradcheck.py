"""torch.autograd.gradcheck / gradgradcheck: analytical gradients (the engine's backward)
against central finite differences."""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck/gradgradcheck when a Jacobian does not match (PyTorch's class)."""


def _tensor_type():
    from .._tensor import Tensor      # (lazily: this package is imported by _tensor)
    return Tensor


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(func, inputs):
    """The outputs that require grad, as torch's (complex ones too: see _real_and_imag)."""
    Tensor = _tensor_type()
    outs = _as_tuple(func(*inputs))
    return tuple(o for o in outs if isinstance(o, Tensor) and o.requires_grad)


def _real_and_imag(func):
    """func with torch.real, and with torch.imag, applied to its complex outputs: torch
    checks a complex output as its two real parts."""
    def applied(part):
        def wrapped(*inputs):
            return tuple(getattr(o, part) if _is_complex(o) else o
                         for o in _as_tuple(func(*inputs)))
        return wrapped
    return applied("real"), applied("imag")


def _is_complex(x) -> bool:
    return isinstance(x, _tensor_type()) and x.is_complex()


def _numerical(func, inputs, wanted, n_outputs, eps):
    """jac[j][i]: (numel of input j, numel of output i), by central differences; for a
    complex input, the conjugate Wirtinger derivative ds/dx + i ds/dy (its real and
    imaginary parts moved in turn), which the backward of a real output gives."""
    from .._factories import tensor
    jac = []
    for j in wanted:
        base = np.array(inputs[j].detach().numpy())
        directions = (1, 1j) if np.iscomplexobj(base) else (1,)
        cols: list[list] = [[] for _ in range(n_outputs)]
        for k in range(base.size):
            column = [0] * n_outputs
            for direction in directions:
                values = []
                for sign in (1, -1):
                    moved = base.copy()
                    moved.reshape(-1)[k] += sign * eps * direction
                    args = list(inputs)
                    # (grad stays on, as in PyTorch: gradgradcheck's function calls grad)
                    args[j] = tensor(moved, dtype=inputs[j].dtype, requires_grad=True)
                    values.append([o.detach().numpy().reshape(-1)
                                   for o in _differentiable_outputs(func, args)])
                for i in range(n_outputs):
                    column[i] = column[i] + (values[0][i] - values[1][i]) / (2 * eps) \
                        * direction
            for i in range(n_outputs):
                cols[i].append(column[i])
        jac.append([np.stack(c) if c else np.zeros((0, 0)) for c in cols])
    return jac


def _analytical(outputs, inputs, wanted):
    """jac[j][i] from one vector-Jacobian product per output element."""
    from .._factories import eye
    from . import grad
    jac = [[None] * len(outputs) for _ in wanted]
    for i, out in enumerate(outputs):
        n = out.numel()
        diff = [inputs[j] for j in wanted]
        if out.requires_grad and n:
            rows = grad([out.reshape(-1)], diff, [eye(n, dtype=out.dtype)], retain_graph=True,
                        allow_unused=True, is_grads_batched=True)
        else:
            rows = (None,) * len(diff)
        for col, (g, inp) in enumerate(zip(rows, diff)):
            # (+ 0: a conjugate's -0 imaginary parts print as torch's 0)
            jac[col][i] = (np.zeros((inp.numel(), n)) if g is None
                           else g.detach().numpy().reshape(n, -1).T + 0)
    return jac


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Checks the gradients of `func` at `inputs` (Tensors; those with requires_grad are
    differentiated) against finite differences: |analytical - numerical| <= atol +
    rtol * |numerical| for every output/input pair. Use float64 inputs.

    Returns True, or False (with raise_exception=False) on a mismatch; raises GradcheckError
    otherwise, with PyTorch's message (both Jacobians laid out (input numel, output numel)).

    PyTorch parity: the optional checks (undefined grads, batched grads, forward AD,
    fast_mode) are accepted and not run; the slow (full Jacobian) mode always runs.
    """
    Tensor = _tensor_type()
    inputs = _as_tuple(inputs)
    wanted = [j for j, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wanted:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    for j in wanted:
        if inputs[j].dtype.itemsize < 8 and not inputs[j].is_complex():
            warnings.warn(f"Input #{j} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", stacklevel=2)
    outputs = _differentiable_outputs(func, inputs)
    complex_outputs = [i for i, o in enumerate(outputs) if o.is_complex()]
    if not complex_outputs:
        return _check(func, inputs, wanted, eps, atol, rtol, raise_exception,
                      outputs=outputs)
    # A complex output is checked as its imaginary part, then its real part, as torch's.
    real_fn, imag_fn = _real_and_imag(func)
    return (_check(imag_fn, inputs, wanted, eps, atol, rtol, raise_exception,
                   complex_outputs, "imaginary")
            and _check(real_fn, inputs, wanted, eps, atol, rtol, raise_exception,
                       complex_outputs, "real"))


def _check(func, inputs, wanted, eps, atol, rtol, raise_exception, complex_outputs=(),
           part=None, outputs=None) -> bool:
    """gradcheck of a function whose outputs are real (`outputs`, where the caller has
    them from its own call)."""
    from .._tensor_str import format_tensor
    if outputs is None:
        outputs = _differentiable_outputs(func, inputs)
    analytical = _analytical(outputs, inputs, wanted)
    numerical = _numerical(func, inputs, wanted, len(outputs), eps)
    for col, j in enumerate(wanted):
        for i in range(len(outputs)):
            a, n = analytical[col][i], numerical[col][i]
            if a.shape == n.shape and np.allclose(a, n, rtol=rtol, atol=atol):
                continue
            if not raise_exception:
                return False
            # (a complex input's Jacobians are complex, in its dtype)
            dtype = str(inputs[j].dtype if inputs[j].is_complex() else outputs[i].dtype)
            suffix = [] if dtype == "torch.float32" else [f"dtype={dtype}"]
            prefix = (f"While considering the {part} part of complex outputs only, "
                      if i in complex_outputs else "")
            raise GradcheckError(
                f"{prefix}Jacobian mismatch for output {i} with respect to input {j},\n"
                f"numerical:{format_tensor(n, suffixes=suffix)}\n"
                f"analytical:{format_tensor(a, suffixes=suffix)}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Checks second derivatives: gradcheck of `grad_outputs -> autograd.grad(func(inputs),
    inputs, grad_outputs, create_graph=True)`. Without grad_outputs, random ones in
    [-1, 1) (from a fixed numpy seed: the global generator is left alone)."""
    from .._factories import tensor
    from . import grad
    Tensor = _tensor_type()
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _differentiable_outputs(func, inputs)
        grad_outputs = tuple(
            tensor(rng.uniform(-1, 1, tuple(o.shape)), dtype=o.dtype, requires_grad=True)
            for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_derivative(*args):
        ins, gouts = args[:n_in], args[n_in:]
        outs = _differentiable_outputs(func, ins)
        diff = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
        pairs = [(o, g) for o, g in zip(outs, gouts) if o.requires_grad]
        grads = grad([o for o, _ in pairs], diff, [g for _, g in pairs], create_graph=True,
                     allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
