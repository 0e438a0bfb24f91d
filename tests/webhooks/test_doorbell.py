"""The delivery child's wake-up across processes (vinyasa.webhooks.worker.Doorbell): ringing never
blocks the server, many rings are one wake-up (and one write), and a child process hears them."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from vinyasa.webhooks.worker import Doorbell


def _answer(bell: Doorbell, heard: Any) -> None:
    if bell.wait(10):
        bell.clear()
        heard.set()


def test_a_child_process_hears_the_bell() -> None:
    context = multiprocessing.get_context("spawn")
    bell, heard = Doorbell(context), context.Event()
    child = context.Process(target=_answer, args=(bell, heard))
    child.start()
    try:
        time.sleep(0.2)
        bell.set()
        assert heard.wait(10)
    finally:
        child.join(10)


def test_rings_pile_up_into_one_wake_up_and_never_block() -> None:
    bell = Doorbell(multiprocessing.get_context("spawn"))
    assert not bell.wait(0)
    for _ in range(200_000):  # far more than a pipe holds: a full pipe is ignored, not waited on
        bell.set()
    assert bell.wait(0)
    bell.clear()
    assert not bell.wait(0)


def _bytes_waiting(bell: Doorbell) -> int:
    fd = bell._read.fileno()
    os.set_blocking(fd, False)
    try:
        return len(os.read(fd, 4096))
    except BlockingIOError:
        return 0


def test_rings_until_the_next_clear_write_once_and_a_ring_after_it_is_kept() -> None:
    bell = Doorbell(multiprocessing.get_context("spawn"))
    for _ in range(1000):
        bell.set()
    assert _bytes_waiting(bell) == 1  # one write(2) for the lot; the child has not cleared yet
    bell.set()
    assert not bell.wait(0)  # still rung, not cleared: nothing more written (the child reads after clear)
    bell.clear()
    bell.set()  # a commit after the child's clear: its ring is written and stays until the next wait
    assert bell.wait(0)
    bell.clear()
    assert not bell.wait(0)
