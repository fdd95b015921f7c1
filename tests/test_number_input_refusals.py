"""torch.* functions whose `input` is a Tensor refuse a Python number with torch's
TypeError (`torch.exp(1.0)`: "exp(): argument 'input' (position 1) must be Tensor, not
float"), where jnp takes the number and a result torch never gives came back. Likewise
the loss/distance functions whose second argument is a Tensor, and mvlgamma's int `p`
(1.5 was truncated to 1)."""

import inspect
import re
import warnings

import pytest
import torch

import functorch_like as fl


def _error(call):
    with pytest.raises(TypeError) as info:
        call()
    return str(info.value).splitlines()[0]


STATEFUL = re.compile(r"(set_|use_|manual_seed|seed|compile|enable_|disable_)")
NAMESPACES = {"torch": (torch, fl, ""), "special": (torch.special, fl.special, "special_"),
              "functional": (torch.nn.functional, fl.nn.functional, "")}


def _refusing_torch_functions() -> list:
    """(namespace, name) of the torch functions (that functorch_like has too) whose first
    parameter torch declares a Tensor: torch 2.13 refuses a float there with "must be
    Tensor", under the function's own (native) name."""
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for where, (t_mod, f_mod, prefix) in NAMESPACES.items():
            for name in sorted(dir(t_mod)):
                fn = getattr(t_mod, name, None)
                if (name.startswith("_") or isinstance(fn, type) or not callable(fn)
                        or not hasattr(f_mod, name) or name == "normal"  # (normal(1., 2.))
                        or STATEFUL.match(name)
                        or (where == "torch" and not inspect.isbuiltin(fn))):
                    # (torch's own Python functions in its namespace include setters of
                    # global state: torch.compile(1.0) switched distributions' validation
                    # off for the rest of the session, set_printoptions(1.0) broke printing)
                    continue
                try:
                    fn(1.0)
                except TypeError as e:
                    if re.match(re.escape(prefix + name) + r"\(\): argument '\w+' \(position "
                                r"1\) must be Tensor, not float", str(e)):
                        found.append((where, name))
                except Exception:
                    pass
    return found


REFUSING = _refusing_torch_functions()


def test_the_scan_found_the_functions():
    names = {where: {n for w, n in REFUSING if w == where} for where in NAMESPACES}
    assert len(names["torch"]) > 300 and {"exp", "sum", "where", "trapezoid"} <= names["torch"]
    assert {"expit", "erfcx", "airy_ai"} <= names["special"]
    assert {"relu", "linear", "alpha_dropout", "pixel_shuffle"} <= names["functional"]


@pytest.mark.parametrize("where,name", REFUSING)
@pytest.mark.parametrize("number", [1.0, 2, [1.0]])
def test_number_input_refused_as_torch(where, name, number):
    t_mod, f_mod, _ = NAMESPACES[where]
    expected = _error(lambda: getattr(t_mod, name)(number))
    assert _error(lambda: getattr(f_mod, name)(number)) == expected


@pytest.mark.parametrize("name", ["exp", "sigmoid", "nan_to_num", "relu", "isnan"])
def test_tensor_input_still_computes(name):
    x = [0.5, -1.0, 2.0]
    got = getattr(fl, name)(fl.tensor(x)).numpy()
    want = getattr(torch, name)(torch.tensor(x)).numpy()
    assert (got == want).all() or abs(got - want).max() < 1e-6


@pytest.mark.parametrize("name", ["binary_cross_entropy_with_logits",
                                  "hinge_embedding_loss", "kl_div", "pairwise_distance",
                                  "binomial"])
def test_second_tensor_argument_refuses_a_number(name):
    for args in ((1.0, 1.0), ("t", 0.5)):
        make = {"torch": lambda: torch.ones(3), "fl": lambda: fl.ones(3)}
        t_args = [make["torch"]() if a == "t" else a for a in args]
        f_args = [make["fl"]() if a == "t" else a for a in args]
        expected = _error(lambda: getattr(torch, name)(*t_args))
        assert _error(lambda: getattr(fl, name)(*f_args)) == expected


@pytest.mark.parametrize("p", [1.0, 2.5, True])
def test_mvlgamma_p_must_be_int(p):
    for t_call, f_call in [
            (lambda: torch.mvlgamma(torch.ones(2) * 3, p),
             lambda: fl.mvlgamma(fl.ones(2) * 3, p)),
            (lambda: torch.special.multigammaln(torch.ones(2) * 3, p),
             lambda: fl.special.multigammaln(fl.ones(2) * 3, p)),
            (lambda: (torch.ones(2) * 3).mvlgamma(p), lambda: (fl.ones(2) * 3).mvlgamma(p)),
            (lambda: (torch.ones(2) * 3).mvlgamma_(p),
             lambda: (fl.ones(2) * 3).mvlgamma_(p))]:
        assert _error(f_call) == _error(t_call)


def test_mvlgamma_int_p_values():
    x = [2.0, 3.5]
    for p in (1, 2, 3):
        got = fl.mvlgamma(fl.tensor(x), p).numpy()
        want = torch.mvlgamma(torch.tensor(x), p).numpy()
        assert abs(got - want).max() < 1e-5
