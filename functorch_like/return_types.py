"""torch.return_types: the named-tuple types of results such as `max(dim)`'s
(values, indices), made on first use by `_ops_reduce.named_result`; looked up here by
name, so such results pickle and unpickle."""

from ._ops_reduce import return_types as _types


def __getattr__(name: str):
    try:
        return getattr(_types, name)
    except AttributeError:
        raise AttributeError(f"module 'functorch_like.return_types' has no attribute "
                             f"'{name}'") from None
