"""The state a compiled step touches, found once and flattened into slots.

A `StepState` lists the arrays a step reads and writes as flat "slots": parameter and
buffer values, gradients, optimizer state entries, numeric hyperparameters and the global
RNG key. Reading and writing them is a handful of list comprehensions per call; nothing
walks the object graph after the first call.

One layout detail matters for speed: all parameters of an optimizer group that stepped
together hold the *same* step-count array (see `Optimizer._group_state`), and such a
shared entry is one slot here. The program then carries one step counter per group, as a
hand-written optax step does, instead of one per parameter (PyTorch's `state[p]["step"]`):
one increment and one set of bias corrections instead of one per parameter.
"""

from __future__ import annotations

import operator
import types
from itertools import chain
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from . import _autocast_state, _dtypes, _random
from ._compile_reach import (AttrHome, Reach, container_entries, is_plain,
                             is_state_object, names_used, typed, users)
from ._tensor import Tensor, publish
from ._writes import WRITES, Counted
from .nn.modules import module as _module
from .nn.modules import _forward_hooks as _fwd_hooks
from .nn.modules.module import Module
from .optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from .autograd import _grad_mode
from .optim import _hooks as _opt_hooks
from .optim.optimizer import Optimizer, as_state_tensors
from .utils import hooks as _hooks

# Optimizer state entries that may be shared by the parameters of a group: their new value
# depends only on their old value, so equal inputs give equal outputs.
_SHAREABLE = ("step",)

# The global modes a trace depends on, as (object, attribute): grad mode, the autocast
# policy, the default float dtype and JAX's x64 switch. A call under other modes than the
# program's trace gets its own program, as eager code would compute differently.
_UNCOUNTED_MODES = ((_grad_mode._state, "enabled"), (jax.config, "jax_enable_x64"))
# (their setters count a write: `_writes`)
_COUNTED_MODES = ((_autocast_state, "policy"), (_dtypes, "_default_float"))
_MODES = _UNCOUNTED_MODES + _COUNTED_MODES

# A Module's own bookkeeping attributes, not containers of the user's tensors.
_MODULE_INTERNALS = frozenset(vars(Module())) - {"training"}

_training = operator.attrgetter("training")
_value = operator.attrgetter("_value")
_requires_grad = operator.attrgetter("_requires_grad")


class StepState:
    """The discovered state of one compiled step, flattened into slot lists.

    `layout_id` names the slot structure; it changes only when `refresh()` finds another
    one (a parameter added or replaced, state created or loaded, a shared step count
    split), and is part of the program's guard.
    """

    def __init__(self, objects: list, fn: Callable | None = None):
        """objects: the state objects among a call's arguments; fn: the step, whose
        closure, globals and instance supply the rest (looked up again on refresh)."""
        self.arg_objects, self.fn = objects, fn
        # State a trace met that the search by name did not find (`_trace_state.discover`):
        # kept for this state's life (where it lives is not watched).
        self.found_objects: list = []
        # ids of the tensors a step made require grad and gave a gradient (they need not
        # require grad when a call begins): parameters, whose .grad the program carries.
        self.made_params: set = set()
        self._layout_ids: dict = {}
        # Lists the step appends its results to (_compile_python): not looked into for
        # state, their tensors are the step's outputs.
        self.sinks: dict = {}
        # (values, optimizer state) a compiled call wrote back: see CompiledFunction._inputs.
        self.last_outputs: tuple | None = None
        self.refresh()

    def refresh(self) -> None:
        """(Re)discovers tensors, optimizer state and hyperparameters from the objects."""
        self.last_outputs = None        # of another layout: new slots may share buffers
        # Tensor arguments are inputs; tensors reached by name are state. Where each was
        # found is watched, to notice a name rebound between calls (a notebook cell run
        # again makes a new model and optimizer under the old names).
        # (Reach also gives the containers they were found in, whose homes are watched as
        # well.)
        reach = Reach(self.fn, skip=self.sinks) if self.fn else None
        refs = reach.refs if reach else []
        self.objects = self.arg_objects + self.found_objects + [
            obj for obj, _ in refs if is_state_object(obj) or isinstance(obj, Tensor)]
        # The hooks of the modules and tensors found run in the step too (a forward hook
        # that keeps activations in a dict): what they reach is found the same way.
        hooks = _hook_functions(self.objects)
        if hooks:
            reach = Reach(self.fn, skip=self.sinks, hooks=hooks)
            refs = reach.refs
            self.objects = self.arg_objects + self.found_objects + [
                obj for obj, _ in refs if is_state_object(obj) or isinstance(obj, Tensor)]
        # The plain values read as globals or closure variables (or named entries of what
        # the step reaches: Reach.plain) select the program; their homes are watched like
        # the others, so a new value means a refresh.
        plain = reach.plain if reach else []
        self.randoms = reach.randoms if reach else []    # (Python and numpy generators)
        self.rebound = reach.rebound if reach else []    # (globals and cells it rebinds)
        self.plain_key = tuple(typed(value) for _, value in plain)
        # (values read through an object, AttrHome, are watched as its attributes)
        self.attr_homes = [home for home, _ in plain if isinstance(home, AttrHome)]
        refs = refs + [(value, home) for home, value in plain
                       if not isinstance(home, AttrHome)]
        named = [(home[0], home[1], obj) for obj, home in refs
                 if home is not None and home[1] is not None]
        self.ref_cells = [home[0] for obj, home in refs if home is not None and home[1] is None]
        modules, optimizers, schedulers, tensors = {}, {}, {}, {}
        for obj in self.objects:
            if isinstance(obj, Module):
                for m in obj.modules():
                    modules.setdefault(id(m), m)
            elif isinstance(obj, Optimizer):
                optimizers.setdefault(id(obj), obj)
            elif isinstance(obj, (LRScheduler, ReduceLROnPlateau)):
                schedulers.setdefault(id(obj), obj)
                optimizers.setdefault(id(obj.optimizer), obj.optimizer)
            elif isinstance(obj, Tensor):
                tensors.setdefault(id(obj), obj)
        self.modules = list(modules.values())
        self.optimizers = list(optimizers.values())
        self.schedulers = list(schedulers.values())
        for m in self.modules:
            for t in list(m._parameters.values()) + list(m._buffers.values()):
                if t is not None:
                    tensors.setdefault(id(t), t)
        # Tensors held as plain module attributes (a mask or a constant made in __init__, a
        # cache a forward keeps) are state as well: inputs on every call, written back
        # when the step changes them. One with a graph is not (its gradient belongs to a
        # graph outside the step) and stays a constant of the program, which is traced
        # again when the attribute is replaced (its identity is part of the layout).
        # Tensors in a tuple, list or dict attribute (an RNN's kept `(h, c)`) count too.
        attr_homes, attr_tensors = [], []
        for m in self.modules:
            _held_tensors(m.__dict__, attr_homes, attr_tensors, _MODULE_INTERNALS)
        # Plain values one level inside a module's dict or plain-object attribute (a config
        # object, `self.opts["shift"]`) that its class's code names: a trace bakes them in
        # too, so they are guarded as the step's named values are.
        nested = [entry for m in self.modules for entry in _module_plain_entries(m)]
        self.plain_key += tuple(typed(value) for _, _, value in nested)
        attr_homes += nested
        # A PyTorch-style optimizer (its own step(), no transform) keeps tensors in its
        # state entries, which its traced step reads and updates as any other tensors:
        # they are state the same way, and the entries are watched.
        custom_state = []
        for opt in self.optimizers:
            if opt._pytorch_style():
                name = f"{type(opt).__name__}.state"
                custom_state.append((opt.state, name, "dict"))
                for i, entry in enumerate(opt.state.values()):
                    if isinstance(entry, dict):
                        custom_state.append((entry, f"{name}[{i}]", "dict"))
                        _held_tensors(entry, attr_homes, attr_tensors)
        constants = tuple(id(t) for t in attr_tensors if t._node is not None)
        for t in attr_tensors:
            if t._node is None:
                tensors.setdefault(id(t), t)
        # The dicts and lists a traced step may change (_compile_python): the modules'
        # attribute, buffer and parameter dicts, the containers they hold, and those
        # reached by name.
        traced = [(d, type(m).__name__, "module") for m in self.modules
                  for d in (m.__dict__, m._buffers, m._parameters)]
        traced += [(v, f"{type(m).__name__}.{k}", "list" if isinstance(v, list) else "dict")
                   for m in self.modules for k, v in m.__dict__.items()
                   if k not in _MODULE_INTERNALS and isinstance(v, (list, dict))]
        traced += custom_state + (reach.containers if reach else [])
        seen = set()
        self.traced_containers = [c for c in traced
                                  if not (id(c[0]) in seen or seen.add(id(c[0])))]
        for opt in self.optimizers:
            for group in opt.param_groups:
                for p in group["params"]:
                    tensors.setdefault(id(p), p)
        self.tensors = list(tensors.values())
        self.tensor_index = {id(t): i for i, t in enumerate(self.tensors)}
        self.params = [t for t in self.tensors
                       if t._requires_grad or id(t) in self.made_params]
        self.opt_groups = [(opt, group) for opt in self.optimizers for group in opt.param_groups]
        for opt in self.optimizers:
            opt._init_state()
        # Optimizer state entries: each slot is (holders, name), the state tensors that
        # hold one array under `name` in their entries; more than one holder where a
        # group's parameters share a step count (one array in tensors of their own).
        slots, opt_homes, slot_entries = [], [], []
        for opt, group in self.opt_groups:
            if opt._pytorch_style():
                continue
            entries = [opt.state[p] for p in group["params"] if p in opt.state]
            for e in entries:
                as_state_tensors(e)
            shared = set()
            for name in _SHAREABLE:
                holders = [e[name] for e in entries if e.get(name) is not None]
                if len(holders) > 1 and all(t._value is holders[0]._value for t in holders):
                    slots.append((tuple(holders), name))
                    slot_entries.append((tuple(id(e) for e in entries if name in e), name))
                    shared.add(name)
            for e in entries:
                for name in sorted(e):
                    if name not in shared and e[name] is not None:
                        slots.append(((e[name],), name))
                        slot_entries.append(((id(e),), name))
            # (an entry bound to another tensor changes the layout)
            opt_homes += [(e, name, t) for e in entries for name, t in e.items()
                          if t is not None]
        self.opt_slots = slots
        self.shared_slots = [holders for holders, _ in slots if len(holders) > 1]
        # Numeric hyperparameters enter the program as values (lr changes never recompile).
        # (A PyTorch-style optimizer's step may branch on them: they stay Python values,
        # part of the guard through its _program_key.)
        self.hp_slots = [(group, name) for opt, group in self.opt_groups
                         if not opt._pytorch_style() for name, value in group.items()
                         if name not in ("params", "initial_lr") and _is_number_or_pair(value)]
        self.hp_groups = [g for g, _ in self.hp_slots]
        # A tensor lr (torch's way to change it without recompiling) is read as a number on
        # every call: a scheduler changes it in place (fill_), which no snapshot sees.
        self.tensor_hps = any(isinstance(g[n], Tensor) for g, n in self.hp_slots)
        self.hp_names = [n for _, n in self.hp_slots]
        self._hp_values: list | None = None       # the values behind hp_vector
        self.hp_layout: tuple = ()
        self.hp_vector = None
        # A column for reads that run in C: the first holder of each optimizer slot.
        self.opt_tensors = [holders[0] for holders, _ in slots]
        self.generator = _random.default_generator
        # Where each array lives, to notice a parameter or submodule replaced on its module
        # or an optimizer's state or groups replaced (load_state_dict makes a new `state`
        # dict) between calls: the containers themselves, as attributes of their owners, ...
        owners = [(m, name) for m in self.modules
                  for name in ("_parameters", "_buffers", "_modules")]
        owners += [(opt, name) for opt in self.optimizers for name in ("state", "param_groups")]
        owners += [(cell, "cell_contents") for cell in self.ref_cells]    # names rebound
        owners += [(home.obj, home.name) for home in self.attr_homes]
        # ... and their entries (with the globals and instance attributes named).
        homes = [(m._parameters, k, t) for m in self.modules
                 for k, t in m._parameters.items() if t is not None]
        homes += [(m._buffers, k, t) for m in self.modules
                  for k, t in m._buffers.items() if t is not None]
        homes += [(m._modules, k, c) for m in self.modules for k, c in m._modules.items()]
        homes += [(opt.state, p, opt.state[p]) for opt, group in self.opt_groups
                  for p in group["params"] if p in opt.state]
        homes += attr_homes + named + opt_homes
        # As columns, so that the per-call checks run in C (map, not a loop).
        self.owner_objs = [o for o, _ in owners]
        self.owner_names = [n for _, n in owners]
        self.owner_values = list(map(getattr, self.owner_objs, self.owner_names))
        self.home_dicts, self.home_keys, self.home_objs = (
            [list(c) for c in zip(*homes)] if homes else ([], [], []))
        # The entries of plain dicts (globals, instance attributes, a dict the user set):
        # a snapshot looks only at these while the count of writes stands, which covers
        # the counted dicts' (_writes.CountedDict: modules' members, optimizers' state).
        loose = [i for i, d in enumerate(self.home_dicts) if not isinstance(d, Counted)]
        self.loose_dicts = [self.home_dicts[i] for i in loose]
        self.loose_keys = [self.home_keys[i] for i in loose]
        self._watch_columns()
        self._module_copies: list | None = None     # see _attributes_key
        self._hooks_seen: int | None = None         # see _hooks_key (reset by a refresh)
        self._members_seen = _module.MEMBERS.count  # see _layout_holds
        self._aliases_seen, self._shared = None, ()     # see _shared_key
        self.static_keys = [(opt._program_key, g) for opt, g in self.opt_groups]
        layout = (tuple(map(id, self.tensors)), tuple(map(id, self.params)),
                  # (by the entries that hold them: a loaded state_dict's new tensors in
                  # the same entries find the same programs)
                  tuple(slot_entries),
                  tuple((id(g), n) for g, n in self.hp_slots), constants,
                  # (a program replays the step() of the schedulers it was traced with)
                  tuple(map(id, self.schedulers)),
                  # (which of its parameters and buffers each module has: one set to None
                  # between calls may stay state through an optimizer's group)
                  tuple((tuple(k for k, t in m._parameters.items() if t is not None),
                         tuple(k for k, t in m._buffers.items() if t is not None))
                        for m in self.modules))
        # A small int per distinct layout, cheap to hash in every guard; a layout seen
        # before gets its number back, so its programs are found again.
        self.layout_id = self._layout_ids.setdefault(layout, len(self._layout_ids))

    def _watch_columns(self) -> None:
        """The columns a `Snapshot` reads: every attribute, dict entry and group that
        guard() and read() depend on, so that the same objects there mean the same guard
        and inputs (the entries are the layout's homes). What a call rewrites: the RNG key,
        last among the attributes, so that the next snapshot only replaces that tail, and
        the optimizer state tensors' values.

        The first `len(loose_objs)` attributes are those whose writes are not counted
        (`_writes`): closure cells, attributes of other objects (or read from a class),
        the thread's grad mode and JAX's x64 switch. A snapshot compares only those while
        the count of writes stands; the rest change only by counted writes."""
        attrs = [(cell, "cell_contents") for cell in self.ref_cells]
        attrs += [(home.obj, home.name) for home in self.attr_homes]
        attrs += _UNCOUNTED_MODES
        self.loose_objs = [o for o, _ in attrs]
        self.loose_names = [n for _, n in attrs]
        attrs += [(opt, name) for opt in self.optimizers for name in ("state", "param_groups")]
        attrs += _COUNTED_MODES
        attrs.append((_hooks.changes, "count"))     # a hook registered or removed anywhere
        attrs.append((_module.MEMBERS, "count"))   # a parameter, buffer or submodule set
        attrs.append((self.generator, "_raw"))
        self.watch_objs = [o for o, _ in attrs]
        self.watch_names = [n for _, n in attrs]
        # A module's attributes (its training flag, its parameter, buffer and submodule
        # dicts) are compared as its whole __dict__, by value, which in C is identity
        # first: cheaper than one getattr each through Module's __getattr__ hook.
        self.module_dicts = [m.__dict__ for m in self.modules]
        # Every optimizer state tensor, and the index of its slot: its value is the
        # slot's (what a call rewrites).
        self.holders = [t for holders, _ in self.opt_slots for t in holders]
        # (what a call's write-back publishes to aliases and views: `_publish`; and the
        # counts it saw, none yet for this layout)
        self.published = self.tensors + self.holders
        self._settled = self._unaliased = None
        self.holder_slots = [i for i, (holders, _) in enumerate(self.opt_slots)
                             for _ in holders]
        # Groups are compared by value: their hyperparameters, the options the static keys
        # read, an entry added.
        self.watch_groups = [g for _, g in self.opt_groups]
        # Which parameters each group holds: one added to or removed from a group's list
        # changes the layout.
        self.group_params = [list(g["params"]) for g in self.watch_groups]
        self.watch_group_lists = [opt.param_groups for opt in self.optimizers]
        # Which dicts the optimizers' lists hold: a group replaced there is another layout.
        self.group_ids = list(map(id, self.watch_groups))

    def guard(self) -> tuple:
        """What selects the program: training flags, which parameters require grad, the
        optimizers' structural options, the slot layout, the global modes, the modules'
        plain attributes and the plain values read by name. Refreshes the layout first if
        a shared step count was split, a slot's holder lost its entry or a watched name or
        entry holds another object."""
        if not self._layout_holds():
            self.refresh()
        hps = list(map(dict.__getitem__, self.hp_groups, self.hp_names))
        if self.tensor_hps:
            hps = [float(v._value) if isinstance(v, Tensor) else v for v in hps]
        if hps != self._hp_values:
            self._pack_hps(hps)
        return (tuple(map(_training, self.modules)),
                tuple(map(_requires_grad, self.tensors)),
                tuple([key(g) for key, g in self.static_keys]),
                tuple([len(opt.param_groups) for opt in self.optimizers]),
                self.hp_layout, self.layout_id, tuple([getattr(o, n) for o, n in _MODES]),
                self._attributes_key(), self.plain_key, self._hooks_key(), self._shared_key())

    def _shared_key(self) -> tuple:
        """Which state tensors share storage (`b.weight.data = a.weight.data`): a trace
        updates such tensors together (an optimizer's updates add up on the storage), so
        it selects the program. Recomputed only after a new alias or view was made."""
        if WRITES.aliased == self._aliases_seen:
            return self._shared
        self._aliases_seen = WRITES.aliased
        first: dict = {}
        key = []
        for i, t in enumerate(self.tensors):
            group = t._aliases
            key.append(i if group is None else first.setdefault(id(group), i))
        self._shared = tuple(key) if key != list(range(len(key))) else ()
        return self._shared

    def grads_none(self) -> tuple:
        """Which parameters' .grad is None: a program that takes the gradients sees None
        there, as eager code does (its input is zeros), so it is traced for one pattern."""
        return tuple([p._grad is None for p in self.params])

    def _hooks_key(self) -> tuple:
        """Which hooks the modules and tensors hold (by their handles' ids, never reused):
        a trace runs them, so they select the program, as torch.compile's guards do.
        Rebuilt only after a hook was registered or removed somewhere."""
        if self._hooks_seen != _hooks.changes.count:
            self._hooks_seen = _hooks.changes.count
            self._hooks = (
                tuple(tuple(m._forward_pre_hooks) + (None,) + tuple(m._forward_hooks)
                      + (None,) + tuple(m.__dict__.get("_backward_hooks", ()))
                      + (None,) + tuple(m.__dict__.get("_backward_pre_hooks", ()))
                      for m in self.modules),
                tuple(tuple(t.__dict__.get("_grad_hooks", ())) + (None,)
                      + tuple(t.__dict__.get("_post_accumulate_hooks", ()))
                      for t in self.tensors),
                # (an optimizer's step hooks, and every optimizer's)
                tuple(tuple(opt._optimizer_step_pre_hooks) + (None,)
                      + tuple(opt._optimizer_step_post_hooks) for opt in self.optimizers),
                tuple(_opt_hooks._global_optimizer_pre_hooks),
                tuple(_opt_hooks._global_optimizer_post_hooks),
                # (every module's forward hooks)
                tuple(_fwd_hooks._global_forward_pre_hooks),
                tuple(_fwd_hooks._global_forward_hooks))
        return self._hooks

    def _attributes_key(self) -> tuple:
        """The modules' plain attributes (numbers, strings, flags and tuples of them, such
        as Dropout's p or BatchNorm's momentum): a trace bakes them in, so they select the
        program, as torch.compile's guards do; and the names of their tensor attributes.
        Rebuilt only when a module's __dict__ changed (compared in C, identity first)."""
        try:
            same = self.module_dicts == self._module_copies
        except Exception:       # a replaced tensor attribute: no truth value
            same = False
        if not same:
            self._module_copies = [dict(d) for d in self.module_dicts]
            # (and which attributes are tensors: one added between calls is found as
            # state by the refresh that a new guard causes)
            self._attributes = tuple(
                tuple((k, typed(v)) if is_plain(v) else (k, _TENSOR)
                      for k, v in d.items() if is_plain(v) or isinstance(v, Tensor))
                for d in self.module_dicts)
        return self._attributes

    def _pack_hps(self, values: list) -> None:
        """All numeric hyperparameters as one device vector (one program input, one
        transfer when a scheduler changes lr), made only when a value changed. Its layout
        (which entries are pairs, e.g. betas) is part of the guard."""
        flat, layout = [], []
        for v in values:
            if isinstance(v, (tuple, list)):
                flat.extend(v)
                layout.append(len(v))
            else:
                flat.append(v)
                layout.append(0)
        dtype = jax.dtypes.canonicalize_dtype(jnp.float64)     # float32 unless x64
        self.hp_vector = jnp.asarray(np.asarray(flat, dtype=dtype))
        self.hp_layout = tuple(layout)
        self._hp_values = list(values)

    def unpack_hps(self, vector) -> list:
        """The hyperparameter values (traced scalars, pairs as tuples) from hp_vector."""
        out, i = [], 0
        for n in self.hp_layout:
            if n:
                out.append(tuple(vector[i + k] for k in range(n)))
                i += n
            else:
                out.append(vector[i])
                i += 1
        return out

    def _layout_holds(self) -> bool:
        if self._members_seen != _module.MEMBERS.count:
            return False            # (a module's parameters, buffers or children changed)
        try:
            if not (all(map(operator.is_, map(getattr, self.owner_objs, self.owner_names),
                            self.owner_values))
                    and all(map(operator.is_, map(operator.getitem, self.home_dicts,
                                                  self.home_keys), self.home_objs))):
                return False
        # (a closure cell emptied by `del` of a nonlocal, an entry deleted, a list shortened)
        except (ValueError, LookupError):
            return False
        if list(map(id, chain.from_iterable(self.watch_group_lists))) != self.group_ids:
            return False            # (a group added to or replaced in param_groups)
        for group, params in zip(self.watch_groups, self.group_params):
            if len(group["params"]) != len(params) or not all(
                    map(operator.is_, group["params"], params)):
                return False
        for holders in self.shared_slots:
            first = holders[0]._value
            for t in holders:
                if t._value is not first:
                    return False
        return True

    def read(self, with_grads: bool = True) -> tuple:
        """(values, grads or None, optimizer state, hyperparameters, raw RNG key data)."""
        grads = ([p._grad._value if p._grad is not None else jnp.zeros_like(p._value)
                  for p in self.params] if with_grads else None)
        # A missing .grad enters as zeros, so the program's inputs keep one structure from
        # the first call on (accumulating into zeros is accumulating into nothing).
        # (hp_vector is the one guard() packed from the current values.)
        return (list(map(_value, self.tensors)), grads,
                list(map(_value, self.opt_tensors)),
                self.hp_vector, self.generator._key_data)

    def write(self, values, grads, opt_values, key_data, publish_values: bool = False,
              clear_grads: bool = True, fresh_grads: tuple = ()) -> None:
        """Stores a program's outputs (or the tracers of a trace) into the objects. An
        optimizer slot's output is one array, or a list with one per holder when a shared
        step count came out split (some parameters stepped, others did not).
        publish_values (after a call, never inside a trace): aliases and views of the
        tensors see their new values. grads None sets every .grad to None, unless
        clear_grads is False (a program that leaves the gradients alone); values and
        opt_values None (a program that writes no state) and key_data None (one that drew
        no random numbers) leave those as they are. fresh_grads: per parameter, whether
        the step made it a new .grad (zero_grad to None, then backward), which a call
        then makes too, as eagerly: a .grad kept from an earlier call keeps its values."""
        # A call's own write-back stores into `_v` and counts one write for all of it (at
        # its end; the call records the count after). With no counted write since the
        # last call's write-back, the tensors' graph nodes are still the None it left (a
        # node comes with a write of the value).
        if publish_values and WRITES.count == self._settled:
            for t, v in zip(self.tensors, () if values is None else values):
                t._v = v
        else:
            for t, v in zip(self.tensors, () if values is None else values):
                t._v = v
                t._node = None
        if grads is None:
            if clear_grads:
                for p in self.params:
                    p._grad = None
        else:
            set_grads(self.params, grads, fresh_grads)
        for (holders, _), v in zip(self.opt_slots, () if opt_values is None else opt_values):
            if len(holders) == 1:
                holders[0]._v = v
            elif type(v) is list:
                for t, vi in zip(holders, v):
                    t._v = vi
            else:
                for t in holders:
                    t._v = v
        if key_data is not None:        # (None: a program that drew no random numbers)
            self.generator._key_data = key_data
        if publish_values:
            self._publish()
            if values is not None or grads is not None or clear_grads:
                # A counted write for the snapshots of other compiled functions over this
                # state (the caller's next snapshot records the count after it).
                WRITES.count += 1
            self._settled = WRITES.count

    def _publish(self) -> None:
        """After a call's write-back: the `.data`/`detach()` aliases and the views of the
        state tensors see their new values. No tensor got an alias or a view since a scan
        here found none: nothing to look for."""
        if WRITES.aliased == self._unaliased:
            return
        found = []
        for t in self.published:
            group = t._aliases
            if group is not None and group.alone(t):
                # (its aliases are gone: a `p.data` read once, in an init or a print, would
                # otherwise have every later call publish to nothing)
                t._aliases = group = None
            if group is not None or "_views" in t.__dict__:
                found.append(t)
        for t in found:
            publish(t)
        self._unaliased = None if found else WRITES.aliased

    def snapshot(self) -> tuple:
        """Everything a trace overwrites, exactly (None gradients stay None), for restore."""
        gen = self.generator
        # (and the .grad of the tensors that are not parameters: a frozen layer's, which
        # zero_grad(set_to_none=False) in the step writes to, or one the step gives them:
        # gradients_given)
        params = set(map(id, self.params))
        others = [(t, t._grad, None if t._grad is None else t._grad._value)
                  for t in self.tensors if id(t) not in params]
        return ([(t._value, t._node) for t in self.tensors],
                [(p._grad, None if p._grad is None else p._grad._value) for p in self.params],
                [[t._value for t in holders] for holders, _ in self.opt_slots],
                [group[name] for group, name in self.hp_slots],
                (gen._typed, gen._raw, gen._impl), others,
                list(map(_requires_grad, self.tensors)))

    @staticmethod
    def gradients_given(saved: tuple) -> list:
        """The tensors that are not parameters whose .grad a trace changed since the
        snapshot `saved` (a step that turned their requires_grad on and ran backward)."""
        return [t for t, g, gv in saved[5]
                if t._grad is not g or g is not None and g._value is not gv]

    def requires_grad_changes(self, saved: tuple) -> list:
        """(tensor, requires_grad) for each tensor whose requires_grad a trace changed since
        the snapshot `saved`: what the step does to them on every call, as the program was
        traced for the flags it began with (they are in the guard)."""
        return [(t, t._requires_grad) for t, before in zip(self.tensors, saved[6])
                if t._requires_grad != before]

    def restore(self, saved: tuple) -> None:
        values, grads, opt_values, hps, key, others, flags = saved
        for t, flag in zip(self.tensors, flags):
            t._requires_grad = flag
        for t, g, gv in others:
            t._grad = g
            if g is not None:
                g._value = gv
        for t, (v, node) in zip(self.tensors, values):
            t._value, t._node = v, node
        for p, (g, gv) in zip(self.params, grads):
            p._grad = g
            if g is not None:
                g._value = gv
        for (holders, _), vs in zip(self.opt_slots, opt_values):
            for t, v in zip(holders, vs):
                t._value = v
        for (group, name), v in zip(self.hp_slots, hps):
            group[name] = v
        gen = self.generator
        gen._typed, gen._raw, gen._impl = key

    def read_opt_outputs(self) -> list:
        """The optimizer slots after a trace: a shared slot stays one output if every holder
        ends with the same array, else it splits into one per holder."""
        out = []
        for holders, _ in self.opt_slots:
            first = holders[0]._value
            if len(holders) > 1 and any(t._value is not first for t in holders):
                out.append([t._value for t in holders])
            else:
                out.append(first)
        return out


class SameItems:
    """Equal to a sequence of the same objects in the same order, compared by identity:
    a snapshot's copy of a parameter list, or of an optimizer's groups. (Compared by
    value, a one-element parameter replaced by another of equal value, or a group by an
    equal copy, would go unnoticed: a Tensor's == compares values.) A list compares
    against it in C, calling this once."""

    __slots__ = ("items",)
    __hash__ = None

    def __init__(self, items):
        self.items = list(items)

    def __eq__(self, other) -> bool:
        return len(other) == len(self.items) and all(map(operator.is_, other, self.items))


class Snapshot:
    """A step's state right after a compiled call, as the objects its watched attributes
    and entries hold and copies of its optimizer groups (`StepState.watch_*`), with the
    inputs the next call reads from it.

    If every one still holds the same object (and every group is equal) when the next
    call comes, as in a training loop that changes nothing between steps, that call's
    guard and inputs are the ones recorded: the check is a few C-level scans, where
    guard() and read() are many Python calls. The snapshot is taken after the call was
    dispatched, while the device runs; anything changed in between sends the next call
    down the full path.

    Where the count of writes (`_writes.WRITES`) is the one recorded here, the tensors'
    values and requires_grad, the modules' and optimizers' attributes, the entries of the
    counted dicts that hold the state tensors (`_writes.CountedDict`: modules'
    parameters, buffers and submodules, optimizers' state), the global RNG key, the
    autocast policy and the default dtype are unchanged without looking: only plain
    dicts' entries (globals, attributes), closure cells, other objects' attributes, the
    grad mode, JAX's x64 switch and the groups are compared.
    PyTorch-parity note: a module attribute written around `Module.__setattr__`
    (`object.__setattr__(module, ...)`, `module.__dict__[...]`) is not a counted write; a
    step that reads one sees the new value only after some other change (or
    `torch.compiler.reset()`).
    """

    __slots__ = ("state", "program", "inputs", "fixed", "loose", "attr_values", "writes")

    def __init__(self, state: StepState, program, inputs: tuple, previous=None):
        """inputs: (values, None, optimizer state, hyperparameters, RNG key) as read()
        gives them. previous: the snapshot of the call before, when this call ran the same
        program from it and changed nothing but what the program wrote."""
        self.state, self.program, self.inputs = state, program, inputs
        if previous is None:
            self.fixed = (list(map(getattr, state.watch_objs[:-1], state.watch_names[:-1])),
                          list(map(operator.getitem, state.home_dicts, state.home_keys)),
                          [dict(d) for d in state.module_dicts],
                          list(map(_requires_grad, state.tensors)),
                          # (and of each group's parameter list: one appended to it)
                          [{**g, "params": SameItems(g["params"])}
                           for g in state.watch_groups],
                          # (which groups each optimizer's list holds: one added, replaced)
                          list(map(SameItems, state.watch_group_lists)))
            # What lives where writes are not counted, as (container, key, object)
            # triples: plain dicts' entries, then attributes (closure cells, the grad
            # mode, JAX's x64 switch). Straight loops over them are what a call checks
            # before dispatch in a training loop, where the device's run in between leaves
            # Python's code and data cold: the fewer objects and calls, the faster.
            self.loose = (
                tuple(zip(state.loose_dicts, state.loose_keys,
                          map(operator.getitem, state.loose_dicts, state.loose_keys))),
                tuple(zip(state.loose_objs, state.loose_names,
                          map(getattr, state.loose_objs, state.loose_names))))
        else:
            self.fixed, self.loose = previous.fixed, previous.loose
        self.attr_values = self.fixed[0] + [inputs[4]]       # (the RNG key, last)
        self.writes = WRITES.count

    def admits(self, args: tuple) -> list | None:
        """The arrays of a call's positional `args` when the snapshot's program runs on
        them and on its recorded inputs as they are: as many tensors as it was traced
        for, none requiring grad, of its shapes and dtypes, none passed twice and none
        state, and the snapshot holds; else None (the call takes the full path).

        This is all a call checks before dispatch in a training loop, where the device's
        run in between leaves the caches cold: one pass over the arguments, no list
        built but the arrays'."""
        program = self.program
        if len(args) != program.n_tensor_args:
            return None
        index = self.state.tensor_index
        values = []
        shares = False          # (a view or an alias: it may share storage)
        for a, aval in zip(args, program.avals):
            if not isinstance(a, Tensor) or a._requires_grad or a._node is not None \
                    or id(a) in index or a._v.aval != aval:
                return None
            values.append(a._v)
            shares = shares or a._aliases is not None or "_view_of" in a.__dict__
        if len(args) > 1 and len(set(map(id, args))) != len(args):
            return None
        if shares and program.aliasing_breaks(args, index):
            return None                 # (the full path runs such a call eagerly)
        return values if self.holds() else None

    def holds(self) -> bool:
        """Whether every watched attribute and entry still holds the recorded object and
        every module dict and group equals its copy."""
        state, fixed = self.state, self.fixed
        try:
            if WRITES.count == self.writes:
                entries, attrs = self.loose
                for d, k, v in entries:
                    if d[k] is not v:
                        return False
                for o, n, v in attrs:
                    if getattr(o, n) is not v:
                        return False
            elif not (all(map(operator.is_, map(_value, state.tensors), self.inputs[0]))
                      and all(map(operator.is_, map(_value, state.holders),
                                  map(self.inputs[2].__getitem__, state.holder_slots)))
                      and state.module_dicts == fixed[2]
                      and list(map(_requires_grad, state.tensors)) == fixed[3]
                      and all(map(operator.is_, map(operator.getitem, state.home_dicts,
                                                    state.home_keys), fixed[1]))
                      and all(map(operator.is_, map(getattr, state.watch_objs,
                                                    state.watch_names), self.attr_values))):
                return False
            # (the groups' values identity first, in C; their parameter lists and the
            # optimizers' lists of groups by identity only: SameItems)
            return state.watch_groups == fixed[4] and state.watch_group_lists == fixed[5]
        except Exception:   # an attribute deleted, a dict replaced, an uncomparable value
            return False


_TENSOR = "tensor"      # a tensor attribute, in a guard


def _hook_functions(objects: list) -> list:
    """The hooks of the modules among `objects` (and their submodules), and of their and
    the other tensors' parameters and buffers."""
    hooks, tensors, classes = [], [], {}
    for obj in objects:
        if isinstance(obj, Module):
            for m in obj.modules():
                classes.setdefault(type(m), None)
                hooks += [*m._forward_pre_hooks.values(), *m._forward_hooks.values(),
                          *m.__dict__.get("_backward_hooks", {}).values(),
                          *m.__dict__.get("_backward_pre_hooks", {}).values()]
                tensors += [t for t in (*m._parameters.values(), *m._buffers.values())
                            if t is not None]
        elif isinstance(obj, Tensor):
            tensors.append(obj)
        elif isinstance(obj, Optimizer):
            hooks += [*obj._optimizer_step_pre_hooks.values(),
                      *obj._optimizer_step_post_hooks.values()]
    hooks += [*_opt_hooks._global_optimizer_pre_hooks.values(),
              *_opt_hooks._global_optimizer_post_hooks.values(),
              *_fwd_hooks._global_forward_pre_hooks.values(),
              *_fwd_hooks._global_forward_hooks.values()]
    for t in tensors:
        hooks += [*t.__dict__.get("_grad_hooks", {}).values(),
                  *t.__dict__.get("_post_accumulate_hooks", {}).values()]
    # The methods of the user's module classes run in the step too (their forward): the
    # globals they and the helpers they call read are found as the step's are.
    for cls in classes:
        hooks += _user_methods(cls)
    return hooks


_USER_METHODS: dict = {}


def _user_methods(cls) -> list:
    """The plain functions (methods, static and class methods, property getters) defined
    by a Module subclass of the user's and its bases of the user's."""
    methods = _USER_METHODS.get(cls)
    if methods is None:
        methods = [fn for c in cls.__mro__ if c is not Module and c is not object
                   and users(c) for fn in _class_functions(c)]
        _USER_METHODS[cls] = methods
    return methods


def _class_functions(cls) -> list:
    """The plain functions a class defines itself: methods, static and class methods
    (their functions), property getters."""
    out = []
    for v in vars(cls).values():
        fn = v.fget if isinstance(v, property) else getattr(v, "__func__", v)
        if isinstance(fn, types.FunctionType):
            out.append(fn)
    return out


def _module_plain_entries(m: Module) -> list:
    """(container, key, value) for the plain values in `m`'s dict and plain-object
    attributes whose key its class's code uses, and in its list attributes (`self.weights
    = [0.5, 0.5]`, read by index)."""
    names = _class_names(type(m))
    out = []
    for k, v in m.__dict__.items():
        if k in _MODULE_INTERNALS or is_plain(v) or isinstance(v, (Tensor, Module)):
            continue
        out += [(home[0], home[1], x) for x, home, _ in container_entries(v, k)
                if home is not None and is_plain(x)
                and (type(home[1]) is int or home[1] in names)]
    return out


_CLASS_NAMES: dict = {}


def _class_names(cls) -> set:
    """The names and string constants the methods (and properties) of a Module subclass
    and its bases use, the Module base class's aside."""
    names = _CLASS_NAMES.get(cls)
    if names is None:
        names = set()
        for c in cls.__mro__:
            if c is not Module and c is not object:
                for fn in _class_functions(c):
                    names |= names_used(fn.__code__)
        _CLASS_NAMES[cls] = names
    return names


def _held_tensors(d: dict, homes: list, tensors: list, skip=()) -> None:
    """Adds the tensors a dict holds, as values or inside a tuple, list or dict value (not
    under the keys in `skip`), to `tensors`, and where they live, (container, key, object),
    to `homes`."""
    for k, v in d.items():
        if isinstance(v, Tensor):
            homes.append((d, k, v))
            tensors.append(v)
        elif k not in skip and isinstance(v, (tuple, list, dict)):
            inner = [(x, home) for x, home, _ in container_entries(v, k)
                     if isinstance(x, Tensor)]
            if inner:
                homes.append((d, k, v))
                homes += [(*home, x) for x, home in inner if home is not None]
                tensors += [x for x, _ in inner]


def set_grads(tensors: list, grads: list, fresh: tuple = ()) -> None:
    """Each tensor's .grad becomes the array given (None: no .grad), in the .grad tensor
    it has where it has one, or in a new one where `fresh` (per tensor) says so."""
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if g is None:
            t._grad = None
        elif t._grad is None or (fresh and fresh[i]):
            t._grad = Tensor._make(g)
        else:
            t._grad._value = g


def _is_number_or_pair(v) -> bool:
    if isinstance(v, Tensor):       # a tensor lr: a 0-d floating one that needs no grad
        return v.ndim == 0 and v.is_floating_point() and not v.requires_grad
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    return isinstance(v, tuple) and len(v) > 0 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)


def distinct(*lists):
    """Copies arrays that occur twice among donated inputs (XLA cannot donate a buffer
    twice; fresh optimizer state can share JAX's cached zero constants, and a user may
    assign one array to two tensors). The lists hold no None."""
    flat = [v for values in lists for v in values]
    if len(set(map(id, flat))) == len(flat):
        return lists
    seen, out = set(), []
    for values in lists:
        fixed = list(values)
        for i, v in enumerate(fixed):
            if v is not None:
                if id(v) in seen:
                    fixed[i] = v.copy()
                seen.add(id(v))
        out.append(fixed)
    return out
