"""Pilot-progress reports: who asked for which programme, area and period, how far the worker
has got, and the files and totals it produced.

A report's area is a regency or kecamatan code, or empty for a national report (administrators
only). Scoping is a code-prefix test like everywhere else: a report is visible to a district
official or kecamatan officer whose area contains the report's area, and to administrators.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from villages.models import Cohort, Programme, Role, area_scope

# The roles that see, request and download reports (over their own area).
REPORT_ROLES = (Role.DISTRICT_OFFICIAL, Role.KECAMATAN_OFFICER)


class ReportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


# Per format: the Report field holding the file and the content type it is served with.
FORMAT_FIELDS = {
    ReportFormat.PDF: ("pdf_file", "application/pdf"),
    ReportFormat.XLSX: (
        "xlsx_file",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ReportFormat.CSV: ("csv_file", "text/csv; charset=utf-8"),
}


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """Reports whose area lies inside one of the user's official/officer areas; all for
        administrators. National reports (no area) only for administrators."""
        scope = area_scope(user, roles=REPORT_ROLES)
        return scope.filter(self, code_field="area_code", ancestors=False)


def report_path(instance, filename):
    # Never a name from outside: the report id and the format.
    extension = filename.rsplit(".", 1)[-1]
    return f"reports/{instance.pk}/laporan-{instance.pk}.{extension}"


class Report(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # Empty: every programme running in the area.
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("programme"),
    )
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("cohort"),
    )
    # A regency or kecamatan code; empty for the whole country.
    area_code = models.CharField(_("area code"), max_length=13, blank=True)
    area_name = models.CharField(_("area"), max_length=150)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Scheduled weekly reports: `<regency>:<ISO week>`, unique, so a second beat run makes none.
    schedule_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pdf_file = models.FileField(upload_to=report_path, blank=True)
    xlsx_file = models.FileField(upload_to=report_path, blank=True)
    csv_file = models.FileField(upload_to=report_path, blank=True)
    # The report's totals and its attention list, so pages show them without opening files.
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    attention = models.JSONField(_("villages needing attention"), default=list, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["state", "created_at"], name="report_state_created")]
        constraints = [
            models.CheckConstraint(
                name="report_period_in_order",
                condition=Q(period_end__gte=F("period_start")),
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(name="report_progress_percent", condition=Q(progress__lte=100)),
        ]

    def __str__(self):
        period = f"{self.period_start:%d-%m-%Y}\N{EN DASH}{self.period_end:%d-%m-%Y}"
        return f"{self.scope_label} {period}"

    @property
    def scope_label(self) -> str:
        parts = [str(self.programme) if self.programme_id else str(_("All programmes"))]
        if self.cohort_id:
            parts.append(str(self.cohort))
        parts.append(self.area_name)
        return " · ".join(parts)

    @property
    def is_finished(self) -> bool:
        return self.state in (ReportState.DONE, ReportState.FAILED)

    def file_for(self, file_format: str):
        field, _content_type = FORMAT_FIELDS[ReportFormat(file_format)]
        return getattr(self, field)

    @property
    def downloads(self) -> list[tuple[str, str]]:
        """(format, label) of the files present."""
        if self.state != ReportState.DONE:
            return []
        return [(fmt.value, fmt.label) for fmt in ReportFormat if self.file_for(fmt.value)]
