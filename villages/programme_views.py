"""Programme pages and the forms that manage enrolments, milestones, progress and assessments.

Thin: parse the form, fetch through `visible_to` (out of scope is 404), call one action (which
checks permission: 403) and redirect. Reads come from villages.selectors.programmes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from portal.lib.forms import add_action_errors
from villages.actions.programmes import (
    EVIDENCE_CONTENT_TYPES,
    add_milestone,
    change_enrolment_status,
    create_programme,
    enrol_village,
    get_or_create_cohort,
    update_milestone_progress,
)
from villages.actions.scorecards import record_assessment, save_indicator
from villages.models import Enrolment, Indicator, MilestoneProgress, Programme, Village
from villages.programme_forms import (
    AssessmentForm,
    EnrolmentForm,
    EnrolmentStatusForm,
    IndicatorForm,
    MilestoneForm,
    MilestoneProgressForm,
    ProgrammeForm,
)
from villages.programme_permissions import (
    can_edit_indicators,
    can_manage_programme,
    can_record_assessment,
    can_update_milestone_progress,
    managed_regencies,
)
from villages.selectors.programmes import programme_detail_context, programme_list


def _visible_programme(request, slug: str) -> Programme:
    return get_object_or_404(
        Programme.objects.visible_to(request.user).select_related("regency"), slug=slug
    )


def _managed_programme(request, slug: str) -> Programme:
    programme = _visible_programme(request, slug)
    if not can_manage_programme(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
def programme_list_view(request):
    return render(
        request,
        "villages/programme_list.html",
        {
            "programmes": programme_list(user=request.user),
            "can_create": managed_regencies(request.user).exists(),
        },
    )


@login_required
def programme_create_view(request):
    regencies = managed_regencies(request.user)
    if not regencies.exists():
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, regencies=regencies)
    if request.method == "POST" and form.is_valid():
        try:
            programme = create_programme(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("Programme “%(name)s” created.") % {"name": programme.name}
            )
            return redirect("programmes:programme-detail", programme.slug)
    return render(
        request,
        "villages/programme_form.html",
        {"form": form, "heading": gettext("New programme")},
    )


@login_required
def indicator_list_view(request):
    return render(
        request,
        "villages/indicator_list.html",
        {
            "indicators": Indicator.objects.order_by("dimension", "order", "code"),
            "can_edit": can_edit_indicators(request.user),
        },
    )


@login_required
def indicator_form_view(request, pk: int | None = None):
    if not can_edit_indicators(request.user):
        raise PermissionDenied
    indicator = get_object_or_404(Indicator, pk=pk) if pk else None
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_indicator(indicator=indicator, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Indicator “%(name)s” saved.") % {"name": saved.name})
            return redirect("programmes:indicator-list")
    heading = gettext("Edit indicator") if indicator else gettext("New indicator")
    return render(request, "villages/programme_form.html", {"form": form, "heading": heading})


@login_required
def programme_detail_view(request, slug: str):
    programme = _visible_programme(request, slug)
    return render(
        request,
        "villages/programme_detail.html",
        programme_detail_context(user=request.user, programme=programme),
    )


@login_required
def milestone_create_view(request, slug: str):
    programme = _managed_programme(request, slug)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = add_milestone(programme=programme, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("Milestone “%(name)s” added.") % {"name": milestone.name}
            )
            return redirect("programmes:programme-detail", programme.slug)
    return render(
        request,
        "villages/programme_form.html",
        {"programme": programme, "form": form, "heading": gettext("Add a milestone")},
    )


@login_required
def enrolment_create_view(request, slug: str):
    programme = _managed_programme(request, slug)
    villages = (
        Village.objects.visible_to(request.user)
        .filter(code__startswith=programme.regency_id + ".")
        .exclude(enrolments__programme=programme)
        .select_related("district")
        .order_by("district__name", "name")
    )
    form = EnrolmentForm(request.POST or None, villages=villages, cohorts=programme.cohorts.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = data["cohort"]
            if data["new_cohort"]:
                cohort = get_or_create_cohort(
                    programme=programme, name=data["new_cohort"], actor=request.user
                )
            enrolment = enrol_village(
                programme=programme,
                village=data["village"],
                cohort=cohort,
                status=data["status"],
                enrolled_on=data["enrolled_on"],
                actor=request.user,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("%(village)s enrolled.") % {"village": enrolment.village.name}
            )
            return redirect("programmes:programme-detail", programme.slug)
    return render(
        request,
        "villages/programme_form.html",
        {"programme": programme, "form": form, "heading": gettext("Enrol a village")},
    )


@login_required
def enrolment_status_view(request, slug: str, pk: int):
    programme = _visible_programme(request, slug)
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("village"),
        pk=pk,
        programme=programme,
    )
    if not can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = EnrolmentStatusForm(
        request.POST or None,
        initial={
            "status": enrolment.status,
            "cohort": enrolment.cohort_id,
            "baseline": enrolment.baseline_id,
        },
        cohorts=programme.cohorts.all(),
        assessments=enrolment.village.assessments.order_by("assessed_on"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_enrolment_status(
                enrolment=enrolment,
                status=form.cleaned_data["status"],
                cohort=form.cleaned_data["cohort"],
                baseline=form.cleaned_data["baseline"],
                actor=request.user,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Enrolment updated."))
            return redirect("programmes:programme-detail", programme.slug)
    heading = gettext("Enrolment of %(village)s") % {"village": enrolment.village.name}
    return render(
        request,
        "villages/programme_form.html",
        {"programme": programme, "form": form, "heading": heading},
    )


@login_required
def progress_update_view(request, slug: str, pk: int, milestone_pk: int):
    programme = _visible_programme(request, slug)
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user).select_related("village"),
        pk=pk,
        programme=programme,
    )
    milestone = get_object_or_404(programme.milestones, pk=milestone_pk)
    if not can_update_milestone_progress(request.user, enrolment.village):
        raise PermissionDenied
    progress = MilestoneProgress.objects.filter(enrolment=enrolment, milestone=milestone).first()
    initial = {}
    if progress:
        initial = {
            field: getattr(progress, field)
            for field in ("state", "completed_on", "achieved_count", "evidence_url", "note")
        }
    form = MilestoneProgressForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_milestone_progress(
                enrolment=enrolment,
                milestone=milestone,
                state=data["state"],
                completed_on=data["completed_on"],
                achieved_count=data["achieved_count"],
                evidence_url=data["evidence_url"],
                evidence_file=data["evidence_file"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Milestone progress saved."))
            return redirect("villages:village-detail", enrolment.village_id)
    heading = gettext("%(milestone)s: %(village)s") % {
        "milestone": milestone.name,
        "village": enrolment.village.name,
    }
    return render(
        request,
        "villages/programme_form.html",
        {
            "programme": programme,
            "form": form,
            "heading": heading,
            "multipart": True,
            "progress": progress,
        },
    )


@login_required
def assessment_create_view(request, code: str):
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("district__regency"), pk=code
    )
    if not can_record_assessment(request.user, village):
        raise PermissionDenied
    indicators = list(Indicator.objects.filter(is_active=True))
    form = AssessmentForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        try:
            record_assessment(
                village=village,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Assessment recorded."))
            return redirect(reverse("villages:village-detail", args=[village.code]))
    return render(
        request, "villages/programme_assessment_form.html", {"village": village, "form": form}
    )


@login_required
@require_GET
def evidence_file_view(request, pk: int):
    """An evidence file, to those who may see its village only: media URLs are guessable, so
    evidence is never linked from MEDIA_URL."""
    progress = get_object_or_404(
        MilestoneProgress.objects.visible_to(request.user).exclude(evidence_file=""), pk=pk
    )
    extension = progress.evidence_file.name.rsplit(".", 1)[-1]
    response = FileResponse(
        progress.evidence_file.open("rb"),
        content_type=EVIDENCE_CONTENT_TYPES.get(extension, "application/octet-stream"),
        filename=f"bukti-{progress.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    return response
