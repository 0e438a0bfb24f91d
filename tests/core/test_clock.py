"""The one clock: frozen, set, advanced and resumed; the rate limiter's window follows it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from vinyasa.core import clock
from vinyasa.errors import RateLimited
from vinyasa.protocol import values
from vinyasa.protocol.ratelimit import RateLimiter


@pytest.fixture(autouse=True)
def system_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def test_follows_the_system_clock_by_default():
    before = time.time_ns() // 1_000_000
    assert before <= clock.now_ms() <= time.time_ns() // 1_000_000
    assert clock.state().frozen is False
    assert values.now_ms is clock.now_ms  # the old import path reads the same clock


def test_freeze_set_advance_resume():
    frozen = clock.freeze(1_700_000_000_000)
    assert frozen.frozen and frozen.now_ms == 1_700_000_000_000
    time.sleep(0.01)
    assert clock.now_ms() == 1_700_000_000_000
    assert clock.advance(90_000).now_ms == 1_700_000_090_000
    assert clock.set_ms(1_600_000_000_000).now_ms == 1_600_000_000_000
    resumed = clock.resume()
    assert not resumed.frozen
    assert 1_600_000_000_000 <= clock.now_ms() < 1_600_000_005_000
    time.sleep(0.01)
    assert clock.now_ms() > 1_600_000_000_000  # flows again from where it stood


def test_set_and_advance_while_flowing():
    clock.set_ms(1_000_000_000_000)
    assert 1_000_000_000_000 <= clock.now_ms() < 1_000_000_005_000
    clock.advance(3_600_000)
    assert 1_000_003_600_000 <= clock.now_ms() < 1_000_003_605_000
    assert clock.reset().offset_ms == 0


def test_rate_limit_window_moves_with_the_clock():
    clock.freeze(1_700_000_000_000)
    limiter = RateLimiter(1)
    limiter.spend(7)
    with pytest.raises(RateLimited):
        limiter.spend(7)
    clock.advance(60_000)
    limiter.spend(7)  # a new minute
