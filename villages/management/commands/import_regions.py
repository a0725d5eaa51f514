import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from tqdm import tqdm

from villages.actions import REGION_MODELS, RegionImportError, RegionImportResult, import_regions


class Command(BaseCommand):
    help = (
        "Import the national region registry (provinces, regencies, districts, villages) from "
        "the CSV files in a folder. Safe to re-run: only new and changed rows are written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            type=Path,
            help="Folder holding provinces.csv, regencies.csv, districts.csv and villages.csv.",
        )
        parser.add_argument(
            "--only",
            metavar="CODE",
            help="Import only this regency (e.g. 35.05) or province (e.g. 35) and its regions.",
        )

    def handle(self, *args, directory: Path, only: str | None, verbosity: int, **options):
        show_progress = verbosity > 0 and sys.stderr.isatty()
        progress = ProgressBars() if show_progress else None
        try:
            result = import_regions(directory=directory, only=only, progress=progress)
        except RegionImportError as error:
            raise CommandError(
                "\n".join([gettext("Import refused, nothing was changed:"), *error.messages])
            ) from error
        finally:
            if progress:
                progress.close()
        if verbosity > 0:
            self.stdout.write(summary(result))


def summary(result: RegionImportResult) -> str:
    lines = []
    for level, counts in result.levels.items():
        lines.append(
            gettext("%(level)s: %(inserted)s new, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "level": REGION_MODELS[level]._meta.verbose_name_plural,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
        )
        if counts.absent:
            lines.append(
                "  "
                + gettext("%(count)s in the database but not in the files, left as they are")
                % {"count": counts.absent}
            )
    return "\n".join(lines)


class ProgressBars:
    """A tqdm bar on stderr for each level the importer writes."""

    def __init__(self):
        self.level: str | None = None
        self.bar: tqdm | None = None

    def __call__(self, level: str, done: int, total: int) -> None:
        if level != self.level:
            self.close()
            self.level = level
            if total:
                self.bar = tqdm(
                    total=total,
                    desc=str(REGION_MODELS[level]._meta.verbose_name_plural),
                    file=sys.stderr,
                )
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
