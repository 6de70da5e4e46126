"""Benchmark settings: the product's settings plus a bare reference view."""

from darcha.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.search.urls"
