"""The life of a citizen's service request: filing at the counter, then its workflow.

submitted -> verified | returned | rejected | cancelled
verified -> in_process | forwarded | rejected | cancelled
in_process -> ready | forwarded | cancelled
forwarded -> in_process (came back) | ready | rejected
ready -> completed
returned -> submitted (the applicant brought what was missing) | cancelled
completed, rejected and cancelled are final.

Every action locks the request's row, so that two clerks acting at once cannot both move it,
checks `can_handle_request` on the locked row, and records a RequestEvent for the timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_variables

from portal.accounts.models import User
from portal.lib import codes
from portal.lib.figures import note_change
from portal.lib.phone import normalise_phone
from services.actions.applicant import notify_applicant
from services.actions.letters import issue_letter
from services.attachments import MAX_ATTACHMENTS, check_attachment
from services.deadlines import add_working_days
from services.models import (
    Attachment,
    NikView,
    RequestEvent,
    RequestStatus,
    ServiceRequest,
    ServiceType,
    VillageService,
)
from services.nik import validate_nik
from services.permissions import can_file_request, can_handle_request, can_view_full_nik
from villages.models import Village, VillageKind, VillageProfile

S = RequestStatus

# The workflow: from each status, the statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.VERIFIED, S.RETURNED, S.REJECTED, S.CANCELLED}),
    S.VERIFIED: frozenset({S.IN_PROCESS, S.FORWARDED, S.REJECTED, S.CANCELLED}),
    S.IN_PROCESS: frozenset({S.READY, S.FORWARDED, S.CANCELLED}),
    S.FORWARDED: frozenset({S.IN_PROCESS, S.READY, S.REJECTED}),
    S.READY: frozenset({S.COMPLETED}),
    S.RETURNED: frozenset({S.SUBMITTED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Each transition action: the status it leads to and the statuses it starts from. Both ways into
# in_process are in the table, but they mean different things: starting the work on a verified
# request, or taking back a forwarded one.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "verify": (S.VERIFIED, frozenset({S.SUBMITTED})),
    "return": (S.RETURNED, frozenset({S.SUBMITTED})),
    "reject": (S.REJECTED, frozenset({S.SUBMITTED, S.VERIFIED, S.FORWARDED})),
    "cancel": (S.CANCELLED, frozenset({S.SUBMITTED, S.VERIFIED, S.IN_PROCESS, S.RETURNED})),
    "process": (S.IN_PROCESS, frozenset({S.VERIFIED})),
    "forward": (S.FORWARDED, frozenset({S.VERIFIED, S.IN_PROCESS})),
    "receive": (S.IN_PROCESS, frozenset({S.FORWARDED})),
    "ready": (S.READY, frozenset({S.IN_PROCESS, S.FORWARDED})),
    "complete": (S.COMPLETED, frozenset({S.READY})),
    "resubmit": (S.SUBMITTED, frozenset({S.RETURNED})),
}

TRACKING_ALPHABET = codes.ALPHABET
TRACKING_CODE_LENGTH = codes.LENGTH
_RT_RW = re.compile(r"^[0-9]{1,3}$")


def available_actions(user, service_request: ServiceRequest) -> list[str]:
    """The names of ACTIONS the user may take on the request now (for pages' buttons)."""
    return [
        name
        for name, (_to, sources) in ACTIONS.items()
        if service_request.status in sources and can_handle_request(user, service_request, name)
    ]


def new_tracking_code() -> str:
    return codes.random_code(TRACKING_CODE_LENGTH)


def _unique_tracking_code() -> str:
    code = new_tracking_code()
    while ServiceRequest.objects.filter(tracking_code=code).exists():
        code = new_tracking_code()
    return code


def _is_offered(village: Village, service_type: ServiceType) -> bool:
    """Active in the catalogue and not switched off by the village (no row means offered)."""
    switched_off = VillageService.objects.filter(
        village=village, service_type=service_type, is_offered=False
    ).exists()
    return service_type.is_active and not switched_off


def _checked_attachments(attachments, errors: dict) -> list[tuple[str, object, str, str]]:
    """(label, file, content type, extension) of each upload; problems go into `errors`."""
    checked, messages = [], []
    if len(attachments) > MAX_ATTACHMENTS:
        messages.append(
            gettext("At most %(count)d documents can be attached to a request.")
            % {"count": MAX_ATTACHMENTS}
        )
    for label, uploaded_file in attachments:
        if not (label or "").strip():
            messages.append(gettext("Each document needs a name, e.g. KTP or KK."))
            continue
        try:
            content_type, extension = check_attachment(uploaded_file)
        except ValidationError as error:
            messages.extend(f"{label}: {message}" for message in error.messages)
            continue
        checked.append((label.strip(), uploaded_file, content_type, extension))
    if messages:
        errors["attachments"] = messages
    return checked


def _store_attachment(service_request, label, uploaded_file, content_type, extension, actor):
    attachment = Attachment(
        service_request=service_request,
        label=label,
        content_type=content_type,
        size_bytes=uploaded_file.size,
        uploaded_by=actor,
    )
    # The uploaded name is dropped: upload_to builds a random one with the checked extension.
    attachment.file.save(f"document.{extension}", uploaded_file, save=False)
    attachment.save()
    return attachment


@sensitive_variables()
@transaction.atomic
def file_request(
    *,
    village: Village,
    service_type: ServiceType,
    applicant_name: str,
    nik: str,
    purpose: str,
    actor: User,
    applicant_sex: str = "",
    applicant_phone: str = "",
    dusun: str = "",
    rt: str = "",
    rw: str = "",
    address: str = "",
    attachments: Iterable = (),
) -> ServiceRequest:
    """File a citizen's request at the village counter, due `sla_working_days` working days
    from today (Asia/Jakarta), with a random tracking code for the applicant's receipt.

    `attachments` is a list of (label, uploaded file). Raises PermissionDenied unless actor is
    the village's secretary (or an administrator); ValidationError with every problem of every
    field at once: a service the village does not offer, a bad NIK, phone, RT/RW or document.
    A temporary NIK (beginning with 0) is accepted and flagged.
    """
    if not can_file_request(actor, village):
        raise PermissionDenied(gettext("Only the village's secretary may file its requests."))
    errors: dict[str, list[str]] = {}
    if not _is_offered(village, service_type):
        errors["service_type"] = [gettext("The village does not offer this service.")]
    nik_is_temporary = False
    try:
        check = validate_nik(nik, sex=applicant_sex)
        nik, nik_is_temporary = check.nik, check.is_temporary
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        applicant_phone = normalise_phone(applicant_phone)
    except ValidationError as error:
        errors["applicant_phone"] = error.messages
    for field, value in (("rt", rt), ("rw", rw)):
        if value and not _RT_RW.match(value.strip()):
            errors[field] = [gettext("Up to three digits, e.g. 003.")]
    checked = _checked_attachments(list(attachments), errors)

    today = timezone.localdate()
    service_request = ServiceRequest(
        village=village,
        service_type=service_type,
        tracking_code=_unique_tracking_code(),
        applicant_name=(applicant_name or "").strip(),
        nik=nik,
        nik_is_temporary=nik_is_temporary,
        applicant_sex=applicant_sex,
        applicant_phone=applicant_phone,
        dusun=(dusun or "").strip(),
        rt=rt.strip().zfill(3) if rt and "rt" not in errors else "",
        rw=rw.strip().zfill(3) if rw and "rw" not in errors else "",
        address=(address or "").strip(),
        purpose=(purpose or "").strip(),
        due_on=add_working_days(today, service_type.sla_working_days),
        filed_by=actor,
    )
    try:
        # Fields already refused above are not judged twice.
        service_request.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    service_request.save()
    RequestEvent.objects.create(service_request=service_request, actor=actor, to_status=S.SUBMITTED)
    note_change(village_ids=[service_request.village_id])
    for label, uploaded_file, content_type, extension in checked:
        _store_attachment(service_request, label, uploaded_file, content_type, extension, actor)
    notify_applicant(service_request=service_request, event="filed")
    return service_request


def _lock(service_request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("village", "service_type")
        .get(pk=service_request.pk)
    )


def _move(
    action: str, *, service_request: ServiceRequest, actor: User, note: str = "", **changes
) -> ServiceRequest:
    """Lock the request, check permission and the workflow, apply `changes`, record the event."""
    service_request = _lock(service_request)
    if not can_handle_request(actor, service_request, action):
        raise PermissionDenied(gettext("You may not handle this request."))
    to_status, sources = ACTIONS[action]
    if service_request.status not in sources:
        raise ValidationError(
            gettext('The request is "%(status)s"; it cannot move to "%(target)s".')
            % {
                "status": service_request.get_status_display(),
                "target": S(to_status).label,
            }
        )
    from_status = service_request.status
    service_request.status = to_status
    for field, value in changes.items():
        setattr(service_request, field, value)
    service_request.save(update_fields=["status", *changes, "updated_at"])
    note_change(village_ids=[service_request.village_id])
    RequestEvent.objects.create(
        service_request=service_request,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    return service_request


def _required(field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


@transaction.atomic
def verify_request(*, service_request: ServiceRequest, note: str = "", actor: User):
    """The documents are complete: submitted -> verified."""
    return _move("verify", service_request=service_request, note=note, actor=actor)


@transaction.atomic
def return_request(*, service_request: ServiceRequest, missing: str, actor: User):
    """Documents are missing: submitted -> returned, telling the applicant what to bring."""
    missing = _required("missing", missing, gettext("Say what the applicant must bring."))
    service_request = _move(
        "return",
        service_request=service_request,
        note=missing,
        applicant_note=missing,
        actor=actor,
    )
    returns = service_request.events.filter(to_status=S.RETURNED).count()
    notify_applicant(service_request=service_request, event=S.RETURNED, occasion=str(returns))
    return service_request


@transaction.atomic
def reject_request(*, service_request: ServiceRequest, reason: str, actor: User):
    """Refuse the request with a reason (from submitted, verified or forwarded)."""
    reason = _required("reason", reason, gettext("Give the reason for the rejection."))
    service_request = _move(
        "reject", service_request=service_request, note=reason, applicant_note=reason, actor=actor
    )
    notify_applicant(service_request=service_request, event=S.REJECTED)
    return service_request


@transaction.atomic
def cancel_request(*, service_request: ServiceRequest, reason: str, actor: User):
    """Withdraw the request, e.g. at the applicant's wish (before it is ready)."""
    reason = _required("reason", reason, gettext("Give the reason for the cancellation."))
    return _move(
        "cancel", service_request=service_request, note=reason, applicant_note=reason, actor=actor
    )


@transaction.atomic
def start_processing(*, service_request: ServiceRequest, note: str = "", actor: User):
    """Start the work on a verified request: verified -> in_process."""
    return _move("process", service_request=service_request, note=note, actor=actor)


@transaction.atomic
def forward_request(*, service_request: ServiceRequest, forwarded_to: str, actor: User):
    """Send the request up to the kecamatan or an agency (e.g. Dukcapil): -> forwarded."""
    forwarded_to = _required(
        "forwarded_to", forwarded_to, gettext("Say where the request is forwarded to.")
    )
    return _move(
        "forward",
        service_request=service_request,
        note=forwarded_to,
        forwarded_to=forwarded_to,
        actor=actor,
    )


@transaction.atomic
def receive_back(*, service_request: ServiceRequest, note: str = "", actor: User):
    """The forwarded request came back to the village: forwarded -> in_process."""
    return _move("receive", service_request=service_request, note=note, actor=actor)


def _signer(village: Village, actor: User) -> tuple[str, str]:
    """(name, title) of the letter's signer: the village head, else the acting user."""
    head = VillageProfile.objects.filter(village=village).values_list("head_name", flat=True)
    name = (head.first() or "").strip() or actor.full_name or actor.get_username()
    office = "Lurah" if village.kind == VillageKind.KELURAHAN else "Kepala Desa"
    return name, f"{office} {village.name}"


@transaction.atomic
def mark_ready(*, service_request: ServiceRequest, note: str = "", actor: User):
    """The result is ready for pick-up: in_process or forwarded -> ready. For a service whose
    letter the village issues, the letter is issued now with its number."""
    service_request = _move("ready", service_request=service_request, note=note, actor=actor)
    if service_request.service_type.issues_letter:
        signer_name, signer_title = _signer(service_request.village, actor)
        issue_letter(
            service_request=service_request,
            signer_name=signer_name,
            signer_title=signer_title,
            actor=actor,
        )
    notify_applicant(service_request=service_request, event=S.READY)
    return service_request


@transaction.atomic
def complete_request(*, service_request: ServiceRequest, note: str = "", actor: User):
    """The applicant has the result: ready -> completed, at the current time."""
    return _move(
        "complete",
        service_request=service_request,
        note=note,
        completed_at=timezone.now(),
        actor=actor,
    )


@transaction.atomic
def resubmit_request(*, service_request: ServiceRequest, note: str = "", actor: User):
    """The applicant brought what was missing: returned -> submitted, and the deadline starts
    again from today."""
    locked = _lock(service_request)
    due_on = add_working_days(timezone.localdate(), locked.service_type.sla_working_days)
    return _move(
        "resubmit",
        service_request=locked,
        note=note,
        due_on=due_on,
        applicant_note="",
        actor=actor,
    )


@transaction.atomic
def add_attachment(
    *, service_request: ServiceRequest, label: str, uploaded_file, actor: User
) -> ServiceRequest:
    """Attach one more document to a request that is not closed (at most ten in all).

    Raises PermissionDenied unless actor handles the request; ValidationError for a closed
    request, a refused file or one document too many.
    """
    service_request = _lock(service_request)
    if not can_handle_request(actor, service_request):
        raise PermissionDenied(gettext("You may not handle this request."))
    if not TRANSITIONS[service_request.status]:
        raise ValidationError(
            gettext('The request is "%(status)s"; no more documents can be added.')
            % {"status": service_request.get_status_display()}
        )
    errors: dict[str, list[str]] = {}
    if service_request.attachments.count() >= MAX_ATTACHMENTS:
        errors["uploaded_file"] = [
            gettext("At most %(count)d documents can be attached to a request.")
            % {"count": MAX_ATTACHMENTS}
        ]
    if not (label or "").strip():
        errors["label"] = [gettext("Each document needs a name, e.g. KTP or KK.")]
    try:
        content_type, extension = check_attachment(uploaded_file)
    except ValidationError as error:
        errors.setdefault("uploaded_file", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    _store_attachment(service_request, label.strip(), uploaded_file, content_type, extension, actor)
    RequestEvent.objects.create(
        service_request=service_request,
        actor=actor,
        from_status=service_request.status,
        to_status=service_request.status,
        note=gettext("Document added: %(label)s") % {"label": label.strip()},
    )
    return service_request


@sensitive_variables()
@transaction.atomic
def reveal_nik(*, service_request: ServiceRequest, actor: User) -> str:
    """The request's full NIK, for the handling secretary; each view is recorded (UU PDP).

    Raises PermissionDenied for anyone else, however much of the request they may see.
    """
    if not can_view_full_nik(actor, service_request):
        raise PermissionDenied(gettext("Only the village's secretary may see the full NIK."))
    NikView.objects.create(service_request=service_request, user=actor)
    nik = ServiceRequest.objects.values_list("nik", flat=True).get(pk=service_request.pk)
    return nik


@transaction.atomic
def record_document_view(*, service_request: ServiceRequest, actor: User) -> None:
    """A scanned document (KTP, KK …) carries the full NIK: each download counts as a view of it.
    Callers have checked `can_view_full_nik`."""
    NikView.objects.create(service_request=service_request, user=actor)
