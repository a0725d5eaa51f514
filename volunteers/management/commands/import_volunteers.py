from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from volunteers.actions.roster_csv import ImportResult, VolunteerImportError, import_volunteers


class Command(BaseCommand):
    help = (
        "Import volunteers and their corps memberships from a roster CSV file (the format of the "
        "roster's CSV download), acting as USERNAME. Nothing is written if any row is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, UTF-8, ',' or ';' separated.")
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help="The user the import acts as; they must manage the roster of every row.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report, write nothing."
        )

    def handle(self, *args, file: Path, user: str, dry_run: bool, **options):
        User = get_user_model()
        try:
            actor = User.objects.get(**{User.USERNAME_FIELD: user})
        except User.DoesNotExist as error:
            raise CommandError(gettext("No user %(username)s.") % {"username": user}) from error
        try:
            with file.open("rb") as handle:
                result = import_volunteers(file=handle, actor=actor, dry_run=dry_run)
        except (OSError, PermissionDenied) as error:
            raise CommandError(str(error)) from error
        except VolunteerImportError as error:
            raise CommandError(
                "\n".join([gettext("Import refused, nothing was changed:"), *error.messages])
            ) from error
        self.stdout.write(summary(result))


def summary(result: ImportResult) -> str:
    if result.dry_run:
        heading = gettext("The file is valid; nothing was written. Importing it would give:")
    else:
        heading = gettext("Imported:")
    return "\n".join(
        [
            heading,
            gettext("volunteers: %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            gettext("memberships: %(created)s new, %(updated)s updated, %(unchanged)s unchanged")
            % {
                "created": result.memberships_created,
                "updated": result.memberships_updated,
                "unchanged": result.memberships_unchanged,
            },
        ]
    )
