"""The Redis cache backend against the machine's Redis (the one CI starts)."""

import secrets
import threading

import pytest
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from darcha.platform.cache import RedisCache

LOCATION = "redis://127.0.0.1:6379/0"


@pytest.fixture
def cache():
    backend = RedisCache(LOCATION, {"KEY_PREFIX": f"darcha-test-cache-{secrets.token_hex(4)}"})
    yield backend
    # Only this test's keys: clear() would flush the whole database under the tests that
    # run beside this one in other processes.
    client = backend._cache.get_client(write=True)
    stale = list(client.scan_iter(match=f"{backend.key_prefix}:*"))
    if stale:
        client.delete(*stale)


def test_values_round_trip_and_expire_as_with_djangos_backend(cache):
    django_side = DjangoRedisCache(LOCATION, {"KEY_PREFIX": cache.key_prefix})
    cache.set("session", {"account": "a1", "seen": 1765000000}, timeout=60)
    assert django_side.get("session") == {"account": "a1", "seen": 1765000000}
    assert cache.add("counter", 1)
    assert not cache.add("counter", 5)
    assert cache.incr("counter") == 2
    cache.set("gone", "x", timeout=0)  # 0: expire at once, as Django defines it
    assert cache.get("gone") is None
    cache.delete("session")
    assert django_side.get("session") is None


def test_one_client_serves_every_call_and_every_thread(cache):
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    seen, errors = [], []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"k{n}-{i}", i)
                assert cache.get(f"k{n}-{i}") == i
            seen.append(cache._cache.get_client())
        except AssertionError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(c is client for c in seen)
