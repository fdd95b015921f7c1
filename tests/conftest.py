"""Shared test fixtures.

Reference tests compare against PyTorch in float64; JAX's x64 mode is switched on only
inside those tests (the library's default, x64 off, is what users get)."""

import jax
import pytest


@pytest.fixture
def x64():
    """Runs the test with JAX's 64-bit types enabled."""
    with jax.enable_x64(True):
        yield
