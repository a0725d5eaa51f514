"""`manage.py rebuild_rollups [--regency CODE]`: the dashboard's rollups, rebuilt from raw rows."""

from django.core.management.base import BaseCommand, CommandError

from portal.dashboard.actions import rebuild_rollups
from villages.models import Regency


class Command(BaseCommand):
    help = (
        "Rebuild the dashboard's rollups (figures per village per month, village, enrolment and "
        "kecamatan snapshots) from requests, visits, assignments and milestones, for one "
        "regency or the whole country."
    )

    def add_arguments(self, parser):
        parser.add_argument("--regency", metavar="CODE", help="A regency code, e.g. 35.05.")

    def handle(self, *args, regency: str | None, verbosity: int, **options):
        if regency is not None and not Regency.objects.filter(code=regency).exists():
            raise CommandError(f"--regency: no regency has the code {regency!r}.")
        result = rebuild_rollups(regency=regency)
        if verbosity > 0:
            timings = ", ".join(
                f"{name} {seconds:.2f} s" for name, seconds in result.seconds.items()
            )
            self.stdout.write(
                f"Rollups rebuilt: {result.month_rows} village-months, {result.village_rows} "
                f"villages, {result.enrolment_rows} enrolments, {result.district_rows} kecamatan "
                f"({timings})."
            )
