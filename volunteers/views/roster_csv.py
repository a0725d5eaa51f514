"""The roster as CSV: the download (the roster page's filters, streamed) and the import page.

Both use the columns of volunteers.actions.roster_csv, so a downloaded file imports unchanged.
"""

from __future__ import annotations

import csv
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from volunteers.actions.roster_csv import (
    COLUMNS,
    FORMULA_STARTS,
    VolunteerImportError,
    import_volunteers,
)
from volunteers.filters import VolunteerFilter
from volunteers.forms.roster_csv import VolunteerImportForm
from volunteers.models import Membership, Volunteer
from volunteers.permissions import can_see_volunteer_contacts, managed_districts


class _Echo:
    """A file-like object whose `write` hands the line back, for streaming csv.writer output."""

    def write(self, value):
        return value


@login_required
@require_GET
def volunteer_csv_view(request):
    """The volunteers the user sees, filtered like the roster page, one row per membership.

    WhatsApp and email are blank for volunteers whose contacts the user may not see.
    """
    filterset = VolunteerFilter(
        request.GET or None,
        queryset=Volunteer.objects.visible_to(request.user),
        request=request,
    )
    if filterset.is_bound and not filterset.is_valid():
        errors = "\n".join(
            f"{name}: {' '.join(problems)}" for name, problems in filterset.errors.items()
        )
        return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    volunteers = filterset.qs.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("corps", "level"))
    )
    writer = csv.writer(_Echo())
    user = request.user

    def rows():
        yield writer.writerow(COLUMNS)
        # Region columns are codes, which are the foreign keys themselves: no join needed.
        for volunteer in volunteers:
            contacts = can_see_volunteer_contacts(user, volunteer)
            person = [
                _safe(volunteer.full_name),
                volunteer.gender,
                volunteer.whatsapp if contacts else "",
                _safe(volunteer.email) if contacts else "",
                volunteer.district_id,
                volunteer.home_village_id or "",
                _safe(volunteer.skills),
                volunteer.status,
                _date(volunteer.joined_on),
                _date(volunteer.left_on),
            ]
            for membership in volunteer.memberships.all() or [None]:
                yield writer.writerow(person + _membership_cells(membership))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="relawan.csv"'
    return response


def _membership_cells(membership: Membership | None) -> list[str]:
    if membership is None:
        return [""] * 8
    return [
        membership.corps.code,
        membership.level.name if membership.level else "",
        _safe(membership.komisariat),
        _safe(membership.position),
        membership.appointing_village_id or "",
        _safe(membership.decree_number),
        _date(membership.decree_date),
        _date(membership.since),
    ]


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _safe(value: str) -> str:
    """Free text that a spreadsheet would run as a formula, behind a quote the import drops."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@login_required
def volunteer_import_view(request):
    if not managed_districts(request.user).exists():
        raise PermissionDenied
    form = VolunteerImportForm(request.POST or None, request.FILES or None)
    result = errors = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_volunteers(
                file=form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except VolunteerImportError as error:
            errors = error.messages
        else:
            if not result.dry_run:
                form = VolunteerImportForm()
    return render(
        request,
        "volunteers/roster_import.html",
        {"form": form, "result": result, "errors": errors},
    )
