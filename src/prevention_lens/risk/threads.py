"""How many threads the native libraries (OpenMP, BLAS) may use while risk models are fitted.

OpenMP starts one thread per core it sees, busy or not; on a shared machine the threads then
wait for each other and a backtest that takes 40 s on an idle machine takes 15 minutes. The rule:
the cores this process may run on (``os.sched_getaffinity``), less the work already running on
them (the one-minute load average, less one for ourselves), never fewer than one, and never
more than ``OMP_NUM_THREADS`` when that is set.

Public API::

    free_cores() -> int
    native_threads() -> context manager   # caps OpenMP and BLAS pools to free_cores()
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # no load average on this platform
        return 0.0


def free_cores(
    *,
    usable: Callable[[], int] = _usable_cores,
    load: Callable[[], float] = _load,
    environ: dict[str, str] | None = None,
) -> int:
    """The number of cores free for our native thread pools (see the module docstring)."""
    cores = usable()
    # The load counts this process too while it computes: leave one for ourselves.
    busy = max(0, math.floor(load() - 1 + 0.5))
    free = max(1, cores - busy)
    variables = os.environ if environ is None else environ
    limit = variables.get("OMP_NUM_THREADS", "")
    if limit.isascii() and limit.isdigit() and int(limit) > 0:
        free = min(free, int(limit))
    return free


@contextmanager
def native_threads(limit: int | None = None) -> Iterator[int]:
    """Cap OpenMP and BLAS thread pools to ``limit`` (default ``free_cores()``) inside the block;
    yields the cap."""
    # threadpoolctl comes with scikit-learn; imported here so that importing this module is cheap.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    cap = free_cores() if limit is None else max(1, limit)
    with threadpool_limits(limits=cap):
        yield cap
