"""`manage.py seed_scale`: synthetic national-scale activity, for benchmark databases only."""

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from portal.actions.seed_scale import seed_scale


class Command(BaseCommand):
    help = (
        "Fill a database that holds the region registry with synthetic service requests, "
        "volunteers, programmes with milestones and progress, scorecards, assignments and "
        "mentoring visits (bulk inserts). For benchmark databases only; a second run adds on top."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--visits", type=int, default=300_000)
        parser.add_argument("--volunteers", type=int, default=20_000)
        parser.add_argument("--regency", help="Only the villages of this regency, e.g. 35.05.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--milestones", type=int, default=5, help="Milestones per programme (at most 8)."
        )
        parser.add_argument(
            "--no-scorecards",
            dest="scorecards",
            action="store_false",
            help="No baseline and latest scorecards for the enrolled villages.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (it invents citizens: never on a production database).",
        )

    def handle(self, *args, verbosity: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                gettext(
                    "seed_scale fills the database with synthetic data, so it runs only with "
                    "DJANGO_DEBUG=true or --force."
                )
            )
        for name in ("requests", "visits", "volunteers", "batch_size", "milestones"):
            if options[name] < (1 if name == "batch_size" else 0):
                raise CommandError(f"--{name.replace('_', '-')} must not be negative.")
        started = time.perf_counter()

        def report(kind: str, done: int, total: int) -> None:
            if verbosity > 1 or (verbosity > 0 and done == total):
                seconds = time.perf_counter() - started
                self.stdout.write(f"{kind}: {done:,}/{total:,} ({seconds:.1f} s)")

        try:
            result = seed_scale(
                volunteers=options["volunteers"],
                visits=options["visits"],
                requests=options["requests"],
                regency=options["regency"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                milestones=options["milestones"],
                scorecards=options["scorecards"],
                progress=report,
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        seconds = time.perf_counter() - started
        rows = (
            result.volunteers
            + result.memberships
            + result.programmes
            + result.enrolments
            + result.assignments
            + result.visits
            + result.requests
            + result.milestones
            + result.milestone_progress
            + result.assessments
            + result.scores
        )
        if verbosity > 0:
            self.stdout.write(
                f"{rows:,} rows in {seconds:.1f} s: {rows / seconds:,.0f} rows/s "
                f"(requests {result.requests:,}, visits {result.visits:,}, volunteers "
                f"{result.volunteers:,}, memberships {result.memberships:,}, programmes "
                f"{result.programmes:,}, enrolments {result.enrolments:,}, assignments "
                f"{result.assignments:,}, milestones {result.milestones:,}, milestone progress "
                f"{result.milestone_progress:,}, assessments {result.assessments:,}, scores "
                f"{result.scores:,})"
            )
