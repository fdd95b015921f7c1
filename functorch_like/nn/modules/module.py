"""nn.Module with PyTorch's semantics: registration by attribute assignment, state_dict
order and errors, train/eval, hooks, and PyTorch's repr."""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping
from typing import Any, Callable, Iterator, TypeVar

import numpy as np

from ... import _dtypes, _factories, _trace_state
from ..._host import from_host
from ..._tensor import Tensor, typename
from ..._writes import WRITES, CountedDict, counted
from ...autograd._grad_mode import is_grad_enabled, no_grad
from ...utils.hooks import RemovableHandle, add_hook
from ..parameter import Buffer, Parameter, is_lazy
from ._backward_hooks import backward_hook_for
from ._backward_hooks import register_module_full_backward_hook as \
    register_module_full_backward_hook
from ._backward_hooks import register_module_full_backward_pre_hook as \
    register_module_full_backward_pre_hook
from ._forward_hooks import has_global_hooks, run_always_called, run_hooks, run_pre_hooks
from ._forward_hooks import register_module_forward_hook as register_module_forward_hook
from ._forward_hooks import register_module_forward_pre_hook as \
    register_module_forward_pre_hook

_IncompatibleKeysBase = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class _IncompatibleKeys(_IncompatibleKeysBase):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


_typename = typename


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


# id -> the compiled call of the modules Module.compile() compiled (a plain dict: its
# truth test is the one check every module call makes).
_COMPILED_CALLS: dict = {}


class _Members:
    """How many times a parameter, buffer or submodule was set, added or removed on any
    module (through Module's methods): a compiled step checks it before reusing its
    program, whose layout of tensors and modules such a change may alter."""

    count = 0


MEMBERS = _Members()
_MEMBER_DICTS = ("_parameters", "_buffers", "_modules")

# The state-dict hook tables a Module keeps (register_state_dict_pre_hook, ...).
_STATE_DICT_HOOKS = ("_state_dict_pre_hooks", "_state_dict_hooks",
                     "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")
_EXTRA_STATE = "_extra_state"       # the state_dict key of get_extra_state()'s value


def _add_hook(module, table: str, hook: Callable, prepend: bool = False,
              options: dict | None = None) -> RemovableHandle:
    """Registers `hook` in one of a module's hook tables (made on first use for a module
    built without Module.__init__); prepend: to be called before those already there;
    options: {name of an option table: whether the hook has it} (with_kwargs, ...)."""
    hooks = _table(module, table)
    flags = {name: _table(module, name, dict) for name in options or ()}
    handle = add_hook(hooks, hook, prepend, extra_dict=list(flags.values()))
    for name, on in (options or {}).items():
        if on:
            flags[name][handle.id] = True
    return handle


def _table(module, name: str, kind=OrderedDict) -> dict:
    table = module.__dict__.get(name)
    if table is None:
        table = kind()
        object.__setattr__(module, name, table)
    return table

class _ReturningHook:
    """A state_dict hook registered through `_register_state_dict_hook`: its result, if
    not None, replaces the state_dict (a public post hook's must be None)."""

    __slots__ = ("hook",)

    def __init__(self, hook: Callable):
        self.hook = hook

    def __call__(self, *args):
        return self.hook(*args)


class _WithoutModule(_ReturningHook):
    """A load_state_dict pre hook registered without the module argument."""

    __slots__ = ()

    def __call__(self, module, *args):
        return self.hook(*args)


class Module:
    """Base class of all layers and models (PyTorch's `torch.nn.Module`)."""

    training: bool
    _version = 1
    T_destination = TypeVar("T_destination", bound=dict)
    dump_patches: bool = False
    # True in a subclass: Module.__init__ passes its arguments on to the next class of the
    # MRO (multiple inheritance with a mixin), as torch's.
    call_super_init: bool = False

    def __init__(self, *args, **kwargs) -> None:
        if not self.call_super_init and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        if not self.call_super_init and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument "
                            f"but {len(args) + 1} were given")
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_serial", next(_trace_state.serials))
        # (counted dicts: a compiled step's snapshot need not look inside them)
        object.__setattr__(self, "_parameters", CountedDict())
        object.__setattr__(self, "_buffers", CountedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", CountedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        for name in _STATE_DICT_HOOKS:
            object.__setattr__(self, name, OrderedDict())
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    # ---- forward ----------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if _COMPILED_CALLS and not _trace_state.state.compiling:
            compiled = _COMPILED_CALLS.get(id(self))
            if compiled is not None:            # (Module.compile())
                return compiled(*args, **kwargs)
        return self._call_impl(*args, **kwargs)

    def _call_impl(self, *args, **kwargs):
        """A call as written: pre-hooks, forward, hooks (what Module.compile compiles)."""
        discover = _trace_state.state.discover
        if discover is not None:            # (inside functorch_like.compile's trace)
            discover(self)
        if self.__dict__.get("_forward_hooks_always_called") or has_global_hooks():
            return self._call_with_options(args, kwargs)
        if self._forward_pre_hooks:
            args, kwargs = run_pre_hooks(self, args, kwargs)
        out, args, backward_hook = self._call_forward(args, kwargs)
        if self._forward_hooks:
            out = run_hooks(self, args, kwargs, out)
        return out if backward_hook is None else backward_hook.setup_outputs(out)

    def _call_with_options(self, args, kwargs):
        """A call with global hooks or an `always_call` hook (see _forward_hooks)."""
        called: set = set()
        try:
            args, kwargs = run_pre_hooks(self, args, kwargs)
            out, args, backward_hook = self._call_forward(args, kwargs)
            out = run_hooks(self, args, kwargs, out, called)
        except Exception:
            run_always_called(self, args, kwargs, called)
            raise
        return out if backward_hook is None else backward_hook.setup_outputs(out)

    def _call_forward(self, args, kwargs) -> tuple:
        """(forward's output, the arguments it was given, the full backward hooks' setup
        or None): their output side is set up after the forward hooks, as torch's."""
        backward_hook = backward_hook_for(self) if is_grad_enabled() else None
        if backward_hook is not None:
            args = backward_hook.setup_inputs(args)
        return self.forward(*args, **kwargs), args, backward_hook

    def compile(self, *args, **kwargs) -> None:
        """Compiles this module's calls in place (functorch_like.compile of its call, with
        the same arguments): `model(x)` then runs the compiled program, while the module,
        its parameters and its state_dict keys stay as they are (torch.compile(model)
        wraps it instead)."""
        import weakref

        from ..._compile import compile as compile_fn
        key = id(self)
        _COMPILED_CALLS[key] = compile_fn(self._call_impl, *args, **kwargs)
        weakref.finalize(self, _COMPILED_CALLS.pop, key, None)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """hook(module, args) -> None or new args, called before forward; with_kwargs:
        hook(module, args, kwargs) -> None or (new args, new kwargs)."""
        return _add_hook(self, "_forward_pre_hooks", hook, prepend,
                         {"_forward_pre_hooks_with_kwargs": with_kwargs})

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """hook(module, args, output) -> None or a new output, called after forward;
        with_kwargs: hook(module, args, kwargs, output); always_call: also called (with
        output None) when forward raises."""
        return _add_hook(self, "_forward_hooks", hook, prepend,
                         {"_forward_hooks_with_kwargs": with_kwargs,
                          "_forward_hooks_always_called": always_call})

    def register_full_backward_hook(self, hook: Callable,
                                    prepend: bool = False) -> RemovableHandle:
        """hook(module, grad_input, grad_output) -> None or a new grad_input, called when
        the gradients with respect to the module's inputs are computed.

        grad_input has one entry per positional argument (None for a non-tensor; zeros
        for a tensor that needs no grad beside one that does); grad_output one per
        top-level output tensor (None where no gradient reached it). When no input
        requires grad, it is called once the output gradients are known, with a warning,
        as torch. PyTorch parity: inside functorch_like.compile it runs while the step is
        traced, on traced gradients (as Tensor hooks do)."""
        return _add_hook(self, "_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable,
                                        prepend: bool = False) -> RemovableHandle:
        """hook(module, grad_output) -> None or a new grad_output, called when the
        gradients with respect to the module's outputs are computed."""
        return _add_hook(self, "_backward_pre_hooks", hook, prepend)

    # ---- registration -----------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        WRITES.count += 1       # (any attribute: a compiled step may read it)
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._remove_from(name, self.__dict__, self._buffers, self._modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._remove_from(name, self.__dict__, self._parameters, self._buffers)
            self._modules[name] = value
            MEMBERS.count += 1
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module "
                                f"'{name}' (torch.nn.Module or None expected)")
            self._modules[name] = value
            MEMBERS.count += 1
        elif isinstance(value, Buffer):
            self.register_buffer(name, value, value.persistent)
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            self._buffers[name] = value
            MEMBERS.count += 1
        else:
            object.__setattr__(self, name, value)

    @staticmethod
    def _remove_from(name, *dicts):
        for d in dicts:
            if name in d:
                del d[name]

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        WRITES.count += 1
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers_set.discard(name)
                MEMBERS.count += 1
                return
        object.__delattr__(self, name)

    def _check_name(self, name: str, kind: str) -> None:
        # PyTorch's checks and texts, in its order (add_module has its own, below).
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter "
                            f"'{name}' (torch.nn.Parameter or None required)")
        self._parameters[name] = param
        MEMBERS.count += 1

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer "
                            f"'{name}' (torch Tensor or None required)")
        if isinstance(tensor, Buffer):
            tensor = Tensor._make(tensor._value)
        self._buffers[name] = tensor
        MEMBERS.count += 1
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module
        MEMBERS.count += 1

    register_module = add_module

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:        # (the modules themselves, as torch: a caller's memo
                return              # of modules is skipped)
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, get_members_fn: Callable, prefix: str = "", recurse: bool = True,
                       remove_duplicate: bool = True):
        """(name, member) for the members `get_members_fn(module)` gives of every module
        (or this one only), as torch's helper of named_parameters and named_buffers."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, value in get_members_fn(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        yield from self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                       remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                       remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> "Module":
        if target == "":
            return self
        mod = self
        for item in target.split("."):       # (torch's lookups and messages)
            mod = mod._attribute(item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def _attribute(self, name: str):
        """getattr(self, name), with torch's error of get_submodule/get_parameter/
        get_buffer where there is none."""
        if not hasattr(self, name):
            raise AttributeError(f"{self._get_name()} has no attribute `{name}`")
        return getattr(self, name)

    def set_submodule(self, target: str, module: "Module", strict: bool = False) -> None:
        """Sets the submodule at the dotted path `target` (its parent must exist); with
        strict, only an existing submodule may be replaced. torch's errors."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self if len(atoms) == 1 else self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(f"{parent._get_name()} has no attribute `{atoms[-1]}`")
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
            raise AttributeError(f"`{atoms[-1]}` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target: str) -> Parameter:
        module_path, _, name = target.rpartition(".")
        param = self.get_submodule(module_path)._attribute(name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        buffer = mod._attribute(name)
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return buffer

    # ---- modes, grads, conversion -----------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p._zero_grad_in_place()

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Calls fn on every submodule (children first), then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply(self, fn: Callable[[Tensor], Tensor], recurse: bool = True) -> "Module":
        """fn applied to every parameter, its .grad and every buffer, children first
        (through their own _apply: a subclass that overrides it to convert more tensors is
        called by to(), half(), ...), as torch's. The Parameter and buffer objects stay
        (an optimizer holds them); their values are fn's."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for store in (self._parameters, self._buffers):
            for t in store.values():
                if t is not None:
                    # (the Parameter object stays: optimizers hold it; a converted value
                    # is new storage, as torch's `param.data = fn(param)`)
                    new = fn(t)
                    if new._value is not t._value:
                        t._leave_storage()
                        t._value = new._value
                    if t._grad is not None:
                        g = fn(t._grad)
                        if g._value is not t._grad._value:
                            t._grad._leave_storage()
                            t._grad._value = g._value
        return self

    def to(self, *args, **kwargs) -> "Module":
        """Casts floating parameters/buffers to a floating dtype and/or moves everything to
        a device; integer buffers (num_batches_tracked) keep their dtype, as PyTorch."""
        dtype, device = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, _dtypes.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif a is not None:
                device = a
        if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        if dtype is not None and dtype.is_complex:
            warnings.warn(
                "Complex modules are a new feature under active development whose design may "
                "change, and some modules might not work as expected when using complex "
                "tensors as parameters or buffers. Please file an issue at "
                "https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml if a "
                "complex module does not work as expected.", stacklevel=2)

        def convert(t: Tensor) -> Tensor:
            with no_grad():
                out = t
                if device is not None:
                    out = out.to(device)
                if dtype is not None and (t.is_floating_point() or t.is_complex()):
                    out = out.to(dtype)
                return out
        return self._apply(convert)

    def _cast_floats(self, dtype) -> "Module":
        return self._apply(
            lambda t: t.detach().to(dtype) if t.is_floating_point() else t)

    def float(self) -> "Module":
        return self._cast_floats(_dtypes.float32)

    def double(self) -> "Module":
        return self._cast_floats(_dtypes.float64)

    def half(self) -> "Module":
        return self._cast_floats(_dtypes.float16)

    def bfloat16(self) -> "Module":
        return self._cast_floats(_dtypes.bfloat16)

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device=None) -> "Module":
        return self.to("cuda" if device is None else f"cuda:{device}")

    def to_empty(self, *, device, recurse: bool = True) -> "Module":
        """Moves the parameters and buffers (of the submodules too, where `recurse`) to
        `device` without copying their values, as torch's: their values are then
        unspecified (zeros here), to be set by an init such as reset_parameters(). The
        Parameter objects stay the same."""
        return self._apply(lambda t: _factories.empty_like(t, device=device),
                                      recurse=recurse)

    def type(self, dst_type) -> "Module":
        return self._apply(lambda t: t.detach().to(dst_type))

    def share_memory(self) -> "Module":
        """Marks every parameter and buffer shared (`is_shared()`), as torch's moves them
        to shared memory (here all memory is the process's own: nothing moves)."""
        for t in itertools.chain(self.parameters(), self.buffers()):
            t.share_memory_()
        return self

    # ---- state_dict -------------------------------------------------------------------
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE] = self.get_extra_state()

    def get_extra_state(self) -> Any:
        """What a subclass adds to its state_dict under `_extra_state` (it overrides this
        and set_extra_state); the base class's raises, as torch's."""
        raise RuntimeError(
            "Reached a code path in Module.get_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    def set_extra_state(self, state: Any) -> None:
        """Restores what get_extra_state gave (see there)."""
        raise RuntimeError(
            "Reached a code path in Module.set_extra_state() that should never be called. "
            "Please file an issue at https://github.com/pytorch/pytorch/issues/new?template="
            "bug-report.yml to report this bug.")

    def register_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, prefix, keep_vars), called before this module's entries are
        saved by state_dict()."""
        return _add_hook(self, "_state_dict_pre_hooks", hook)

    def register_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, state_dict, prefix, local_metadata) -> None, called after this
        module's and its children's entries are saved; it may change state_dict in place."""
        return _add_hook(self, "_state_dict_hooks", hook)

    def _register_state_dict_hook(self, hook: Callable) -> RemovableHandle:
        """torch's older private form: hook(module, state_dict, prefix, local_metadata) ->
        None or a state_dict that replaces it (libraries still use it)."""
        return _add_hook(self, "_state_dict_hooks", _ReturningHook(hook))

    def register_load_state_dict_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs), called before this module's entries are loaded."""
        return _add_hook(self, "_load_state_dict_pre_hooks", hook)

    def _register_load_state_dict_pre_hook(self, hook: Callable,
                                           with_module: bool = False) -> RemovableHandle:
        """torch's older private form: hook(state_dict, prefix, local_metadata, strict,
        missing_keys, unexpected_keys, error_msgs), the module first with_module."""
        return _add_hook(self, "_load_state_dict_pre_hooks",
                         hook if with_module else _WithoutModule(hook))

    def register_load_state_dict_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(module, incompatible_keys) -> None, called after this module and its
        children were loaded; it may change the key lists in place."""
        return _add_hook(self, "_load_state_dict_post_hooks", hook)

    def state_dict(self, *args, destination=None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Parameters and persistent buffers keyed like PyTorch: a module's own parameters,
        then its own buffers, then each child's, recursively (`1.running_mean`)."""
        if args:      # legacy positional (destination, prefix, keep_vars)
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.state_dict for details.", FutureWarning,
                          stacklevel=2)
            destination, prefix, keep_vars = (list(args) + [None, "", False][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        # torch's per-module metadata: the version load_state_dict passes back to
        # _load_from_state_dict (BatchNorm reads it to migrate older checkpoints).
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in list(self.__dict__.get("_state_dict_pre_hooks", {}).values()):
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        for hook in list(self.__dict__.get("_state_dict_hooks", {}).values()):
            result = hook(self, destination, prefix, local_metadata)
            if type(hook) is _ReturningHook:
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _load_from_state_dict(self, state_dict, prefix: str, local_metadata: dict,
                              strict: bool, missing: list, unexpected: list,
                              errors: list) -> None:
        """Loads this module's own entries and classifies the keys under `prefix`: PyTorch's
        method, signature included (subclasses override it to migrate old checkpoints), so
        the key lists come out in its order. Like PyTorch, load_state_dict always passes
        strict=True here and applies its own `strict` to the collected lists."""
        for hook in list(self.__dict__.get("_load_state_dict_pre_hooks", {}).values()):
            hook(self, state_dict, prefix, local_metadata, strict, missing, unexpected, errors)
        del strict
        assign = local_metadata.get("assign_to_params_buffers", False)
        local = {k: v for k, v in itertools.chain(
            self._parameters.items(),
            ((k, b) for k, b in self._buffers.items()
             if k not in self._non_persistent_buffers_set)) if v is not None}
        for name, target in local.items():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = state_dict[key]
            if is_lazy(target) and is_lazy(value):
                continue            # (two placeholders: nothing to copy, as torch)
            if not isinstance(value, Tensor) and not hasattr(value, "__array__"):
                # PyTorch's refusal of a non-tensor (a list, a number); arrays pass here
                errors.append(f'While copying the parameter named "{key}", expected '
                              "torch.Tensor or Tensor-like object from checkpoint but "
                              f"received {type(value)}")
                continue
            arr = value._value if isinstance(value, Tensor) else np.asarray(value)
            if target.ndim == 0 and arr.ndim == 1 and arr.shape[0] == 1:
                # torch's backward compatibility: a 0-d entry saved as one element
                value = arr = arr[0]
            if tuple(arr.shape) != tuple(target.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"torch.Size({list(arr.shape)}) from checkpoint, the shape in "
                              f"current model is {target.shape}.")
                continue
            with no_grad():
                # (from_host: the caller's array, often another model's live buffer)
                source = value if isinstance(value, Tensor) else Tensor._make(from_host(arr))
                if assign:
                    # The given tensor itself takes the slot, as torch's (a tie between
                    # two names is broken; a Parameter's requires_grad is kept).
                    if isinstance(target, Parameter):
                        if isinstance(source, Parameter):
                            source.requires_grad_(target.requires_grad)
                        else:
                            source = Parameter(source, requires_grad=target.requires_grad)
                    setattr(self, name, source)
                else:
                    target.copy_(source)
        extra = prefix + _EXTRA_STATE
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra in state_dict:
                self.set_extra_state(state_dict[extra])
            else:
                missing.append(extra)
        elif extra in state_dict:
            unexpected.append(extra)
        # A key is unexpected at the deepest module its path reaches: a dotted rest must
        # name a child, a plain one must name an own parameter or persistent buffer.
        for key in state_dict:
            if key.startswith(prefix) and key != extra:
                head = key[len(prefix):].split(".", 1)
                if len(head) > 1:
                    if head[0] not in self._modules:
                        unexpected.append(key)
                elif head[0] not in local:
                    unexpected.append(key)

    def load_state_dict(self, state_dict, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copies values in place (parameters keep their identity); values may be Tensors,
        numpy arrays or anything with `__array__` (e.g. real torch tensors). Other values
        (lists, numbers) are refused with PyTorch's error, as it refuses non-tensors.

        Raises RuntimeError with PyTorch's text listing missing/unexpected keys (strict) and
        size mismatches (always), keys in PyTorch's order (module by module, parents first).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        # A copy, as torch's, that _load_from_state_dict may change (BatchNorm fills in an
        # old checkpoint's num_batches_tracked); torch's per-module metadata comes along.
        metadata = getattr(state_dict, "_metadata", None) or {}
        state_dict = OrderedDict(state_dict)

        def load(module, prefix):
            local = dict(metadata.get(prefix[:-1], {}))
            if assign:          # (torch adds the key only then)
                local["assign_to_params_buffers"] = assign
            module._load_from_state_dict(state_dict, prefix, local, True, missing,
                                         unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")
            # (the hooks may change the key lists in place)
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in list(module.__dict__.get("_load_state_dict_post_hooks", {}).values()):
                if hook(module, keys) is not None:
                    raise AssertionError(
                        "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                        "expected to return new values, if incompatible_keys need to be "
                        "modified, it should be done inplace.")
        load(self, "")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # ---- repr -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2)
                       for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:     # the one-line builtin form
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def __dir__(self):
        attrs = list(super().__dir__())
        keys = attrs + list(self._parameters) + list(self._modules) + list(self._buffers)
        # (as torch's: names that are not identifiers, Sequential's "0", are left out)
        return sorted({k for k in keys if not k[0].isdigit()})

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in _MEMBER_DICTS:      # (unpickled as plain dicts)
            if name in self.__dict__:
                object.__setattr__(self, name, counted(self.__dict__[name]))
