"""Citizen service requests filed at the village office, their trail of events and attachments.

Personal data (UU PDP 27/2022): the NIK is stored whole because the handling office needs it, but
is shown masked everywhere (`masked_nik`) except where the handling secretary asks for it, and
every such view is recorded in `NikView`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import ServiceType
from villages.models import Role, Village, area_scope

# Who works with service requests, each over their area; volunteers never see them.
SERVICE_ROLES = (Role.DISTRICT_OFFICIAL, Role.KECAMATAN_OFFICER, Role.VILLAGE_SECRETARY)


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    VERIFIED = "verified", _("documents verified")
    IN_PROCESS = "in_process", _("in process")
    FORWARDED = "forwarded", _("forwarded")
    READY = "ready", _("ready for pick-up")
    COMPLETED = "completed", _("completed")
    RETURNED = "returned", _("returned to the applicant")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


# Requests still running against their deadline (RETURNED waits for the applicant).
ACTIVE_STATUSES = (
    RequestStatus.SUBMITTED,
    RequestStatus.VERIFIED,
    RequestStatus.IN_PROCESS,
    RequestStatus.FORWARDED,
    RequestStatus.READY,
)
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.CANCELLED)


class Sex(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class ServiceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests of the villages in the user's area, for officials, kecamatan officers and
        secretaries; nobody else."""
        scope = area_scope(user, roles=SERVICE_ROLES)
        return scope.filter(self, code_field="village__code", ancestors=False)

    def overdue(self, on=None):
        on = on or timezone.localdate()
        return self.filter(status__in=ACTIVE_STATUSES, due_on__lt=on)


class ServiceRequest(models.Model):
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("village"),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("service"),
    )
    # Printed on the applicant's receipt; random, so that it cannot be guessed.
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    applicant_name = models.CharField(_("applicant's name"), max_length=150)
    nik = models.CharField(_("NIK"), max_length=16)
    # A NIK beginning with 0 is a temporary one: accepted, but shown for a second look.
    nik_is_temporary = models.BooleanField(_("temporary NIK"), default=False)
    applicant_sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    dusun = models.CharField(_("dusun"), max_length=100, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    # The working day by which it should be completed (Asia/Jakarta), set at filing.
    due_on = models.DateField(_("due on"))
    # Where a request handled above the village went: "Kecamatan Wonodadi", "Dukcapil", …
    forwarded_to = models.CharField(_("forwarded to"), max_length=150, blank=True)
    # The last note for the applicant: what is missing, or why it was rejected.
    applicant_note = models.TextField(_("note for the applicant"), blank=True)
    submitted_at = models.DateTimeField(_("filed at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [
            models.Index(fields=["village", "status"], name="request_village_status"),
            models.Index(fields=["status", "due_on"], name="request_status_due"),
            models.Index(fields=["village", "submitted_at"], name="request_village_filed"),
        ]
        constraints = [
            models.CheckConstraint(
                name="request_nik_16_digits",
                condition=Q(nik__regex=r"^[0-9]{16}$"),
                violation_error_message=_("A NIK has 16 digits."),
            ),
            models.CheckConstraint(
                name="request_completed_has_time",
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                violation_error_message=_("A completed request needs its completion time."),
            ),
        ]

    def __str__(self):
        return f"{self.tracking_code} {self.service_type}"

    @property
    def masked_nik(self) -> str:
        """`3505**********01`: the regency and the last two digits, enough to tell NIKs apart."""
        return f"{self.nik[:4]}{'*' * 10}{self.nik[-2:]}"

    @property
    def short_name(self) -> str:
        """`Sri W.`: the first name and initials, for the public tracking page."""
        first, *rest = self.applicant_name.split()
        return " ".join([first, *(f"{part[0]}." for part in rest)])

    def is_overdue(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.status in ACTIVE_STATUSES and self.due_on < on

    @property
    def completed_on_time(self) -> bool | None:
        if self.completed_at is None:
            return None
        return timezone.localdate(self.completed_at) <= self.due_on


class RequestEvent(models.Model):
    """One step of a request's life, for its timeline (who, when, from which status to which)."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=RequestStatus.choices)
    # Shown to the applicant on the tracking page only when public (never personal data).
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self):
        return f"{self.service_request}: {self.from_status or '-'} → {self.to_status}"


class NikView(models.Model):
    """A user saw a request's full NIK (UU PDP: access to personal data is accounted for)."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="nik_views"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]
        verbose_name = _("NIK view")
        verbose_name_plural = _("NIK views")

    def __str__(self):
        return f"{self.user} {self.viewed_at:%Y-%m-%d %H:%M} {self.service_request}"


def attachment_path(instance, filename):
    # Never the uploaded name: a random one with the extension of the checked type.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"requests/{instance.service_request_id}/{uuid.uuid4().hex}.{extension}"


class Attachment(models.Model):
    """A document the applicant brought (KTP, KK, a cover letter …), scanned or photographed.
    Stored outside the public web root and only ever served as a download to those who see the
    request."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    label = models.CharField(_("document"), max_length=150)
    file = models.FileField(upload_to=attachment_path)
    content_type = models.CharField(max_length=50)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return f"{self.service_request}: {self.label}"
