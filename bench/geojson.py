"""Benchmark: size and time of the village boundary GeoJSON for the 248 villages of Kab. Blitar.

    .venv/bin/pytest bench/geojson.py -q -s

Runs on the test servers (embedded PostgreSQL and Valkey unless DATABASE_URL / REDIS_URL are set),
imports the Blitar regions and outlines from the shared data folder ($PORTAL_SHARED_DATA, else
`shared/data` next to the project folder), and prints bytes, a cold (uncached) and a cached
response time per zoom. Budget: <= 300 KB at zoom 10.
"""

import time

from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.villages.test_maps import blitar  # noqa: F401 (the fixture importing the real data)

ZOOMS = (8, 10, 12, 13)


def test_print_collection_sizes_and_times(blitar):  # noqa: F811
    api = APIClient()
    api.force_authenticate(UserFactory(is_superuser=True))
    for zoom in ZOOMS:
        url = f"/api/village-boundaries/?regency=35.05&zoom={zoom}"
        cache.clear()
        started = time.perf_counter()
        response = api.get(url)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        api.get(url)
        cached = time.perf_counter() - started
        print(
            f"zoom {zoom:2}: {len(response.content):8,} bytes, "
            f"cold {cold * 1000:5.0f} ms, cached {cached * 1000:4.0f} ms"
        )
        if zoom == 10:
            assert len(response.content) <= 300_000
