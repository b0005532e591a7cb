"""Native thread pools sized to the cores actually free."""

from __future__ import annotations

from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

from prevention_lens.risk.threads import free_cores, native_threads


def test_free_cores_leave_out_the_work_already_running() -> None:
    assert free_cores(usable=lambda: 16, load=lambda: 1.0, environ={}) == 16
    assert free_cores(usable=lambda: 16, load=lambda: 11.2, environ={}) == 6
    # A machine busier than its cores still gets one thread, never none.
    assert free_cores(usable=lambda: 2, load=lambda: 12.0, environ={}) == 1
    assert free_cores(usable=lambda: 16, load=lambda: 0.0, environ={"OMP_NUM_THREADS": "4"}) == 4
    # A value that is not a plain number (a superscript passes str.isdigit) is ignored.
    assert free_cores(usable=lambda: 16, load=lambda: 0.0, environ={"OMP_NUM_THREADS": "²"}) == 16


def test_native_threads_caps_the_pools_inside_the_block() -> None:
    with native_threads(1) as cap:
        assert cap == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
