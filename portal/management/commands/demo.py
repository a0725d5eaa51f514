from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from portal.actions import DEMO_PASSWORD, DemoAccount, load_demo
from portal.actions.demo_background import run_demo_background
from portal.actions.demo_services import load_demo_services
from portal.actions.demo_volunteers import load_demo_volunteers
from portal.dashboard.actions import rebuild_rollups
from villages.actions import RegionImportError
from villages.actions.boundaries import BoundaryImportError, import_boundaries
from villages.management.commands.import_boundaries import summary as boundary_summary
from villages.management.commands.import_regions import summary


class Command(BaseCommand):
    help = (
        "Load the demo data: Kabupaten Blitar's regions, one demo user per role, two pilot "
        "programmes with their villages' progress and scorecards, and volunteers with their "
        "assignments, trainings and mentoring visits, and citizen service requests. Safe to "
        "re-run; it resets the demo users' passwords and roles. For demo instances only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even with DEBUG off (its users have a published password).",
        )
        parser.add_argument(
            "--boundaries",
            metavar="FILE_OR_URL",
            help="Also import village outlines from this GeoJSON (e.g. blitar_villages.geojson).",
        )
        parser.add_argument(
            "--kecamatan-boundaries",
            metavar="FILE_OR_URL",
            help="Also import kecamatan outlines from this GeoJSON.",
        )

    def handle(
        self,
        *args,
        verbosity: int,
        force: bool,
        boundaries: str | None,
        kecamatan_boundaries: str | None,
        **options,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                gettext(
                    "The demo users have a published password, so the demo loads only with "
                    "DJANGO_DEBUG=true or --force."
                )
            )
        try:
            result = load_demo()
        except RegionImportError as error:
            raise CommandError("\n".join(error.messages)) from error
        outlines = [
            (boundaries, "village", gettext("village boundaries")),
            (kecamatan_boundaries, "district", gettext("kecamatan boundaries")),
        ]
        imported = []
        for source, level, label in outlines:
            if source:
                try:
                    counts = import_boundaries(source=source, level=level)
                except BoundaryImportError as error:
                    raise CommandError("\n".join(error.messages)) from error
                imported.append(f"{label}: {boundary_summary(counts)}")
        # After the outlines, so that the demo visits' positions are checked against them.
        volunteers = load_demo_volunteers()
        services = load_demo_services()
        # The demo's writes went through the actions, but loads that bypass them (and a re-run)
        # leave nothing behind for the dashboard only if its rollups are rebuilt at the end.
        rebuild_rollups()
        background = run_demo_background()
        if verbosity > 0:
            self.stdout.write(summary(result.regions))
            for line in imported:
                self.stdout.write(line)
            self.stdout.write("")
            self.stdout.write(users_table(result.accounts))
            self.stdout.write("")
            for programme in result.programmes:
                self.stdout.write(
                    gettext("Programme %(name)s: %(count)s villages enrolled")
                    % {"name": programme.name, "count": programme.enrolments.count()}
                )
            self.stdout.write(
                gettext(
                    "Volunteers: %(volunteers)s, assignments: %(assignments)s, "
                    "trainings: %(trainings)s, mentoring visits: %(visits)s"
                )
                % asdict(volunteers)
            )
            self.stdout.write(
                gettext(
                    "Service requests: %(requests)s (%(overdue)s overdue), letters: %(letters)s"
                )
                % asdict(services)
            )
            self.stdout.write(
                gettext(
                    "Reminders sent today: %(notifications)s notifications; "
                    "weekly reports: %(reports)s"
                )
                % asdict(background)
            )
            self.stdout.write("")
            self.stdout.write(
                gettext("Password for every demo user: %(password)s") % {"password": DEMO_PASSWORD}
            )


def users_table(accounts: list[DemoAccount]) -> str:
    rows = [(gettext("Username"), gettext("Name"), gettext("Role"), gettext("Area"))]
    for account in accounts:
        if account.assignment is None:
            role, area = gettext("administrator"), gettext("everything")
        else:
            role = account.assignment.get_role_display()
            region = account.assignment.area
            area = f"{region.name} ({region.code})" if region else "-"
        rows.append((account.user.username, account.user.full_name, str(role), area))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
