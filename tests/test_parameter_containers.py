"""nn.ParameterDict and nn.ParameterList against torch 2.13: the dict/list API, what is
registered (named_parameters, state_dict keys), wrapping of plain tensors, reprs, errors.

Each scenario is written once as `fn(lib)` and run with lib=torch and lib=functorch_like;
its result (keys, type names, shapes, texts) must be equal."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

import functorch_like as fl
from _tensor_ops_ref import check_raises

_A = np.array([1.0, 2.0], np.float32)
_B = np.arange(6, dtype=np.float32).reshape(3, 2)


def same(fn):
    """fn(lib) gives the same answer with torch and with functorch_like."""
    ref, got = fn(torch), fn(fl)
    assert got == ref, f"{got!r}\n!=\n{ref!r}"
    return got


def _pd(lib):
    """A ParameterDict built from a plain dict (sorted key order) with mixed values."""
    return lib.nn.ParameterDict({"b": lib.tensor(_B), "a": lib.tensor(_A), "n": 3,
                                 "z": None})


def _names(module):
    return [n for n, _ in module.named_parameters()]


def _kinds(values):
    return [type(v).__name__ for v in values]


# ---- ParameterDict ---------------------------------------------------------------------
def test_dict_wraps_tensors_and_registers_them():
    def fn(lib):
        pd = _pd(lib)
        return (list(pd), _kinds(pd.values()), pd["a"].requires_grad, _names(pd),
                list(pd.state_dict()), pd["b"].tolist(), pd.n, pd.z)
    same(fn)
    # A Parameter with requires_grad=False is stored as it is, not re-wrapped.
    same(lambda lib: lib.nn.ParameterDict(
        {"p": lib.nn.Parameter(lib.ones(2), requires_grad=False)})["p"].requires_grad)


def test_dict_attribute_access_and_nested_keys():
    def fn(lib):
        m = lib.nn.Linear(2, 2)
        m.extra = _pd(lib)
        return (m.extra.a.tolist(), m.extra.n, list(m.state_dict()), _names(m))
    same(fn)


def test_dict_read_api():
    def fn(lib):
        pd = _pd(lib)
        return (list(pd.keys()), [k for k, _ in pd.items()], len(pd), "a" in pd,
                "q" in pd, list(reversed(pd)), pd.get("q", 5), pd.get("n"), pd.get("q"))
    same(fn)


def test_dict_mutating_api():
    def fn(lib):
        pd = _pd(lib)
        out = [pd.pop("n"), list(pd)]
        k, v = pd.popitem()
        out += [k, v, list(pd)]
        out.append(type(pd.setdefault("e", lib.ones(1))).__name__)
        out.append(pd.setdefault("a") is pd["a"])
        out += [pd.setdefault("f"), list(pd), _names(pd)]
        del pd["b"]
        out += [list(pd), _names(pd), list(pd.state_dict())]
        pd.clear()
        out += [len(pd), _names(pd), hasattr(pd, "a")]
        return out
    same(fn)


def test_dict_update_order_rules():
    def fn(lib):
        pd = lib.nn.ParameterDict()
        pd.update({"y": 1, "x": 2})                             # plain dict: sorted
        pd.update(OrderedDict([("w", 1), ("c", 2)]))            # OrderedDict: its order
        pd.update([("q", lib.ones(1)), ["p", 2]])               # pairs: their order
        pd.update(lib.nn.ParameterDict(OrderedDict([("m", 1), ("b", 2)])))
        pd.update(["ab"])                   # a 2-character string is a (key, value) pair
        pd.update(((k, 0) for k in "ts"))   # a generator of pairs
        pd["x"] = lib.zeros(2)              # overwriting keeps the position
        return list(pd), pd.a, _names(pd)
    same(fn)


def test_dict_copy_fromkeys_and_or():
    def fn(lib):
        pd = _pd(lib)
        cp = pd.copy()
        other = lib.nn.ParameterDict(OrderedDict([("o", lib.ones(1)), ("n", 7)]))
        merged = pd | other
        ror = OrderedDict(q=1) | pd
        pd |= {"k": 1}
        fk = pd.fromkeys(["u", "v"], lib.ones(2))
        return (type(cp).__name__, list(cp), cp["a"] is pd["a"], list(merged),
                merged["n"], type(ror).__name__, list(ror), list(pd), _names(fk),
                fk["u"] is fk["v"], list(pd.fromkeys("xy").items()))
    same(fn)


def test_dict_repr():
    def fn(lib):
        pd = _pd(lib)
        pd["h"] = lib.ones(2, 3, dtype=lib.float16)
        pd["s"] = lib.nn.Parameter(lib.tensor(1.0), requires_grad=False)
        m = lib.nn.Module()
        m.pd = pd
        return repr(pd), repr(m), repr(lib.nn.ParameterDict())
    same(fn)
    assert "(h): Parameter containing: [torch.HalfTensor of size 2x3]" in repr(_pd_h())


def _pd_h():
    return fl.nn.ParameterDict({"h": fl.ones(2, 3, dtype=fl.float16)})


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.ParameterDict()[0],
    lambda lib: lib.nn.ParameterDict().__setitem__(1, lib.ones(1)),
    lambda lib: lib.nn.ParameterDict()["missing"],
    lambda lib: lib.nn.ParameterDict().pop("missing"),
    lambda lib: lib.nn.ParameterDict().__delitem__("missing"),
    lambda lib: lib.nn.ParameterDict().popitem(),
    lambda lib: lib.nn.ParameterDict(3),
    lambda lib: lib.nn.ParameterDict([3]),
    lambda lib: lib.nn.ParameterDict([("a", 1, 2)]),
    lambda lib: lib.nn.ParameterDict() | 3,
    lambda lib: lib.nn.ParameterDict({"a.b": lib.ones(1)}),
    lambda lib: lib.nn.ParameterDict({"": lib.ones(1)}),
    lambda lib: lib.nn.ParameterDict({"keys": lib.ones(1)}),
    lambda lib: lib.nn.ParameterDict({"i": lib.ones(2, dtype=lib.int32)}),
    lambda lib: lib.nn.ParameterDict({"w": lib.ones(1)}).__setitem__("w", 5),
    lambda lib: lib.nn.ParameterDict()(lib.ones(1)),
], ids=["get-int", "set-int", "get-missing", "pop-missing", "del-missing", "popitem-empty",
        "update-int", "update-elem-int", "update-elem-len3", "or-int", "dot-key", "empty-key",
        "method-key", "int-tensor", "param-to-int", "call"])
def test_dict_errors(case):
    check_raises(case)


def test_dict_failed_key_stays_listed_as_torch():
    # torch records the key before validating it; so does functorch_like (parity quirk).
    def fn(lib):
        pd = lib.nn.ParameterDict()
        for key in (1, "a.b"):
            try:
                pd[key] = lib.ones(1)
            except (TypeError, KeyError):
                pass
        return list(pd), _names(pd)
    same(fn)


def test_dict_parameters_train():
    pd = fl.nn.ParameterDict({"w": fl.tensor(_A), "n": 2})
    opt = fl.optim.SGD(pd.parameters(), lr=0.5)
    (pd["w"] * pd["w"]).sum().backward()
    opt.step()
    np.testing.assert_allclose(pd["w"].detach().numpy(), _A - 0.5 * 2 * _A)


# ---- ParameterList ---------------------------------------------------------------------
def _pl(lib):
    return lib.nn.ParameterList([lib.tensor(_A), lib.nn.Parameter(lib.tensor(_B),
                                 requires_grad=False), "s", None, 4])


def test_list_wraps_tensors_and_registers_them():
    def fn(lib):
        pl = _pl(lib)
        return (len(pl), _kinds(pl), [getattr(p, "requires_grad", None) for p in pl],
                _names(pl), list(pl.state_dict()), pl[0].tolist(), pl[-1],
                [k for k in dir(pl) if k.isdigit()])
    same(fn)


def test_list_indexing_slicing_and_growth():
    def fn(lib):
        pl = _pl(lib)
        sl = pl[1:4]
        out = [type(sl).__name__, _kinds(sl), sl[0] is pl[1], _kinds(pl[::2]),
               _names(pl[::-2]), _kinds(reversed(pl))]
        out.append(pl.append(lib.ones(1)) is pl)
        out.append(pl.extend([lib.ones(2), 5]) is pl)
        pl += (lib.zeros(3),)
        pl[4] = lib.ones(2)              # an int slot becomes a registered Parameter
        pl[2] = 8                        # a str slot takes an int
        out += [len(pl), _kinds(pl), _names(pl), list(pl.state_dict())]
        return out
    same(fn)


def test_list_repr():
    def fn(lib):
        pl = _pl(lib)
        pl.append(lib.ones(2, 3, dtype=lib.float16))
        pl.append(lib.nn.Linear(1, 1))
        m = lib.nn.Module()
        m.pl = pl
        return repr(pl), repr(m), repr(lib.nn.ParameterList())
    same(fn)


@pytest.mark.parametrize("case", [
    lambda lib: lib.nn.ParameterList(lib.ones(2)),
    lambda lib: lib.nn.ParameterList(3),
    lambda lib: lib.nn.ParameterList().extend(lib.ones(2)),
    lambda lib: lib.nn.ParameterList().__iadd__(lib.ones(2)),
    lambda lib: lib.nn.ParameterList([1])[1],
    lambda lib: lib.nn.ParameterList([1])[-2],
    lambda lib: lib.nn.ParameterList([1])["0"],
    lambda lib: lib.nn.ParameterList().__setitem__(0, 1),
    lambda lib: lib.nn.ParameterList([lib.ones(1)]).__setitem__(0, 7),
    lambda lib: lib.nn.ParameterList([1]) + lib.nn.ParameterList([2]),
    lambda lib: lib.nn.ParameterList().insert(0, 1),
    lambda lib: lib.nn.ParameterList([1]).pop(),
    lambda lib: lib.nn.ParameterList([lib.ones(2, dtype=lib.int32)]),
    lambda lib: lib.nn.ParameterList()(1),
], ids=["ctor-tensor", "ctor-int", "extend-tensor", "iadd-tensor", "index-high",
        "index-low", "index-str", "set-out-of-range", "param-to-int", "add", "insert", "pop",
        "int-tensor", "call"])
def test_list_errors(case):
    check_raises(case)
