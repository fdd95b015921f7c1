"""Grad mode: a thread-local switch read by the dispatch point, with PyTorch's context
managers and decorators (no_grad, enable_grad, set_grad_enabled, inference_mode)."""

from __future__ import annotations

import functools
import inspect
import threading


class _State(threading.local):
    enabled = True
    # Inside a torch.func transform's function (func.grad, vjp, jvp, ...): JAX, not the
    # tape, differentiates; `func_no_grad` is set by no_grad() there, and the ops it covers
    # (and detach()) stop JAX's gradient, as torch.func respects an inner no_grad.
    in_func = False
    func_no_grad = False
    inference = False        # inside torch.inference_mode(): new tensors are inference ones
    # During the run of a top-level torch.func transform: what notes the tensors its
    # function reads from outside and the ops it runs (func._func_graph.Capture).
    capture = None
    # The innermost run of a grad-type torch.func transform's function (_func_frames):
    # what in-place writes it refuses.
    frame = None


_state = _State()


def is_grad_enabled() -> bool:
    """Whether operations on tensors that require grad are recorded now."""
    return _state.enabled


class _GradMode:
    """Base: sets a mode on entry, restores the previous one on exit; also a decorator,
    with or without parentheses (`@no_grad` and `@no_grad()`)."""

    _mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs and cls._bare_decorator:
            return cls()(args[0])
        return super().__new__(cls)

    _bare_decorator = True

    def __enter__(self):
        self._prev = _state.enabled
        self._prev_func = _state.func_no_grad
        _state.enabled = self._mode
        if _state.in_func:
            _state.func_no_grad = not self._mode

    def __exit__(self, *exc):
        _state.enabled = self._prev
        _state.func_no_grad = self._prev_func
        return False

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(self.clone, fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


def _wrap_generator(make_ctx, fn):
    """A decorated generator runs each of its steps in the mode, not just its creation
    (which runs no body code); the caller's code between steps keeps the caller's mode.
    PyTorch's `_DecoratorContextManager` does the same."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            with make_ctx():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_ctx():
                        gen.close()
                    raise
                except BaseException as err:
                    with make_ctx():
                        response = gen.throw(err)
                else:
                    with make_ctx():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value
    return wrapper


class no_grad(_GradMode):
    """Context manager / decorator that disables gradient recording."""

    _mode = False


class enable_grad(_GradMode):
    """Context manager / decorator that enables gradient recording (inside no_grad)."""

    _mode = True


class inference_mode(_GradMode):
    """`inference_mode(mode=True)`: no_grad, and the tensors made inside are inference
    tensors (`is_inference()`), which may not be modified in place outside the mode."""

    _bare_decorator = True

    def __init__(self, mode: bool = True):
        self._mode = not mode

    def __enter__(self):
        # Tracked for torch.is_inference_mode_enabled(); restored on exit like grad mode.
        self._prev_inference = _state.inference
        _state.inference = not self._mode
        super().__enter__()

    def __exit__(self, *exc):
        _state.inference = self._prev_inference
        return super().__exit__(*exc)

    def clone(self):
        return type(self)(not self._mode)


class set_grad_enabled(_GradMode):
    """Sets grad mode on construction; as a context manager or decorator, restores the
    previous mode afterwards (PyTorch's semantics: `set_grad_enabled(False)` alone also
    switches the mode)."""

    _bare_decorator = False

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError("set_grad_enabled(): argument 'enabled' (position 1) must be "
                            f"bool, not {type(mode).__name__}")
        self._prev = _state.enabled
        self._prev_func = _state.func_no_grad
        self._mode = mode
        _state.enabled = self._mode
        if _state.in_func:
            _state.func_no_grad = not self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self._prev
        _state.func_no_grad = self._prev_func
        return False

    def __call__(self, fn):
        _state.enabled = self._prev     # decorating must not change the mode for good
        return super().__call__(fn)

    def clone(self):
        return type(self)(self._mode)


class func_body:
    """Where a torch.func transform runs the user's function: no tape recording (JAX
    differentiates), and JAX's gradient passes until an inner no_grad() (an outer one
    does not reach in, as in torch.func)."""

    def __enter__(self):
        self._prev = (_state.enabled, _state.in_func, _state.func_no_grad)
        _state.enabled, _state.in_func, _state.func_no_grad = False, True, False

    def __exit__(self, *exc):
        _state.enabled, _state.in_func, _state.func_no_grad = self._prev
        return False
