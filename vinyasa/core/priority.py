"""Running a background child process (the webhook delivery child, the job runner child) behind the
server's requests for the CPU.

Two ways, both Unix, chosen per child in the settings:

- `"nice"`: add a niceness (0..19) to the process. Under the kernel's fair scheduler a nice-19
  process still gets ~1.5% of a core against each busy nice-0 process (weight 15 against 1024), and
  a waking server thread may wait for the end of the child's slice.
- `"idle"`: Linux's `SCHED_IDLE` policy. The process runs when the CPU has nothing else to do: a
  waking server thread preempts it at once, is placed on a core that runs only such processes as on
  an idle one, and the child's share against each busy nice-0 process is ~0.3%
  (weight 3 against 1024). It is not starved for ever: the kernel still gives it that share, so on a
  server saturated for minutes its work goes on, ~5 times slower than at nice 19 (and it holds any
  lock it took meanwhile that much longer: see docs/webhooks.md). Where `SCHED_IDLE` does not exist
  or is refused, the niceness is used instead.

The policy is set on the calling thread and inherited by the threads it starts afterwards: call
`lower_priority` first thing in the child, before it starts its worker threads.
"""

from __future__ import annotations

import os
from typing import Literal

Priority = Literal["idle", "nice"]


def lower_priority(priority: Priority, nice: int) -> str:
    """Put this process (its calling thread and the threads it starts later) behind the requests:
    `SCHED_IDLE` when `priority` is "idle" and the system has it, else `nice` added to its niceness.
    Returns what was applied: "idle", "nice" or "none" (a niceness of 0, or no `os.nice`)."""
    if priority == "idle" and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return "idle"
        except OSError:  # refused (a seccomp profile, an RT policy already set by an admin): nice
            pass
    if nice and hasattr(os, "nice"):
        os.nice(nice)
        return "nice"
    return "none"
