"""The default rate-limit storage (joblink-memory://): counts like limits' own memory storage, forgets
expired counters, and starts no thread per hit (limits' own starts a timer after nearly every hit)."""
from __future__ import annotations

import threading
import time

from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from webapp.extensions import SweptMemoryStorage


def test_it_limits_per_address_like_limits_memory_storage():
    storage = storage_from_string("joblink-memory://")
    assert isinstance(storage, SweptMemoryStorage)
    limiter, item = FixedWindowRateLimiter(storage), RateLimitItemPerSecond(3, 60)
    assert [limiter.hit(item, "127.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "127.0.0.2")  # another address has its own budget


def test_expired_counters_read_as_zero_and_are_swept(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr("time.time", lambda: clock["now"])
    monkeypatch.setattr("time.monotonic", lambda: clock["now"])
    storage = storage_from_string("joblink-memory://")
    limiter, item = FixedWindowRateLimiter(storage), RateLimitItemPerSecond(1, 10)
    assert limiter.hit(item, "a") and not limiter.hit(item, "a")
    clock["now"] += 11
    assert limiter.hit(item, "b")  # this hit sweeps: "a" expired
    assert not any("/a/" in key or key.endswith("/a") for key in storage.storage)
    assert limiter.hit(item, "a")  # a fresh window for "a"


def test_no_thread_is_started_per_hit():
    storage = storage_from_string("joblink-memory://")
    limiter, item = FixedWindowRateLimiter(storage), RateLimitItemPerSecond(1000, 60)
    before = threading.active_count()
    started = []
    original = threading.Thread.start
    threading.Thread.start = lambda self: (started.append(self), original(self))[1]
    try:
        for i in range(20):  # hits further apart than limits' 10 ms timer, as requests are
            limiter.hit(item, f"127.0.0.{i}")
            time.sleep(0.015)
    finally:
        threading.Thread.start = original
    assert started == [] and threading.active_count() <= before
