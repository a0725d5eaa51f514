"""Training pages: the list, the form, the detail with registrations and attendance, the
certificate PDF; and the public certificate check.

Thin: parse the form, fetch through `visible_to` (out of scope is 404), call one action (which
checks permission: 403) and redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from portal.lib.forms import add_action_errors, message_action_errors
from volunteers.actions.trainings import (
    cancel_registration,
    create_training,
    issue_certificate,
    normalise_certificate_code,
    record_training_attendance,
    register_for_training,
    update_training,
)
from volunteers.certificates import certificate_pdf
from volunteers.forms.trainings import (
    AttendanceForm,
    CertificateLookupForm,
    RegisterVolunteerForm,
    TrainingForm,
)
from volunteers.models import Attendance, Registration, Training, Volunteer, VolunteerStatus
from volunteers.permissions import (
    can_download_certificate,
    can_manage_training,
    managed_regencies,
)

PAST_PAGE_SIZE = 25


def with_counts(trainings):
    """Trainings with `registered_count` and `attended_count`, in the same query."""
    return trainings.annotate(
        registered_count=Count("registrations", distinct=True),
        attended_count=Count(
            "registrations",
            filter=Q(registrations__attendance=Attendance.ATTENDED),
            distinct=True,
        ),
    )


def _visible_training(request, pk: int) -> Training:
    trainings = Training.objects.visible_to(request.user).select_related(
        "regency", "corps", "awards_level"
    )
    return get_object_or_404(with_counts(trainings), pk=pk)


def verify_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("certificates:verify", args=[code]))


@login_required
@require_GET
def training_list_view(request):
    today = timezone.localdate()
    mine = Registration.objects.filter(training=OuterRef("pk"), volunteer__user=request.user)
    trainings = with_counts(
        Training.objects.visible_to(request.user).select_related("regency", "corps")
    ).annotate(is_registered=Exists(mine))
    past = Paginator(
        trainings.filter(ends_on__lt=today).order_by("-starts_on", "title"), PAST_PAGE_SIZE
    )
    return render(
        request,
        "volunteers/training_list.html",
        {
            "upcoming": trainings.filter(ends_on__gte=today).order_by("starts_on", "title"),
            "past_page": past.get_page(request.GET.get("page")),
            "can_create": managed_regencies(request.user).exists(),
        },
    )


@login_required
def training_create_view(request):
    regencies = managed_regencies(request.user)
    if not regencies.exists():
        raise PermissionDenied
    form = TrainingForm(request.POST or None, regencies=regencies)
    if request.method == "POST" and form.is_valid():
        try:
            training = create_training(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, gettext("Training “%(title)s” created.") % {"title": training.title}
            )
            return redirect("volunteers:training-detail", training.pk)
    return render(
        request,
        "volunteers/training_form.html",
        {"form": form, "heading": gettext("New training")},
    )


@login_required
def training_update_view(request, pk: int):
    training = _visible_training(request, pk)
    if not can_manage_training(request.user, training):
        raise PermissionDenied
    fields = TrainingForm.base_fields
    initial = {name: getattr(training, name) for name in fields}
    form = TrainingForm(
        request.POST or None, initial=initial, regencies=managed_regencies(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_training(training=training, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, gettext("Training saved."))
            return redirect("volunteers:training-detail", training.pk)
    return render(
        request,
        "volunteers/training_form.html",
        {"form": form, "training": training, "heading": gettext("Edit training")},
    )


@login_required
@require_GET
def training_detail_view(request, pk: int):
    training = _visible_training(request, pk)
    user = request.user
    can_manage = can_manage_training(user, training)
    own_volunteer = Volunteer.objects.filter(user=user).first()
    own_registration = (
        Registration.objects.filter(training=training, volunteer__user=user).first()
        if own_volunteer
        else None
    )
    is_open = training.ends_on >= timezone.localdate()
    is_full = training.capacity is not None and training.registered_count >= training.capacity
    # Everyone else's registrations, as far as the user sees them (roster managers of the area).
    registrations = list(
        Registration.objects.visible_to(user)
        .filter(training=training)
        .exclude(volunteer__user=user)
        .select_related("volunteer__district")
        .order_by("volunteer__full_name", "pk")
    )
    context = {
        "training": training,
        "can_manage": can_manage,
        "own_registration": own_registration,
        "can_register_self": (
            own_volunteer is not None
            and own_volunteer.status == VolunteerStatus.ACTIVE
            and own_registration is None
            and is_open
            and not is_full
        ),
        "is_open": is_open,
        "is_full": is_full,
        "registrations": registrations,
    }
    if can_manage:
        context["attendance_form"] = AttendanceForm(registrations=registrations)
        # Managers may still enter a paper attendance list after the training has ended.
        if not is_full:
            context["register_form"] = RegisterVolunteerForm(
                volunteers=Volunteer.objects.visible_to(user)
                .filter(status=VolunteerStatus.ACTIVE)
                .exclude(registrations__training=training)
                .select_related("district")
                .order_by("full_name")
            )
    return render(request, "volunteers/training_detail.html", context)


def _registrant(request, training: Training) -> Volunteer:
    """The volunteer to register: the one named in the form (training managers only; 403 for
    anyone else, whether or not that volunteer exists), else the user's own record."""
    volunteer_id = request.POST.get("volunteer")
    own = Volunteer.objects.filter(user=request.user).first()
    if not volunteer_id or (own is not None and str(own.pk) == volunteer_id):
        if own is None:
            raise PermissionDenied(gettext("Only volunteers on the roster can register."))
        return own
    if not can_manage_training(request.user, training):
        raise PermissionDenied(gettext("You may register only yourself for this training."))
    form = RegisterVolunteerForm(
        request.POST, volunteers=Volunteer.objects.visible_to(request.user)
    )
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["volunteer"]


@login_required
@require_POST
def training_register_view(request, pk: int):
    training = _visible_training(request, pk)
    volunteer = _registrant(request, training)
    try:
        register_for_training(training=training, volunteer=volunteer, actor=request.user)
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(request, gettext("%(name)s is registered.") % {"name": volunteer})
    return redirect("volunteers:training-detail", training.pk)


@login_required
@require_POST
def registration_cancel_view(request, pk: int):
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("training", "volunteer"),
        pk=pk,
    )
    try:
        cancel_registration(registration=registration, actor=request.user)
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(request, gettext("The registration is cancelled."))
    return redirect("volunteers:training-detail", registration.training_id)


@login_required
@require_POST
def registration_attendance_view(request, pk: int):
    training = _visible_training(request, pk)
    if not can_manage_training(request.user, training):
        raise PermissionDenied
    registrations = list(
        Registration.objects.visible_to(request.user)
        .filter(training=training)
        .select_related("volunteer")
    )
    form = AttendanceForm(request.POST, registrations=registrations)
    if not form.is_valid():
        messages.error(request, gettext("Choose an attendance for every volunteer."))
        return redirect("volunteers:training-detail", training.pk)
    try:
        changed = record_training_attendance(
            training=training, attendance=form.attendance(), actor=request.user
        )
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(
            request,
            gettext("Attendance saved (%(count)s changed).") % {"count": changed},
        )
    return redirect("volunteers:training-detail", training.pk)


@login_required
@require_POST
def certificate_issue_view(request, pk: int):
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("training", "volunteer"),
        pk=pk,
    )
    try:
        registration = issue_certificate(registration=registration, actor=request.user)
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(
            request,
            gettext("Certificate %(code)s issued to %(name)s.")
            % {"code": registration.certificate_code, "name": registration.volunteer},
        )
    return redirect("volunteers:training-detail", registration.training_id)


@login_required
@require_GET
def certificate_pdf_view(request, code: str):
    """The certificate PDF, to its holder and the training's managers."""
    code = normalise_certificate_code(code)
    if code is None:
        raise Http404
    registration = get_object_or_404(
        Registration.objects.visible_to(request.user).select_related("training", "volunteer"),
        certificate_code=code,
    )
    if not can_download_certificate(request.user, registration):
        raise PermissionDenied
    pdf = certificate_pdf(registration=registration, verify_url=verify_url(request, code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sertifikat-{code}.pdf"'
    response["Cache-Control"] = "private"
    return response


# Public: no login.


def _public(response):
    # A verification page is for the person holding the paper, not for search engines.
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certificate_lookup_view(request):
    form = CertificateLookupForm(request.GET or None)
    if form.is_valid():
        code = normalise_certificate_code(form.cleaned_data["code"])
        if code is not None:
            return redirect("certificates:verify", code)
        form.add_error("code", gettext("A certificate code has 12 letters and digits."))
    return _public(render(request, "volunteers/certificate_lookup.html", {"form": form}))


@require_GET
def certificate_verify_view(request, code: str):
    normalised = normalise_certificate_code(code)
    registration = None
    if normalised is not None:
        registration = (
            Registration.objects.filter(certificate_code=normalised)
            .select_related("training", "volunteer")
            .first()
        )
    response = render(
        request,
        "volunteers/certificate_verify.html",
        {
            "code": normalised or code,
            "registration": registration,
            "form": CertificateLookupForm(),
        },
        status=200 if registration else 404,
    )
    return _public(response)
