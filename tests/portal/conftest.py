import pytest


@pytest.fixture
def cache_down(settings):
    """Call `cache_down()` to point the cache at port 1, where nothing listens: from then on
    every cache call fails at once."""

    def take_down():
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
        }

    return take_down
