"""Staff pages for citizen service requests: the queue, filing at the counter and its receipt, the
request page with its timeline and actions, attachments, forwarded requests and compliance.

Thin: parse, fetch through `ServiceRequest.objects.visible_to` (out of scope is 404), call one
action (which checks permission: 403) and redirect. The full NIK never travels in a URL, a
redirect or a stored message: revealing it renders the page in the POST's own response.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from portal.lib.forms import add_action_errors, message_action_errors
from services.actions.requests import (
    add_attachment,
    available_actions,
    cancel_request,
    complete_request,
    file_request,
    forward_request,
    mark_ready,
    receive_back,
    record_document_view,
    reject_request,
    resubmit_request,
    return_request,
    reveal_nik,
    start_processing,
    verify_request,
)
from services.catalogue import offered_service_types
from services.forms.requests import (
    AttachmentForm,
    ComplianceForm,
    FileRequestForm,
    ForwardForm,
    MissingForm,
    NoteForm,
    ReasonForm,
    RequestQueueForm,
)
from services.models import Attachment, Letter, ServiceRequest, ServiceType
from services.permissions import can_view_full_nik
from services.selectors import forwarded_requests, request_queue, village_compliance
from villages.models import District, Role, Village, role_areas

PAGE_SIZE = 50

# Each transition's action, the form of its note (None: a bare button), the keyword its note is
# passed as, and the message after it; the order is the order of the buttons on the page.
TRANSITIONS = {
    "verify": (verify_request, None, None),
    "process": (start_processing, None, None),
    "ready": (mark_ready, NoteForm, "note"),
    "complete": (complete_request, NoteForm, "note"),
    "resubmit": (resubmit_request, None, None),
    "receive": (receive_back, NoteForm, "note"),
    "forward": (forward_request, ForwardForm, "forwarded_to"),
    "return": (return_request, MissingForm, "missing"),
    "reject": (reject_request, ReasonForm, "reason"),
    "cancel": (cancel_request, ReasonForm, "reason"),
}


def _success_message(name: str) -> str:
    return {
        "verify": gettext("The documents are verified."),
        "process": gettext("The request is in process."),
        "ready": gettext("The request is ready for pick-up."),
        "complete": gettext("The request is completed."),
        "resubmit": gettext("The request is submitted again; its deadline starts again today."),
        "receive": gettext("The request is back in process at the village."),
        "forward": gettext("The request has been forwarded."),
        "return": gettext("The request has been returned to the applicant."),
        "reject": gettext("The request has been rejected."),
        "cancel": gettext("The request has been cancelled."),
    }[name]


def _button_label(name: str) -> str:
    return {
        "verify": gettext("Documents complete"),
        "process": gettext("Start processing"),
        "ready": gettext("Ready for pick-up"),
        "complete": gettext("Handed over: complete"),
        "resubmit": gettext("The applicant brought what was missing"),
        "receive": gettext("Came back to the village"),
        "forward": gettext("Forward"),
        "return": gettext("Return to the applicant"),
        "reject": gettext("Reject"),
        "cancel": gettext("Cancel the request"),
    }[name]


def _visible_request(request, pk: int) -> ServiceRequest:
    return get_object_or_404(
        ServiceRequest.objects.visible_to(request.user).select_related(
            "service_type", "village__district", "filed_by"
        ),
        pk=pk,
    )


def _held_roles(user) -> set[str]:
    return {role for role, _code in role_areas(user)}


def _mark_days_late(service_requests) -> None:
    today = timezone.localdate()
    for service_request in service_requests:
        late = service_request.is_overdue(today)
        service_request.days_late = (today - service_request.due_on).days if late else 0


@login_required
@require_GET
def request_list_view(request):
    """The queue: the requests in the user's area, overdue first, then by due date."""
    user = request.user
    villages = Village.objects.visible_to(user).filter(
        code__in=ServiceRequest.objects.visible_to(user).values("village_id")
    )
    form = RequestQueueForm(request.GET or None, villages=villages)
    params = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(request_queue(user=user, params=params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _mark_days_late(page.object_list)
    can_file = user.is_superuser or Role.VILLAGE_SECRETARY in _held_roles(user)
    return render(
        request,
        "services/request_list.html",
        {"form": form, "page_obj": page, "can_file": can_file},
    )


def _filing_villages(user):
    """The villages the user files for, None for administrators (any village); 403 if none."""
    if user.is_superuser:
        return None
    codes = [code for role, code in role_areas(user) if role == Role.VILLAGE_SECRETARY]
    if not codes:
        raise PermissionDenied(gettext("Only village secretaries file requests."))
    return Village.objects.filter(code__in=codes).order_by("name")


# Every variable: the NIK typed passes through many frames below (form cleaning, the action, the
# database), and only the nearest `sensitive_variables` decides what their reports show.
@sensitive_variables()
@sensitive_post_parameters("nik")
@never_cache
@login_required
def request_create_view(request):
    villages = _filing_villages(request.user)
    if villages is not None and len(villages) == 1:
        service_types = offered_service_types(villages[0])
    else:
        # Several villages: the action refuses a type the chosen village has switched off.
        service_types = ServiceType.objects.active()
    form = FileRequestForm(
        request.POST or None,
        request.FILES or None,
        villages=villages,
        service_types=service_types,
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_request = file_request(
                **form.request_fields(), attachments=form.attachments(), actor=request.user
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Request filed with tracking code %(code)s.")
                % {"code": service_request.tracking_code},
            )
            return redirect("services:request-receipt", service_request.pk)
    return render(request, "services/request_form.html", {"form": form})


@login_required
@require_GET
def request_receipt_view(request, pk: int):
    """The applicant's receipt: tracking code, due date, where to track. No NIK, no address."""
    service_request = _visible_request(request, pk)
    return render(
        request,
        "services/request_receipt.html",
        {
            "service_request": service_request,
            # The public tracking pages live at /lacak/ (services.tracking_urls).
            "tracking_url": request.build_absolute_uri("/lacak/"),
        },
    )


def _detail(request, service_request: ServiceRequest, *, full_nik: str = ""):
    user = request.user
    action_names = available_actions(user, service_request)
    actions = [
        {
            "name": name,
            "url_name": f"services:request-{name}",
            "label": _button_label(name),
            "form": TRANSITIONS[name][1]() if TRANSITIONS[name][1] else None,
        }
        for name in TRANSITIONS
        if name in action_names
    ]
    attachment_form = None
    if action_names:  # someone who handles a request that is not closed
        attachment_form = AttachmentForm(service_type=service_request.service_type)
    _mark_days_late([service_request])
    return render(
        request,
        "services/request_detail.html",
        {
            "service_request": service_request,
            "events": service_request.events.select_related("actor"),
            "attachments": list(service_request.attachments.all()),
            "letter": Letter.objects.filter(service_request=service_request).first(),
            "actions": actions,
            "attachment_form": attachment_form,
            "can_view_full_nik": can_view_full_nik(user, service_request),
            "full_nik": full_nik,
        },
    )


@login_required
@require_GET
def request_detail_view(request, pk: int):
    return _detail(request, _visible_request(request, pk))


@sensitive_variables()
@never_cache
@login_required
@require_POST
def request_reveal_nik_view(request, pk: int):
    """The request page with the full NIK, rendered in this POST's response only (recorded by
    `reveal_nik`); reloading the page shows it masked again."""
    service_request = _visible_request(request, pk)
    full_nik = reveal_nik(service_request=service_request, actor=request.user)
    return _detail(request, service_request, full_nik=full_nik)


def _transition_view(name: str):
    action, form_class, keyword = TRANSITIONS[name]

    @login_required
    @require_POST
    def view(request, pk: int):
        service_request = _visible_request(request, pk)
        kwargs = {}
        if form_class is not None:
            # The action judges the note (required or not) and names what is missing.
            kwargs[keyword] = request.POST.get(keyword, "")
        try:
            action(service_request=service_request, actor=request.user, **kwargs)
        except ValidationError as error:
            message_action_errors(request, error)
        else:
            messages.success(request, _success_message(name))
        return redirect("services:request-detail", service_request.pk)

    view.__name__ = f"request_{name}_view"
    return view


request_transition_views = {name: _transition_view(name) for name in TRANSITIONS}


@login_required
@require_POST
def attachment_add_view(request, pk: int):
    service_request = _visible_request(request, pk)
    form = AttachmentForm(request.POST, request.FILES, service_type=service_request.service_type)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("services:request-detail", service_request.pk)
    try:
        add_attachment(
            service_request=service_request,
            label=form.cleaned_data["label"],
            uploaded_file=form.cleaned_data["file"],
            actor=request.user,
        )
    except ValidationError as error:
        message_action_errors(request, error)
    else:
        messages.success(request, gettext("The document has been added."))
    return redirect("services:request-detail", service_request.pk)


ATTACHMENT_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@login_required
@require_GET
def attachment_download_view(request, pk: int, attachment_pk: int):
    """A document of a request, to the village's secretary only, always as a download under a
    name made here (never the uploaded one) and never sniffed into something else."""
    attachment = get_object_or_404(
        Attachment.objects.filter(
            service_request__in=ServiceRequest.objects.visible_to(request.user)
        ),
        pk=attachment_pk,
        service_request_id=pk,
    )
    # Scans of KTP and KK carry the full NIK: the village's secretary only, and recorded.
    if not can_view_full_nik(request.user, attachment.service_request):
        raise PermissionDenied(gettext("Only the village's secretary opens the documents."))
    record_document_view(service_request=attachment.service_request, actor=request.user)
    extension = ATTACHMENT_EXTENSIONS.get(attachment.content_type, "bin")
    name = slugify(attachment.label) or "dokumen"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=f"{name}-{pk}-{attachment.pk}.{extension}",
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _compliance_districts(user):
    """Kecamatan an official may pick (None: an administrator types a code); 403 for others."""
    if user.is_superuser:
        return None
    held = role_areas(user)
    regencies = [code for role, code in held if role == Role.DISTRICT_OFFICIAL]
    if not regencies and not any(role == Role.KECAMATAN_OFFICER for role, _code in held):
        raise PermissionDenied(gettext("Compliance is for district officials and kecamatan."))
    districts = District.objects.none()
    for code in regencies:
        districts |= District.objects.filter(code__startswith=f"{code}.")
    return districts.order_by("name")


@login_required
@require_GET
def compliance_view(request):
    """Per-village compliance in a period: on-time share, median days, overdue now."""
    districts = _compliance_districts(request.user)
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", datetime.date(today.year, 1, 1).isoformat())
    data.setdefault("end", datetime.date(today.year, 12, 31).isoformat())
    form = ComplianceForm(data, districts=districts)
    rows = []
    if form.is_valid():
        rows = village_compliance(
            user=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            district=form.cleaned_data["district"],
        )
    return render(request, "services/request_compliance.html", {"form": form, "rows": rows})


@login_required
@require_GET
def forwarded_view(request):
    """Requests forwarded to the kecamatan or an agency in the user's area, oldest first."""
    page = Paginator(forwarded_requests(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    _mark_days_late(page.object_list)
    return render(request, "services/request_forwarded.html", {"page_obj": page})
