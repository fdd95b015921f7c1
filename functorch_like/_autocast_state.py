"""The active autocast policy, read by the dispatch point (`_tensor.apply`).

`cast` is None outside autocast (one attribute test per op); inside, it is
`amp.autocast_mode.cast_inputs(fn, name, args) -> args`, which casts an op's floating
inputs as PyTorch's autocast op lists say. Kept free of imports so `_tensor` can import it.
"""

cast = None
