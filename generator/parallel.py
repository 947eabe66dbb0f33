"""Per-monograph work on both cores: part of a list done in a forked process.

The work is pure (data in, text out), so the child needs nothing but what it inherits; its result
comes back pickled through a pipe. A child that fails (out of memory, a bug) costs time, never a
result: its part is then done in this process, which raises whatever the work raises.

``in_shares`` cuts the list into short runs that the two processes take in turn, each as it
finishes its last, so neither waits long for the other; ``in_halves`` cuts it in two.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_FROM = 200
"""From this many items a second process takes half (below it, starting one costs more than it
saves)."""


_forking = {"allowed": True}


def single_process() -> None:
    """From now on, do all the work in this process. ``kb serve`` and ``mkdocs serve`` call it
    once their server's threads start: a lock one of them holds at a fork (logging a request,
    say) stays locked in the child for ever, and a build waiting for that child would hang. So
    a preview's first build uses both cores, and its full rebuilds, run while it serves, one."""
    _forking["allowed"] = False


def can_fork() -> bool:
    """Whether work may go to a forked process (see ``single_process``)."""
    return hasattr(os, "fork") and _forking["allowed"]


def splits(count: int) -> bool:
    """Whether ``count`` items are shared with a second process (``parallel=None``)."""
    return count >= PARALLEL_FROM and (os.cpu_count() or 1) > 1


def in_halves(items: Sequence[Item], work: Callable[[Sequence[Item]], Result], *,
              parallel: bool | None = None) -> list[Result]:
    """``[work(first half), work(second half)]``, one in a forked process when there are
    enough items (``parallel=None``) and a second core; ``[work(items)]`` otherwise. For work
    whose results cost something to join (the halves' search indexes are merged)."""
    return in_shares(items, work, runs=2, parallel=parallel)


class Tickets:
    """The numbers 0, 1, … ``count - 1`` (at most 255), each taken once, in order, by whichever
    process asks first, this one or one forked after: a pipe holds one byte, the number, for
    each, and a read of one byte from a pipe takes it whole."""

    def __init__(self, count: int) -> None:
        self.fd, handing = os.pipe()
        os.write(handing, bytes(range(count)))  # at most 255 bytes: the pipe holds them all
        os.close(handing)

    def take(self) -> int | None:
        """The next number, or None once all are taken."""
        ticket = os.read(self.fd, 1)
        return ticket[0] if ticket else None

    def __iter__(self) -> Iterator[int]:
        while (number := self.take()) is not None:
            yield number

    def close(self) -> None:
        os.close(self.fd)


SHARES = 32
"""The runs ``in_shares`` cuts a list into: the slower process is left at most one run behind
(at 2,000 monographs, a run of 63 takes about 0.2 s to read)."""


def in_shares(items: Sequence[Item], work: Callable[[Sequence[Item]], Result], *,
              runs: int = SHARES, parallel: bool | None = None) -> list[Result]:
    """``[work(first run), work(second run), …]``: ``items`` cut into ``runs`` runs (at most
    255) in order, which this process and a forked one take in turn, each as it finishes its
    last (reading a half took one process up to 1.3 s longer than the other, and not always
    the same one), when there are enough items (``parallel=None``) and a second core;
    ``[work(items)]`` otherwise. Each run is handed out once (``Tickets``)."""
    if parallel is None:
        parallel = splits(len(items))
    if not parallel or len(items) < 2 or not can_fork():
        return [work(items)]
    size = -(-len(items) // min(runs, 255))
    cut = [items[start:start + size] for start in range(0, len(items), size)]
    tickets = Tickets(len(cut))
    child = _sending(lambda: [(number, work(cut[number])) for number in tickets])
    if child is None:  # no process to be had (a limit on processes or memory): all of it here
        tickets.close()
        return [work(items)]
    results: dict[int, Result] = {}
    try:
        for number in tickets:
            results[number] = work(cut[number])
    finally:
        tickets.close()
        theirs: list[list[tuple[int, Result]]] = child.received()
    for done in theirs:  # none if the child failed: its runs are done here
        results.update(done)
    return [results[number] if number in results else work(cut[number])
            for number in range(len(cut))]


def apart(work: Callable[[], Result]) -> Result:
    """``work()`` done in a forked process and its result sent back pickled, for work that
    takes far more memory than it returns: Python keeps what it freed for the life of the
    process (in arenas the objects kept still occupy), and a process forked after it would
    count it again. Done here when no process can be had or the child fails."""
    child = _sending(work)
    theirs: list[Result] = child.received() if child is not None else []
    return theirs[0] if theirs else work()


class _Sending:
    """A forked process that sends the result of its work back pickled through a pipe."""

    def __init__(self, process: Background, read: int) -> None:
        self.process, self.read = process, read

    def received(self) -> list[Any]:
        """``[its result]`` once it has ended, or ``[]`` if it failed. Read as it arrives: 1,000
        rendered pages are never held twice, as bytes too."""
        got: list[Any] = []
        with os.fdopen(self.read, "rb") as pipe:
            with contextlib.suppress(Exception):  # nothing or part of it came: it failed
                got.append(pickle.load(pipe))
            pipe.read()  # to its end, so that a child still writing is never left blocked
        return got if self.process.wait() else []


def _sending(work: Callable[[], object]) -> _Sending | None:
    """Start ``work()`` in a forked process that sends its result back (``_Sending``); None
    when no process can be had."""
    read, write = os.pipe()

    def send() -> None:  # in the child
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(data)

    child = in_background(send)
    os.close(write)
    if child is None:
        os.close(read)
        return None
    return _Sending(child, read)


class Background:
    """A forked process doing work whose results it writes itself (files, not data)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def wait(self) -> bool:
        """Wait for it to end; whether it did all its work."""
        _, status = os.waitpid(self.pid, 0)
        return status == 0

    def stop(self) -> None:
        """End it now (the build failed: its work is not needed)."""
        os.kill(self.pid, signal.SIGKILL)  # not yet waited for: there, even if it has ended
        os.waitpid(self.pid, 0)


def in_background(work: Callable[[], object]) -> Background | None:
    """Start ``work()`` in a forked process; ``None`` when no process can be had. The process
    ends with status 0 only if ``work`` returned: whatever it raised, its caller does that
    work again itself."""
    if not can_fork():
        return None
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: no clean-up of the parent's, no flushing of its buffers
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return Background(pid)
