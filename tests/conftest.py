"""Shared test fixtures.

Reference tests compare against PyTorch in float64; JAX's x64 mode is switched on only
inside those tests (the library's default, x64 off, is what users get)."""

import os
import subprocess
import sys

# The suite runs in two worker processes (pyproject's addopts); on a GPU each would
# otherwise reserve 75% of its memory at start-up.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
# Tests run thousands of tiny programs, each compiled once: most of the suite's time is
# LLVM optimizing code that then runs for microseconds. XLA's graph-level passes (fusion,
# layout) still run; only the CPU backend's code generation is left unoptimized (about 30%
# less CPU time for the suite). Benchmarks and examples keep the default.
if "xla_backend_optimization_level" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               " --xla_backend_optimization_level=0").strip()
# XLA's CPU fusion emitters (its newer MLIR code generator) take about twice as long as the
# classic emitters to compile a tiny program (jax.jit(jnp.sin): 28 ms against 12 ms here),
# and the suite compiles thousands (a third less time on the test files tried). XLA aborts
# on a flag it does not know, so the flag is tried once in a child process first; xdist's
# workers inherit the result through the environment.
_CLASSIC_EMITTERS = "--xla_cpu_use_fusion_emitters=false"
if "xla_cpu_use_fusion_emitters" not in os.environ["XLA_FLAGS"]:
    _probe = subprocess.run(
        [sys.executable, "-c", "import jax; jax.devices('cpu')"], capture_output=True,
        env=dict(os.environ, XLA_FLAGS=_CLASSIC_EMITTERS, JAX_PLATFORMS="cpu"))
    if _probe.returncode == 0:
        os.environ["XLA_FLAGS"] += " " + _CLASSIC_EMITTERS

import jax  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """Drops JAX's compiled programs after each test module.

    A worker compiles tens of thousands of tiny programs over the suite, and in about one
    full run in four one worker died of a segmentation fault inside XLA's compiler
    (backend_compile_and_load), always past 95% of the run, in a different test each time,
    each of which passes on its own. Releasing the programs (and their code memory) between
    modules keeps a worker's state from growing over the whole run; it costs about 3% of
    the suite's time (40 files: 122.5 s without, 125.6 s with). The cause is not
    established, so this is a mitigation, not a fix."""
    yield
    jax.clear_caches()


@pytest.fixture
def x64():
    """Runs the test with JAX's 64-bit types enabled."""
    with jax.enable_x64(True):
        yield


@pytest.fixture
def eager_and_compiled_losses():
    """Runs one training setup twice, eagerly and under functorch_like.compile, and returns
    the two loss lists. `build()` is called after manual_seed(0) for each run and returns
    (loss_fn, optimizer, args); the step is zero_grad / loss_fn(*args) / backward / step."""
    import functorch_like as fl

    def run(build, steps: int) -> tuple[list, list]:
        runs = []
        for compiled in (False, True):
            fl.manual_seed(0)
            loss_fn, opt, args = build()

            def step(*args):
                opt.zero_grad()
                loss = loss_fn(*args)
                loss.backward()
                opt.step()
                return loss
            step = fl.compile(step) if compiled else step
            runs.append([step(*args).item() for _ in range(steps)])
        return runs[0], runs[1]
    return run
