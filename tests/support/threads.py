"""Run calls in real threads that start at the same moment: races on the real database."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def at_once(calls: list[Callable[[], object]], *, timeout: float = 120) -> list[object]:
    """Each call's result, or the exception it raised, in the order of `calls`. Every thread
    closes its database connections, so the test's teardown can flush the database."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # collected and asserted on by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads)
    return results
