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
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedClients
