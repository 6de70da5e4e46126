"""Behind the load balancer the client is the address it saw, never one the client wrote."""

from django.test import RequestFactory, override_settings

from darcha.platform.http import client_address

FORWARDED = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 195.158.1.20"}


def test_without_a_trusted_proxy_the_peer_is_the_client():
    assert client_address(RequestFactory().get("/", **FORWARDED)) == "127.0.0.1"


@override_settings(TRUSTED_PROXY_HEADERS=True)
def test_behind_the_trusted_proxy_its_own_entry_counts_not_the_forged_ones():
    assert client_address(RequestFactory().get("/", **FORWARDED)) == "195.158.1.20"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
