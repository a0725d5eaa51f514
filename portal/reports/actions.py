"""Writes to reports: requesting one, generating it (the Celery task's body), the weekly reports
for district officials and the sweep that re-enqueues reports a lost task left behind.

Generation is idempotent: a worker may work on a report only after claiming it with one
conditional UPDATE (queued, or running for longer than the task's hard time limit, i.e. its
worker died), and the claim's start time is the token every later write checks, so a report is
built by one worker at a time and a finished report is never built again. Progress is written to
the row as it goes (percent and stage), committed at once, for the page's progress bar.
"""

from __future__ import annotations

import datetime
import logging
import re
import tempfile
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.lib import api_cache
from portal.lib.tasks import delay_or_leave
from portal.notifications.actions import Notice, notify_many
from portal.notifications.models import Channel
from portal.reports.csv_export import write_csv
from portal.reports.figures import ReportParams, attention_summary, compute_figures
from portal.reports.models import FORMAT_FIELDS, Report, ReportFormat, ReportState
from portal.reports.pdf import write_pdf
from portal.reports.permissions import can_request_reports, covers_area, district_label
from portal.reports.xlsx import write_xlsx
from villages.models import (
    CODE_PATTERNS,
    Cohort,
    District,
    Programme,
    Regency,
    Role,
    RoleAssignment,
)

logger = logging.getLogger(__name__)

# The generation task's limits (tasks.py); a report running longer than STALE_AFTER lost its
# worker and may be claimed again.
SOFT_TIME_LIMIT = 15 * 60
TIME_LIMIT = 20 * 60
STALE_AFTER = datetime.timedelta(seconds=TIME_LIMIT + 5 * 60)
# A queued report whose task has not started after this long is enqueued again (broker down).
QUEUED_TOO_LONG = datetime.timedelta(minutes=5)
MAX_PERIOD_DAYS = 3 * 366
DEFAULT_PERIOD_DAYS = 30
WEEKLY_DAYS = 7
# Villages needing attention stored on the row for the page; all of them are in the files.
STORED_ATTENTION = 50

STAGES = {
    "queued": _("waiting for a worker"),
    "start": _("starting"),
    "villages": _("reading villages"),
    "milestones": _("counting milestones"),
    "pillars": _("reading scorecards"),
    "visits": _("counting visits"),
    "mentors": _("counting mentors"),
    "services": _("counting service requests"),
    "attention": _("finding villages needing attention"),
    "csv": _("writing CSV"),
    "xlsx": _("writing XLSX"),
    "pdf": _("writing PDF"),
    "done": _("done"),
    "failed": _("failed"),
}


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 30 days, today included."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def area_name(area_code: str) -> str:
    """A readable name of a regency or kecamatan code, "" for the whole country; raises
    ValidationError on `area` for a code that is neither."""
    if not area_code:
        return gettext("Whole country")
    if re.fullmatch(CODE_PATTERNS["regency"], area_code):
        regency = Regency.objects.filter(pk=area_code).first()
        if regency is not None:
            return regency.name
    elif re.fullmatch(CODE_PATTERNS["district"], area_code):
        district = District.objects.filter(pk=area_code).select_related("regency").first()
        if district is not None:
            return f"{district_label(district)}, {district.regency.name}"
    raise ValidationError(
        {"area": gettext("Give the code of a regency (35.05) or a kecamatan (35.05.01).")}
    )


def _enqueue_on_commit(report_id: int) -> None:
    """Generate after commit. A broker that is down, or a generation that fails when tasks run
    in-process, must not fail the request: the row records the failure, or stays queued for
    `requeue_stale_reports`."""
    from portal.reports.tasks import generate_report_task

    transaction.on_commit(partial(delay_or_leave, generate_report_task, report_id))


@transaction.atomic
def request_report(
    *,
    actor: User,
    area_code: str,
    programme: Programme | None = None,
    cohort: Cohort | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Report:
    """Queue a report on `programme` (None: every programme of the area), optionally one of its
    cohorts, over `area_code` (a regency or kecamatan; "" for the whole country) and a period
    (default: the last 30 days).

    Raises PermissionDenied unless actor is a district official, kecamatan officer or
    administrator; ValidationError naming the field for an area outside actor's (only
    administrators report on the whole country), a programme actor does not see or that runs
    outside the area, a cohort of another programme, or a period that is reversed, in the
    future or longer than three years. A queued or running report of actor with the same
    parameters is returned instead of a second one. Generation is enqueued after commit.
    """
    if not can_request_reports(actor):
        raise PermissionDenied(gettext("Only officials and kecamatan officers request reports."))
    today = today or timezone.localdate()
    default_start, default_end = default_period(today)
    period_end = period_end or default_end
    period_start = period_start or min(default_start, period_end)
    area_code = (area_code or "").strip()
    errors: dict[str, str] = {}
    name = ""
    try:
        name = area_name(area_code)
    except ValidationError as error:
        errors.update({"area": error.message_dict["area"][0]})
    if "area" not in errors and not covers_area(actor, area_code):
        errors["area"] = (
            gettext("Only administrators report on the whole country.")
            if not area_code
            else gettext("You may request reports only for your own area.")
        )
    if programme is not None:
        if not Programme.objects.visible_to(actor).filter(pk=programme.pk).exists():
            errors["programme"] = gettext("Unknown programme.")
        elif area_code and not (
            area_code == programme.regency_id or area_code.startswith(f"{programme.regency_id}.")
        ):
            errors.setdefault(
                "area", gettext("The programme runs in another regency than this area.")
            )
    if cohort is not None and (programme is None or cohort.programme_id != programme.pk):
        errors["cohort"] = gettext("Choose a cohort of the chosen programme.")
    if period_start > period_end:
        errors["period_start"] = gettext("The period cannot start after it ends.")
    elif period_end > today:
        errors["period_end"] = gettext("The period cannot end in the future.")
    elif (period_end - period_start).days >= MAX_PERIOD_DAYS:
        errors["period_start"] = gettext("A report covers at most three years.")
    if errors:
        raise ValidationError(errors)

    parameters = {
        "programme": programme,
        "cohort": cohort,
        "area_code": area_code,
        "period_start": period_start,
        "period_end": period_end,
    }
    running = (
        Report.objects.filter(
            requested_by=actor, state__in=[ReportState.QUEUED, ReportState.RUNNING], **parameters
        )
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    report = Report(requested_by=actor, area_name=name, stage="queued", **parameters)
    report.full_clean()
    report.save()
    _enqueue_on_commit(report.pk)
    return report


# Generation


def _set_progress(report_id: int, token: datetime.datetime, percent: int, stage: str) -> None:
    Report.objects.filter(pk=report_id, state=ReportState.RUNNING, started_at=token).update(
        progress=percent, stage=stage
    )


def report_parameters(report: Report) -> list[tuple[str, str]]:
    """(label, value) lines printed at the top of every file."""
    made = formats.date_format(timezone.localtime(), "j F Y H:i")
    return [
        (
            gettext("Programme"),
            report.programme.name if report.programme_id else gettext("All programmes"),
        ),
        (gettext("Cohort"), report.cohort.name if report.cohort_id else gettext("All")),
        (gettext("Area"), report.area_name),
        (
            gettext("Period"),
            f"{formats.date_format(report.period_start, 'j F Y')} \N{EN DASH} "
            f"{formats.date_format(report.period_end, 'j F Y')}",
        ),
        (
            gettext("Requested by"),
            str(report.requested_by) if report.requested_by_id else gettext("weekly schedule"),
        ),
        (gettext("Made"), f"{made} WIB"),
    ]


def report_definitions() -> list[str]:
    return [
        gettext(
            "Villages: enrolments in the programme (or every programme of the area) enrolled "
            "by the end of the period."
        ),
        gettext(
            "Milestones done: completed on or before the end of the period; in the period: "
            "completed within it."
        ),
        gettext(
            "Pillar scores: % of the highest score, averaged over the pillar's indicators; "
            "latest = the last assessment by the end of the period, baseline = the enrolment's "
            "baseline assessment, else the village's first."
        ),
        gettext("Visits and participants: submitted or verified mentoring visits in the period."),
        gettext(
            "Active mentors: active volunteers assigned to the village in the programme during "
            "the period; main mentor: a main-mentor assignment on the last day of the period."
        ),
        gettext(
            "Service requests: filed in the period; completed and completed on time (on or "
            "before the due date) among them; overdue: still open and past the due date on the "
            "day the report was made."
        ),
        gettext(
            "Needs attention (active enrolments): no visit in the last 30 days of the period; "
            "no main mentor; overdue service requests; or no milestone completed in the period "
            "while another village of the same programme completed one and milestones are left."
        ),
    ]


def report_title(report: Report) -> str:
    return gettext("Pilot-progress report: %(scope)s") % {"scope": report.scope_label}


def _render(report: Report, figures, file_format: str, token) -> str:
    """Write one format into a temporary file and store it; returns the stored name."""
    percent = {ReportFormat.CSV: 80, ReportFormat.XLSX: 85, ReportFormat.PDF: 92}[file_format]
    _set_progress(report.pk, token, percent, file_format)
    with tempfile.TemporaryFile() as out:
        if file_format == ReportFormat.CSV:
            write_csv(figures, out)
        elif file_format == ReportFormat.XLSX:
            write_xlsx(figures, out, parameters=report_parameters(report))
        else:
            write_pdf(
                figures,
                out,
                title=report_title(report),
                parameters=report_parameters(report),
                definitions=report_definitions(),
            )
        out.seek(0)
        name = f"reports/{report.pk}/laporan-{report.pk}-{report.period_end:%Y%m%d}.{file_format}"
        return default_storage.save(name, File(out, name=name))


def generate_report(*, report_id: int, today: datetime.date | None = None) -> Report | None:
    """Build a report's figures and files, unless it is done, failed, or being built by a live
    worker (then nothing happens). Returns the report as it stands, None when it is gone.

    Deliberately not atomic: progress must be visible to the page while it runs. On success the
    row becomes `done` with its files, totals and attention list in one UPDATE; on any error it
    becomes `failed` with the error, which is logged and raised again (the task fails visibly).
    A scheduled weekly report is then sent to its regency's officials.
    """
    token = timezone.now()
    claimed = (
        Report.objects.filter(pk=report_id)
        .filter(
            Q(state=ReportState.QUEUED)
            | Q(state=ReportState.RUNNING, started_at__lt=token - STALE_AFTER)
        )
        .update(state=ReportState.RUNNING, started_at=token, progress=0, stage="start", error="")
    )
    if not claimed:
        return Report.objects.filter(pk=report_id).first()
    report = Report.objects.select_related("programme", "cohort", "requested_by").get(pk=report_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            params = ReportParams(
                area_code=report.area_code,
                start=report.period_start,
                end=report.period_end,
                programme_id=report.programme_id,
                cohort_id=report.cohort_id,
                today=today or timezone.localdate(),
            )
            figures = compute_figures(params, progress=partial(_set_progress, report.pk, token))
            files = {
                FORMAT_FIELDS[file_format][0]: _render(report, figures, file_format, token)
                for file_format in (ReportFormat.CSV, ReportFormat.XLSX, ReportFormat.PDF)
            }
    except Exception as error:
        Report.objects.filter(pk=report.pk, started_at=token).update(
            state=ReportState.FAILED,
            stage="failed",
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        logger.exception("Report %s failed", report.pk)
        raise
    finished = Report.objects.filter(
        pk=report.pk, state=ReportState.RUNNING, started_at=token
    ).update(
        state=ReportState.DONE,
        progress=100,
        stage="done",
        finished_at=timezone.now(),
        totals=figures.totals,
        attention=attention_summary(figures, limit=STORED_ATTENTION),
        **files,
    )
    if not finished:
        # Another worker took the report over meanwhile: its files win, these go.
        for name in files.values():
            default_storage.delete(name)
    # A finished report shows on cached dashboards (an update sends no signal).
    api_cache.bump("reports")
    report.refresh_from_db()
    if report.state == ReportState.DONE and report.schedule_key:
        notify_weekly_report(report=report)
    return report


# Weekly reports


def _iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _officials(regency_code: str):
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.DISTRICT_OFFICIAL,
        role_assignments__regency_id=regency_code,
    ).order_by("pk")


def notify_weekly_report(*, report: Report) -> int:
    """Tell the regency's active officials (inbox, and e-mail with the PDF attached) that the
    weekly report is ready, with a link to it; once per official and ISO week however often
    called. Returns the notification rows that are new."""
    week = report.schedule_key.rsplit(":", 1)[-1]
    url = reverse("reports:report-detail", args=[report.pk])
    totals = report.totals
    # One text for all of them, in the portal's language.
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("Weekly pilot-progress report: %(area)s") % {"area": report.area_name}
        body = gettext(
            "%(area)s, %(start)s - %(end)s:\n"
            "- enrolled villages: %(villages)d\n"
            "- milestones done in the period: %(milestones)d\n"
            "- mentoring visits: %(visits)d\n"
            "- service requests filed: %(filed)d, overdue: %(overdue)d\n"
            "- villages needing attention: %(attention)d\n"
            "The PDF is attached; the PDF, XLSX and CSV files are on the report's page."
        ) % {
            "area": report.area_name,
            "start": formats.date_format(report.period_start, "j F Y"),
            "end": formats.date_format(report.period_end, "j F Y"),
            "villages": totals.get("enrolments", 0),
            "milestones": totals.get("milestones_done_in_period", 0),
            "visits": totals.get("visits", 0),
            "filed": totals.get("requests_filed", 0),
            "overdue": totals.get("requests_overdue", 0),
            "attention": totals.get("attention", 0),
        }
    notices = [
        Notice(
            recipient=official,
            kind="report.weekly",
            subject=report,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"report.weekly:{report.area_code}:{week}",
            channels=(Channel.INBOX, Channel.EMAIL),
            attachment=report.pdf_file.name or "",
        )
        for official in _officials(report.area_code)
    ]
    return notify_many(notices)


def create_weekly_reports(*, today: datetime.date | None = None) -> list[Report]:
    """For each regency with an active district official and a programme: the report on all its
    programmes over the 7 days before `today`, once per ISO week (a unique key per regency and
    week), generated after commit; officials are told when it is done. A second run in the same
    week creates nothing and re-sends nothing (it only tells officials added since, of a
    report already done). Returns the week's reports."""
    today = today or timezone.localdate()
    week = _iso_week(today)
    start, end = today - datetime.timedelta(days=WEEKLY_DAYS), today - datetime.timedelta(days=1)
    officials = RoleAssignment.objects.filter(
        role=Role.DISTRICT_OFFICIAL, user__is_active=True, regency=OuterRef("pk")
    )
    regencies = (
        Regency.objects.filter(
            Exists(officials), Exists(Programme.objects.filter(regency=OuterRef("pk")))
        )
        .order_by("code")
        .values_list("code", "name")
    )
    reports = []
    for code, name in regencies:
        with transaction.atomic():
            report, created = Report.objects.get_or_create(
                schedule_key=f"{code}:{week}",
                defaults={
                    "area_code": code,
                    "area_name": name,
                    "period_start": start,
                    "period_end": end,
                    "stage": "queued",
                },
            )
            if created:
                _enqueue_on_commit(report.pk)
        if not created and report.state == ReportState.DONE:
            notify_weekly_report(report=report)
        reports.append(report)
    return reports


def requeue_stale_reports() -> list[int]:
    """Enqueue again the reports whose task never ran (queued for over 5 minutes: the broker
    was down) or whose worker died (running past STALE_AFTER). Generation claims each once, so
    a report enqueued twice is built once. Returns the ids enqueued."""
    now = timezone.now()
    ids = list(
        Report.objects.filter(
            Q(state=ReportState.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
            | Q(state=ReportState.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        _enqueue_on_commit(pk)
    return ids
