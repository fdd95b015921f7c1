"""optim.Optimizer: PyTorch's param_groups/state/state_dict over the pure optimizers.

`step()` gathers every parameter that has a gradient, across all groups, and runs one
compiled program: each group's pure transform (functorch_like.pure.optim) updates its
parameters and state. Numeric hyperparameters (lr, betas, ...) are inputs of that program,
so a scheduler changing `group["lr"]` never recompiles; structural options (nesterov,
amsgrad, momentum on/off) and the set of parameters with gradients select the program.
Per-parameter state lives in `optimizer.state[p]` under PyTorch's key names, as Tensors
that each step updates in place (as torch's), so that one kept from before a step sees it.
PyTorch-parity note: "step" is an int32 tensor (torch's is float32); state_dict() gives
torch's float32.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from typing import Callable, Iterable

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import _trace_state
from ..pure.optim import _base as _checks
from .._host import owned
from .._tensor import Tensor, publish, typename
from .._writes import WRITES, CountedDefaultDict, counted
from ._capturable import check_capturable
from ._state_checks import check_state_matches
from ._hooks import HOOK_DICTS, OptimizerHooks, hooked_step
from ._hooks import register_optimizer_step_post_hook as register_optimizer_step_post_hook
from ._hooks import register_optimizer_step_pre_hook as register_optimizer_step_pre_hook
from ..autograd import _errors as _ag_errors
from ..autograd._grad_mode import enable_grad
from ._differentiable import differentiable_update


__all__ = ["Optimizer", "register_optimizer_step_post_hook",
           "register_optimizer_step_pre_hook", "required"]


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_trace_count = 0

# Step programs shared by every optimizer: (optimizer class, per-group static keys and
# parameter counts) -> jitted update. A subclass's `_static_key` fixes everything its
# transforms' `update` does (the rest are traced hyperparameters), so a second optimizer
# with the same options, e.g. a fresh one resumed from a state_dict, compiles nothing.
_PROGRAMS: dict = {}

# State entries whose update depends only on themselves (step = step + 1). Parameters of a
# group that step together hold one shared array for them, so that a compiled step carries
# one step counter per group, as an optax step does, instead of one per parameter.
_SHARED_KEYS = ("step",)


def compile_count() -> int:
    """How many times an optimizer step program has been traced (= compiled)."""
    return _trace_count


_typename = typename


class Optimizer(OptimizerHooks):
    """Base class. The optimizers here define `_transform(group)` (a pure optax transform
    built from the group's structural options) and `_hyperparams(group)` (the numeric
    values passed in at every step), and share `step()`.

    A subclass written as for PyTorch (its own `step()` updating `p` in place from `p.grad`
    and `self.state[p]`, no `_transform`) works as torch.optim.Optimizer's: its groups are
    not validated further, `state_dict()` holds its state entries as they are, and
    `load_state_dict()` casts tensors to a floating parameter's dtype (except "step").
    PyTorch-parity note: the loaded tensors are copies (torch's `.to()` may keep the
    state_dict's own), since a compiled step donates the state it updates. Under
    functorch_like.compile its hyperparameters are Python values that its step may branch
    on: a compiled step is traced again when one changes.
    """

    # PyTorch's per-parameter state keys shown by state_dict(), in order.
    _state_keys: tuple = ()
    # Per-parameter 0-d state entries torch keeps as float32 tensors (NAdam's mu_product,
    # ASGD's eta and mu): loaded as such, not in the parameter's shape and dtype.
    _scalar_state_keys: tuple = ()
    # Whether torch has state for a parameter before its first step (Adagrad makes it in
    # the constructor); else state_dict() leaves out state that has not stepped yet.
    _state_before_first_step = False
    # Its first op meeting a changed parameter is `grad op state` (Rprop), not the reverse
    # (the operands' order in torch's size-mismatch error; optim/_state_checks.py).
    _grad_meets_state_first = False
    # A subclass without a transform whose state and state_dict are of its own making.
    _own_state_format = False
    # torch's RuntimeError at a step with a complex parameter, for those that refuse them
    # (the others update complex parameters as pairs of real numbers: _update_as_real).
    _complex_error: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The step hooks run around every class's own step (torch patches it at init).
        if "step" in cls.__dict__:
            cls.step = hooked_step(cls.__dict__["step"])

    def __init__(self, params: Iterable, defaults: dict):
        # torch's optimizers check this first (before `0 <= lr`, which needs one element).
        lr = defaults.get("lr")
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        self._init_hooks()
        self.defaults = defaults
        # (counted: a compiled step's snapshot need not look inside it; prints and pickles
        # as torch's defaultdict(dict))
        self.state: defaultdict = CountedDefaultDict()
        self.param_groups: list[dict] = []
        self._programs: dict = {}
        self._samples: dict = {}
        self._hp_arrays: dict = {}
        self._static_groups: list[dict] | None = None
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        # torch checks the constructor's values only: a group's own (a momentum of 0 for
        # biases beside nesterov=True, or any value set later) is used as it is.
        if not any(v is required for v in defaults.values()):
            self._validate({**defaults, "params": []})
        for group in param_groups:
            self.add_param_group(group)
        # (the implementation flags do nothing here, but their invalid combinations raise
        # as in torch, whose optimizers that take `fused` check them after their groups)
        if defaults.get("fused"):
            if defaults.get("differentiable"):
                raise RuntimeError("`fused` does not support `differentiable`")
            if defaults.get("foreach"):
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setattr__(self, name: str, value) -> None:
        # A counted write (`_writes`): a compiled step's snapshot need not look at the
        # attributes it reads (`state`, `param_groups`) while the count stands.
        WRITES.count += 1
        object.__setattr__(self, name, value)

    def __getstate__(self):
        # Compiled programs (and a scheduler's wrapper of `step`) are rebuilt, not pickled,
        # so an optimizer pickles and deep-copies as torch's does.
        # Hooks are not kept either, as torch's.
        return {k: v for k, v in self.__dict__.items()
                if k not in ("_programs", "_samples", "_hp_arrays", "step", "_in_hooked_step",
                             *HOOK_DICTS)}

    def __setstate__(self, state):
        self._init_hooks()
        self.__dict__.update(state)
        if isinstance(self.__dict__.get("state"), dict):    # (unpickled as plain dicts)
            self.state = CountedDefaultDict(
                {p: counted(e) if type(e) is dict else e for p, e in self.state.items()})
        self._programs, self._samples, self._hp_arrays = {}, {}, {}

    def __repr__(self) -> str:
        # torch's layout: every line ends in a newline, so groups are a blank line apart.
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- groups -----------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Adds a group: its own params and any hyperparameters overriding the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        # Named parameters (`model.named_parameters()`): the names go to "param_names".
        named = [isinstance(p, tuple) and len(p) == 2 for p in param_group["params"]]
        if any(named):
            if not all(named):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = [name for name, _ in param_group["params"]]
            param_group["params"] = [p for _, p in param_group["params"]]
        if self.param_groups and (("param_names" in param_group)
                                  != ("param_names" in self.param_groups[0])):
            kind = "with names" if "param_names" in param_group else "without names"
            raise ValueError("all optimizer param groups should be with/without names. "
                             f"cannot add param group {kind} to the optimizer")
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            # torch accepts a non-leaf that retains its grad, or any with differentiable=True
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _validate(self, group: dict) -> None:
        """Checks the constructor's values with PyTorch's messages (by building a group of
        them)."""
        if not self._pytorch_style():
            self._transform(group)

    @classmethod
    def _pytorch_style(cls) -> bool:
        """Whether this is a subclass written as for PyTorch: its own step(), no transform
        (LBFGS and OptaxOptimizer have neither, but their own state formats)."""
        return cls._transform is Optimizer._transform and not cls._own_state_format

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        outside = not isinstance(p.grad._value, jax.core.Tracer)
                        p._zero_grad_in_place()
                        recorder = _trace_state.state.scheduler_recorder
                        if recorder is not None and outside:
                            # Inside compile, a .grad that is no input of the program (a
                            # frozen parameter's, left from before): zeroed after each call.
                            recorder.after_each_call(lambda p=p: _zero_grad(p))

    # ---- subclass interface -----------------------------------------------------------
    def _transform(self, group: dict) -> optax.GradientTransformation:
        raise NotImplementedError

    def _static_key(self, group: dict) -> tuple:
        """The options that change the program (not its inputs). For a PyTorch-style
        subclass, every hyperparameter: its step reads them as Python values."""
        if not self._pytorch_style():
            raise NotImplementedError
        return tuple((k, _hashable(v)) for k, v in group.items() if k != "params")

    def _hyperparams(self, group: dict) -> dict:
        raise NotImplementedError

    def _skipped_hyperparams(self, group: dict, static: dict | None = None) -> tuple:
        """The hyperparameters torch's step skips at their current value: a weight_decay of
        0 (`if weight_decay != 0:` in every torch optimizer). Their term is left out of
        the update program, as there: it then reads no parameter for a decay of nothing,
        and a parameter holding inf keeps a finite L2 gradient (0 * inf is NaN).

        static: under functorch_like.compile, the group's numbers as the call began. A
        value that is still the program's input for one of them stands for that number
        (the compiled step is guarded on it: _program_key); one the step set itself is
        taken as it is (a traced one is never skipped)."""
        value = group.get("weight_decay")
        inputs = _trace_state.state.hp_inputs
        if static is not None and inputs and \
                inputs.get((id(group), "weight_decay")) is value:
            value = static.get("weight_decay")
        if type(value) in (int, float) and value == 0:
            return ("weight_decay",)
        return ()

    def _program_key(self, group: dict) -> tuple:
        """What fixes the update program of a group: its structural options and the
        hyperparameters skipped at their value (a compiled step guards on both)."""
        return self._static_key(group), self._skipped_hyperparams(group)

    def _check_changed_param(self, group: dict, p: Tensor, entry: dict) -> None:
        """torch's error when p's shape or dtype changed since its state was made."""
        check_state_matches(self, group, p, entry)

    def _param_shaped_state_keys(self) -> tuple:
        """The state entries shaped like the parameter (checked against a changed one)."""
        return tuple(k for k in self._state_keys
                     if k != "step" and k not in self._scalar_state_keys)

    def _lerps_state(self, group: dict) -> bool:
        """Whether torch's step updates the state with `lerp_`, which refuses a gradient
        of another dtype than the state's."""
        del group
        return False

    def _param_outgrown(self, new: tuple, both: tuple) -> None:
        """A parameter shrank to a shape its state broadcasts from: torch's in-place
        update of the parameter with a `both`-shaped term fails."""
        raise RuntimeError(f"output with shape {list(new)} doesn't match the broadcast "
                           f"shape {list(both)}")

    # ---- the step ---------------------------------------------------------------------
    def _group_state(self, group: dict, params: list[Tensor], transform, static,
                     skipped: tuple = ()):
        """The pure state NamedTuple for `params`, from per-parameter state (fresh state
        for parameters seen for the first time). The hyperparameters named in `skipped`
        are left out of it (the pure update then leaves out their term)."""
        new = [p for p in params if self._needs_fresh_state(static, self.state[p])]
        if new:
            fresh = transform.init([p._value for p in new])
            for i, p in enumerate(new):
                # In place: functorch_like.compile holds these dicts as its state slots.
                self.state[p].clear()
                self.state[p].update({
                    # Parameters that start together share one step-count array (in
                    # tensors of their own, as torch's).
                    name: _wrap(getattr(fresh, name)[0 if name in _SHARED_KEYS else i])
                    for name in fresh._fields
                    if name != "hyperparams" and getattr(fresh, name) is not None})
        sample = self._empty_state(static, transform)
        fields = {}
        for name in sample._fields:
            if name == "hyperparams":
                fields[name] = {k: self._hp_array(group, k, v, sample.hyperparams[k].dtype)
                                for k, v in self._hyperparams(group).items()
                                if k not in skipped}
            elif getattr(sample, name) is None:
                fields[name] = None
            else:
                fields[name] = [_array(self.state[p][name]) for p in params]
        return type(sample)(**fields)

    def _hp_array(self, group: dict, name: str, value, dtype):
        """A hyperparameter as a device scalar, made again only when its value changed
        (a conversion per hyperparameter per step costs more than the update itself)."""
        if isinstance(value, jax.core.Tracer):        # inside functorch_like.compile
            return jnp.asarray(value, dtype)
        if isinstance(value, Tensor):
            # (read every step: torch's schedulers change a tensor lr in place, fill_)
            return value._value.astype(dtype)
        if _trace_state.state.compiling:
            # A number the compiled step set (`group["lr"] = 0.05`): a constant of its
            # program, not a device array kept here (jax would make that an argument of
            # the executable, which its fast path then failed to pass).
            return np.asarray(value, dtype)
        key = (id(group), name)
        cached = self._hp_arrays.get(key)
        if cached is None or cached[0] != value or type(cached[0]) is not type(value) \
                or cached[1].dtype != dtype:
            cached = self._hp_arrays[key] = (value, jnp.asarray(value, dtype))
        return cached[1]

    def _needs_fresh_state(self, static: tuple, entry: dict) -> bool:
        """Whether a parameter's state starts now: torch creates it at the parameter's
        first step. (A structural option switched on later, e.g. amsgrad, finds its
        buffer missing and raises KeyError, as in torch.)"""
        del static
        return not entry

    def _empty_state(self, static: tuple, transform):
        # The state's structure (which buffers exist, hyperparameter dtypes) per options.
        sample = self._samples.get(static)
        if sample is None:
            sample = self._samples[static] = transform.init([])
        return sample

    def _init_state(self) -> None:
        """Creates the state of every parameter that requires grad and has none yet (so a
        compiled step sees the same state structure on every call); a PyTorch-style
        subclass makes its own, in its step."""
        if self._pytorch_style():
            return
        for group in self.param_groups:
            with _checks.unchecked():     # (torch checks values at construction only)
                transform = self._transform(group)
            params = [p for p in group["params"] if p.requires_grad]
            self._group_state(group, params, transform, self._static_key(group))

    def _program(self, key: tuple, transforms: list) -> Callable:
        program = _PROGRAMS.get((type(self), key))
        if program is None:
            def run(params, grads, states):
                global _trace_count
                _trace_count += 1      # once per trace = once per compilation
                out_params, out_states = [], []
                for transform, p, g, s in zip(transforms, params, grads, states):
                    out_p, out_s = update_group(transform, p, g, s)
                    out_params.append(out_p)
                    out_states.append(out_s)
                return out_params, out_states
            program = _PROGRAMS[type(self), key] = jax.jit(run)
        return program

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient (one compiled program)."""
        if _trace_state.state.discover is not None:
            _trace_state.state.discover(self)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        key, transforms, groups_params, params, grads, states = [], [], [], [], [], []
        # Under functorch_like.compile the live groups may hold traced hyperparameters;
        # structural decisions read the concrete snapshot instead, except for an option the
        # step itself set to a concrete value (`group["momentum"] = 0.9` before step()).
        static_groups = self.param_groups if self._static_groups is None else [
            _step_static(g, s) for g, s in zip(self.param_groups, self._static_groups)]
        for group, sgroup in zip(self.param_groups, static_groups):
            live = [p for p in group["params"] if p.grad is not None]
            check_capturable(type(self), sgroup, live)     # (before the update's own checks)
            if sgroup.get("differentiable") and any(p.is_leaf and p.requires_grad
                                                    for p in live):
                # torch's differentiable step runs with grad on: its in-place update of a
                # leaf parameter fails (a clone or non-leaf parameter is what it expects).
                raise RuntimeError(_ag_errors.LEAF_INPLACE)
            if self._complex_error and any(jnp.iscomplexobj(p._value) for p in live):
                raise RuntimeError(self._complex_error)
            for p in live:
                # (new state enters self.state in the group's order, as torch's)
                self._check_changed_param(sgroup, p, self.state[p])
            # The update runs over the group's tensors smallest first: the same per-tensor
            # arithmetic, but XLA's CPU scheduler then keeps fewer activations of a compiled
            # training step alive. In PyTorch's order (weight before bias) an MLP step
            # needed up to 1.39x the memory of the same step written over a dict in JAX;
            # in this order it needs the same (scripts/xla_memory.py --sweep).
            live.sort(key=_numel)
            with _checks.unchecked():     # (torch checks values at construction only)
                transform = self._transform(sgroup)
            static = self._static_key(sgroup)
            skipped = self._skipped_hyperparams(group, sgroup)
            state = self._group_state(group, live, transform, static, skipped)
            if sgroup.get("differentiable"):
                # (recorded in the graph, with grad on whatever the caller's mode, as
                # torch's: see _differentiable.py)
                differentiable_update(live, state, transform, [self.state[p] for p in live],
                                      update_group)
                continue
            key.append((static, skipped, len(live)))
            transforms.append(transform)
            groups_params.append(live)
            params.append([p._value for p in live])
            grads.append([p.grad._value.astype(p._value.dtype) for p in live])
            states.append(state)
        program = self._program(tuple(key), transforms)
        new_params, new_states = program(params, grads, states)
        for live, values, state, old, given in zip(groups_params, new_params, new_states,
                                                   states, params):
            # A step count the group's parameters shared stays shared (they stepped together).
            shared = {name for name in _SHARED_KEYS if _all_same(getattr(old, name, None))}
            for i, (p, value) in enumerate(zip(live, values)):
                if p._value is not given[i]:
                    # p shares storage with a parameter updated just before it (tied
                    # through .data): torch's in-place updates add up on the storage
                    value = p._value + (value - given[i])
                p._value = value
                p._version += 1
                publish(p)
                entry = self.state[p]
                # Buffers the current options do not use (max_exp_avg_sq after amsgrad is
                # switched off) stay as they were, as in torch.
                for name in state._fields:
                    value = getattr(state, name)
                    if name != "hyperparams" and value is not None:
                        value = value[0 if name in shared else i]
                        if value is not None:
                            _set_entry(entry, name, value)
        return loss

    # ---- state_dict ---------------------------------------------------------------------
    def _export_state(self, entry: dict) -> dict:
        out = {}
        for name in self._state_keys:
            if name not in entry:
                continue
            if name != "step" and isinstance(entry[name], Tensor):
                # The live state tensor itself, as torch's: later steps (eager or
                # compiled, whose write-back replaces its value) show through it.
                out[name] = entry[name]
                continue
            value = _array(entry[name])
            if name == "step":
                value = value.astype(jnp.float32)    # PyTorch keeps step as float32 0-d
            else:
                # A copy: a compiled step donates (frees) the buffers it updates, which
                # would leave a state_dict kept from before it unreadable.
                value = jnp.array(value, copy=True)
            out[name] = Tensor._make(value)
        return out

    def _import_state(self, entry: dict, p: Tensor) -> dict:
        state = {}
        for name, value in entry.items():
            if value is None:         # torch < 2.1 saved SGD's unused momentum_buffer as None
                continue
            arr = value._value if isinstance(value, Tensor) else owned(value)
            # Copies: the loaded state must not share buffers with the source state_dict
            # (a compiled step donates, i.e. deletes, the buffers it updates).
            if name == "step":
                state[name] = jnp.array(arr, jnp.int32, copy=True).reshape(())
            elif name in self._scalar_state_keys:
                state[name] = jnp.array(arr, jnp.float32, copy=True).reshape(())
            else:
                # (its own shape, as torch's: a buffer that does not fit the parameter
                # makes the next step raise torch's error, not train on it reshaped)
                state[name] = jnp.array(arr, p._value.dtype, copy=True)
        return state

    def _load_entry(self, entry: dict, p: Tensor) -> dict:
        """A saved entry as this optimizer's state: arrays made by _import_state and
        _complete_state, each in a Tensor of its own."""
        state = self._complete_state(self._import_state(entry, p), p)
        if self._own_state_format:          # (LBFGS: arrays and lists of its own)
            return state
        return {k: _wrap(v) for k, v in state.items()}

    def state_dict(self) -> dict:
        """PyTorch's format: see _state_dict; its hooks run around it."""
        return self._state_dict_hooked(self._state_dict)

    def _state_dict(self) -> dict:
        """PyTorch's format: {"state": {index: {...}}, "param_groups": [{..., "params":
        [indices]}]}, indices counting parameters across groups in order; `state` in the
        order the parameters' state was created, and only those with visible state (SGD
        without momentum has none), as torch.

        The state tensors are the live ones, as torch's: later steps change them in place
        (PyTorch-parity note: except "step", a float32 copy of the int32 count kept here)."""
        index, groups = {}, []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                if id(p) not in index:
                    index[id(p)] = len(index)
                packed["params"].append(index[id(p)])
            groups.append(packed)
        if self._pytorch_style():       # torch's: the entries themselves, keyed by index
            return {"state": {index.get(id(p), p): entry for p, entry in self.state.items()},
                    "param_groups": groups}
        state, steps = {}, {}
        for p, entry in self.state.items():
            step = _array(entry.get("step"))
            if step is not None and not self._state_before_first_step:
                # State made ahead of a parameter's first step (functorch_like.compile
                # creates it for every parameter up front) is state torch would not have.
                if id(step) not in steps:
                    steps[id(step)] = int(step)
                if steps[id(step)] == 0:
                    continue
            exported = self._export_state(entry)
            if exported and id(p) in index:
                state[index[id(p)]] = exported
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Loads a state_dict saved here or by torch.optim (same format); its hooks run
        around the loading."""
        self._load_state_dict_hooked(state_dict, self._load_state_dict)

    def _load_state_dict(self, state_dict: dict) -> None:
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 "match the size of optimizer's group")
        id_map = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            for p, idx in zip(mine["params"], saved["params"]):
                id_map[idx] = p
        loaded = {}
        for idx, entry in state_dict["state"].items():
            if self._pytorch_style():
                p = id_map.get(idx)
                loaded[idx if p is None else p] = (
                    entry if p is None else _cast_to_param(p, entry))
                continue
            p = id_map[int(idx)]
            loaded[p] = self._load_entry(entry, p)
        # Into the same state dict and per-parameter dicts (where a parameter had one):
        # a compiled step holds them as its state's slots, and finds them again instead
        # of tracing anew after every load.
        before = dict(self.state)
        self.state.clear()
        for p, entry in loaded.items():
            kept = before.get(p)
            if isinstance(kept, dict) and type(entry) is dict:
                kept.clear()
                kept.update(entry)
                entry = kept
            self.state[p] = counted(entry) if type(entry) is dict else entry
        for mine, saved in zip(self.param_groups, saved_groups):
            _reload_group(mine, saved)
        if not self._pytorch_style():
            self._share_steps()

    def _share_steps(self) -> None:
        """After loading: a group's parameters with equal step counts share one array (see
        _SHARED_KEYS); the comparison reads the counts once, here, not at every step."""
        for group in self.param_groups:
            entries = [self.state[p] for p in group["params"] if p in self.state]
            for name in _SHARED_KEYS:
                values = [_array(e[name]) for e in entries if name in e]
                if len(values) == len(entries) > 1 and len({int(v) for v in values}) == 1:
                    for e in entries:
                        _set_entry(e, name, values[0])

    def _complete_state(self, state: dict, p: Tensor) -> dict:
        """Fills internal entries PyTorch does not save (e.g. SGD's step)."""
        return state


def _step_static(group: dict, snapshot: dict) -> dict:
    """A group's options for the structure of a compiled step's update: the snapshot
    taken as the call began, with the values the step itself set (concrete ones; a value
    that is still the program's input, or another traced one, stands for its snapshot)."""
    inputs = _trace_state.state.hp_inputs or {}
    out = None
    for k, v in group.items():
        if k == "params" or inputs.get((id(group), k)) is v or snapshot.get(k) is v:
            continue
        if isinstance(v, Tensor):
            v = v._value if v.ndim == 0 else v
        if isinstance(v, jax.core.Tracer):
            continue
        if out is None:
            out = dict(snapshot)
        out[k] = float(v) if isinstance(v, jax.Array) and v.ndim == 0 else v
    return snapshot if out is None else out


# Hyperparameters that are pairs: torch keeps them as tuples (a JSON round trip makes lists).
_PAIRS = ("betas", "etas", "step_sizes")


def _reload_group(mine: dict, saved: dict) -> None:
    """Gives `mine` the saved group's values, in the saved group's key order with "params"
    (ours) where the saved group has it, as torch's load_state_dict builds the group from
    the saved one: `print(optimizer.param_groups)` then reads as torch's. Keys only `mine`
    has follow (torch's __setstate__ adds its defaults there). In place: the compiled step
    and the hyperparameter cache know the group by identity."""
    params = mine["params"]
    rest = {k: v for k, v in mine.items() if k not in saved and k != "params"}
    mine.clear()
    for k, v in saved.items():
        mine[k] = params if k == "params" else (
            tuple(v) if isinstance(v, list) and k in _PAIRS else v)
    mine.setdefault("params", params)
    mine.update(rest)


def _cast_to_param(p: Tensor, value, key=None):
    """A loaded state entry of a PyTorch-style optimizer, as torch's load_state_dict casts
    it: tensors to the parameter's dtype where it is floating, except under "step"; dicts
    and lists entry by entry; other values as they are. Tensors are copies (see
    Optimizer)."""
    if isinstance(value, Tensor):
        if key != "step" and p.is_floating_point():
            return value.detach().to(p.dtype).clone()
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _cast_to_param(p, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_to_param(p, v, key) for v in value)
    return value


def _hashable(value):
    """A group value as part of a guard: itself where it hashes, else its repr."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _numel(p) -> int:
    return p._value.size


def _array(v):
    """A state entry's array (None stays None)."""
    return v._value if isinstance(v, Tensor) else v


def _set_entry(entry: dict, name: str, value) -> None:
    """Stores a new array under `name`: into the Tensor the entry holds (in place, as torch
    updates its state tensors), or as a new Tensor. The views and aliases a user took of
    it see the new value."""
    held = entry.get(name)
    if isinstance(held, Tensor):
        held._value = value
        held._version += 1
        publish(held)
    else:
        entry[name] = Tensor._make(value)


def _as_real(x):
    """A complex array as torch.view_as_real lays it out: (..., 2) of (real, imag)."""
    return jnp.stack([x.real, x.imag], axis=-1) if jnp.iscomplexobj(x) else x


def update_group(transform, params: list, grads: list, state):
    """One group's pure update: (new params, new state); complex parameters are updated
    as pairs of reals (`_update_as_real`)."""
    if any(map(jnp.iscomplexobj, params)):
        return _update_as_real(transform, params, grads, state)
    updates, new_state = transform.update(grads, state, params)
    return optax.apply_updates(params, updates), new_state


def _update_as_real(transform, params: list, grads: list, state):
    """One group's update where some parameters are complex: on their real views, as
    torch's optimizers update complex parameters (view_as_real of the parameter, its
    gradient and its state), so Adam's second moment holds re(g)**2 and im(g)**2, not
    g**2. The state keeps the parameters' complex dtype between steps, as torch's."""
    real_params = [_as_real(p) for p in params]
    updates, new_state = transform.update(
        [_as_real(g) for g in grads], jax.tree.map(_as_real, state), real_params)
    new_params = optax.apply_updates(real_params, updates)

    def back(new, old):
        return jax.lax.complex(new[..., 0], new[..., 1]).astype(old.dtype) \
            if jnp.iscomplexobj(old) else new
    return ([back(n, p) for n, p in zip(new_params, params)],
            jax.tree.map(back, new_state, state))


def _wrap(v):
    """A state array as a state Tensor (None stays None)."""
    return v if v is None or isinstance(v, Tensor) else Tensor._make(v)


def as_state_tensors(entry: dict) -> None:
    """Wraps the arrays a state entry holds (one a user stored, `state["step"] =
    jnp.asarray(3)`) into Tensors, in place: every entry of a transform-based optimizer
    holds Tensors or None."""
    for name, v in entry.items():
        if v is not None and not isinstance(v, Tensor):
            entry[name] = Tensor._make(owned(v))


def _all_same(values) -> bool:
    """Whether a list holds one object more than once and nothing else."""
    return isinstance(values, list) and len(values) > 1 and all(v is values[0] for v in values)


Optimizer.step = hooked_step(Optimizer.step)


def _zero_grad(p: Tensor) -> None:
    p._zero_grad_in_place()
