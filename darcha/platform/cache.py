"""Django's Redis cache backend, keeping one client per connection pool.

Django's backend builds a new ``redis.Redis`` for every cache call, and building one fills
its table of a few hundred response callbacks: on a signed-in request (the session is read
from this cache) that was about 3% of a web worker's time. A client is safe to share
between threads: it takes a connection from its pool for each command.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _SharedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # Django picks the pool (a random replica for reads); each pool lives as long as the
        # backend, so its identity names its client.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedClients
        # Built now rather than on the first call (it imports the client library, a quarter
        # of a second), so that a web process's warm-up pays for it. It connects on first use.
        self._cache  # noqa: B018
