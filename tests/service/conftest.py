"""Fixtures every service test shares."""

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def no_proxy_for_loopback():
    """requests (and so annif-client) would send 127.0.0.1 through an HTTP_PROXY set in the
    environment: loopback goes direct."""
    saved = {name: os.environ.get(name) for name in ("NO_PROXY", "no_proxy")}
    for name, value in saved.items():
        os.environ[name] = ",".join(filter(None, [value, "127.0.0.1", "localhost"]))
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
