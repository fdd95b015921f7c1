"""Shared test fixtures.

Reference tests compare against PyTorch in float64; JAX's x64 mode is switched on only
inside those tests (the library's default, x64 off, is what users get)."""

import os

# The suite runs in two worker processes (pyproject's addopts); on a GPU each would
# otherwise reserve 75% of its memory at start-up.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import jax  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def x64():
    """Runs the test with JAX's 64-bit types enabled."""
    with jax.enable_x64(True):
        yield
