from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from villages.actions.boundaries import (
    BOUNDARY_LEVELS,
    BoundaryImportError,
    BoundaryImportResult,
    import_boundaries,
)


class Command(BaseCommand):
    help = (
        "Import village (or kecamatan) boundaries from a GeoJSON FeatureCollection whose features "
        "carry the Kemendagri code in properties.code. Safe to re-run: only changed outlines are "
        "written."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="A GeoJSON file, or an https:// address of one.")
        parser.add_argument(
            "--level",
            choices=list(BOUNDARY_LEVELS),
            default="village",
            help="Which regions the features outline (default: village).",
        )

    def handle(self, *args, source: str, level: str, verbosity: int, **options):
        try:
            result = import_boundaries(source=source, level=level)
        except BoundaryImportError as error:
            raise CommandError(
                "\n".join([gettext("Import refused, nothing was changed:"), *error.messages])
            ) from error
        if verbosity > 0:
            self.stdout.write(summary(result))


def summary(result: BoundaryImportResult) -> str:
    lines = [
        gettext("%(inserted)s new, %(updated)s updated, %(unchanged)s unchanged")
        % {"inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged}
    ]
    lines += result.repaired
    return "\n".join(lines)
