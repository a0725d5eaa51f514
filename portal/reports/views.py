"""The reports pages: the list with the request form, a report's page (a progress bar that
refreshes itself while the worker runs, then totals, the attention list and downloads), and the
downloads. Out of the user's area is 404."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from portal.lib.forms import add_action_errors
from portal.reports.actions import STAGES, request_report
from portal.reports.figures import Attention
from portal.reports.forms import RequestReportForm
from portal.reports.models import FORMAT_FIELDS, Report, ReportFormat
from portal.reports.permissions import can_request_reports
from portal.reports.tables import summary_rows_from_totals
from villages.charts import scorecard_chart

PAGE_SIZE = 50
# Seconds between reloads of a report's page while it is queued or running.
REFRESH_SECONDS = 3


def _listed(queryset):
    return queryset.select_related("programme", "cohort", "requested_by")


@login_required
@require_http_methods(["GET", "POST"])
def report_list_view(request):
    may_request = can_request_reports(request.user)
    form = None
    if may_request:
        form = RequestReportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = request_report(
                    actor=request.user,
                    area_code=data["area"],
                    programme=data["programme"],
                    cohort=data["cohort"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, gettext("The report is being prepared."))
                return redirect("reports:report-detail", report.pk)
    elif request.method == "POST":
        raise PermissionDenied(gettext("Only officials and kecamatan officers request reports."))
    page = Paginator(_listed(Report.objects.visible_to(request.user)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "reports": page.object_list,
        },
    )


def _scores(pillars: dict, series: str) -> dict[str, Decimal]:
    return {
        dimension: Decimal(str(values[series]))
        for dimension, values in pillars.items()
        if values[series] is not None
    }


@login_required
@require_GET
def report_detail_view(request, pk: int):
    report = get_object_or_404(_listed(Report.objects.visible_to(request.user)), pk=pk)
    totals = report.totals or {}
    chart = None
    if totals.get("pillars"):
        chart = scorecard_chart(
            baseline=_scores(totals["pillars"], "baseline"),
            latest=_scores(totals["pillars"], "latest"),
        )
    attention = [
        {**row, "reason_labels": [Attention.label(reason) for reason in row["reasons"]]}
        for row in report.attention
    ]
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "stage": STAGES.get(report.stage, report.stage),
            "refresh": None if report.is_finished else REFRESH_SECONDS,
            "summary": summary_rows_from_totals(totals) if totals else [],
            "chart": chart,
            "attention": attention,
        },
    )


def download_response(report: Report, file_format: str) -> FileResponse:
    """The report's file in `file_format` as an attachment; Http404 when it has none."""
    if file_format not in ReportFormat.values:
        raise Http404
    stored = report.file_for(file_format)
    if not stored:
        raise Http404(gettext("This report has no such file (yet)."))
    _field, content_type = FORMAT_FIELDS[ReportFormat(file_format)]
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404(gettext("This report's file is missing.")) from error
    filename = (
        f"laporan-{slugify(report.area_name) or 'nasional'}-"
        f"{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.{file_format}"
    )
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_download_view(request, pk: int, file_format: str):
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
    return download_response(report, file_format)
