"""torch.torch_version.TorchVersion: a `str` that compares as a version.

PyTorch parity: `torch.__version__ >= "1.10"`, `torch.__version__ >= (2, 0)` and
`torch.__version__ == "2.13.0"` compare release numbers as torch's TorchVersion does
(PEP 440 order: dev < a/b/rc < final < post; a `+local` label only breaks ties);
a string that is no version (`"parrot"`) falls back to plain string comparison.
torch parses with `packaging`, which is not a dependency here: `_key` is the subset
of PEP 440 that version strings of torch and its gates use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TorchVersion"]

_PATTERN = re.compile(
    r"v?(?P<release>\d+(?:\.\d+)*)(?:[-_.]?(?P<pre>a|alpha|b|beta|c|rc)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?post[-_.]?(?P<post>\d*))?(?:[-_.]?dev[-_.]?(?P<dev>\d*))?"
    r"(?:\+(?P<local>[a-z0-9.]+))?", re.IGNORECASE)
_PRE = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2}
_INF = float("inf")


class InvalidVersion(ValueError):
    """Not a PEP 440 version (as packaging.version.InvalidVersion)."""


def _key(text: str) -> tuple:
    m = _PATTERN.fullmatch(text.strip())
    if m is None:
        raise InvalidVersion(f"Invalid version: {text!r}")
    release = [int(p) for p in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:    # 2.13 == 2.13.0
        release.pop()
    pre, post, dev = m["pre"], m["post"], m["dev"]
    # a final release sorts after its pre-releases, a dev release before everything
    pre_key = (_PRE[pre.lower()], int(m["pre_n"] or 0)) if pre else (
        (-_INF, 0) if dev is not None and post is None else (_INF, 0))
    post_key = int(post or 0) if post is not None else -_INF
    dev_key = int(dev or 0) if dev is not None else _INF
    local = tuple((0, int(p)) if p.isdigit() else (-1, p) for p in
                  (m["local"] or "").lower().split(".") if p)
    return tuple(release), pre_key, post_key, dev_key, local


def _other_key(other) -> tuple:
    if isinstance(other, str):
        return _key(other)
    if isinstance(other, Iterable):         # (2, 0) -> "2.0"
        return _key(".".join(str(item) for item in other))
    raise InvalidVersion(other)


class TorchVersion(str):
    """`TorchVersion("2.13.0") > (2, 1)`, `> "1.10"`; otherwise a plain str."""

    __slots__ = ()

    def _compare(self, other, method: str) -> bool:
        try:
            mine, theirs = _key(self), _other_key(other)
        except InvalidVersion:
            return getattr(str, method)(self, other)
        # release tuples of different lengths compare as if zero-padded
        width = max(len(mine[0]), len(theirs[0]))
        mine = (mine[0] + (0,) * (width - len(mine[0])),) + mine[1:]
        theirs = (theirs[0] + (0,) * (width - len(theirs[0])),) + theirs[1:]
        return getattr(mine, method)(theirs)

    def __gt__(self, other): return self._compare(other, "__gt__")   # noqa: E704
    def __lt__(self, other): return self._compare(other, "__lt__")   # noqa: E704
    def __ge__(self, other): return self._compare(other, "__ge__")   # noqa: E704
    def __le__(self, other): return self._compare(other, "__le__")   # noqa: E704
    def __eq__(self, other): return self._compare(other, "__eq__")   # noqa: E704

    # `!=` stays str's, as in torch (which overrides only the five above):
    # TorchVersion("2.13") != "2.13.0" is True there too.
    __hash__ = str.__hash__
