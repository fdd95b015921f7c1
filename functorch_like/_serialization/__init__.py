"""save/load internals: the native format, the PyTorch checkpoint reader, atomic writes.

The public entry points are `functorch_like.save` and `functorch_like.load`
(functorch_like/serialization.py).
"""
