"""The active autocast policy, read by the dispatch point (`_tensor.apply`).

`cast` is None outside autocast (one attribute test per op); inside, it is
`amp.autocast_mode.cast_inputs(fn, name, args) -> args`, which casts an op's floating
inputs as PyTorch's autocast op lists say (`policy` names which). Kept free of imports so
`_tensor` can import it.
"""

cast = None

# The policy itself, hashable (None outside autocast): compiled programs depend on it, so
# functorch_like.compile makes it part of their guard.
policy = None

# While CPU autocast is on: `amp.autocast_mode.upcast_on_cpu`, which casts half tensors to
# float32 for the composite ops of torch's CPU fp32 list (see cpu_fp32).
upcast = None


def cpu_fp32(*tensors) -> tuple:
    """The tensors as an op of torch's CPU autocast fp32 list takes them: float16/bfloat16
    ones cast to float32 while CPU autocast is on, else as they are."""
    return tensors if upcast is None else upcast(*tensors)
