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
