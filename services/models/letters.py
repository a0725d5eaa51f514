"""Letters the village issues for a request, numbered per village, service type and year.

`LetterCounter` holds the last number given; issuing a letter locks its row, so that numbers have
no gaps and no duplicates however many letters are issued at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import ServiceType
from services.models.requests import SERVICE_ROLES, ServiceRequest
from villages.models import Village, area_scope


class LetterCounter(models.Model):
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("letter counter")
        verbose_name_plural = _("letter counters")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "service_type", "year"], name="letter_counter_once"
            )
        ]

    def __str__(self):
        return f"{self.village} {self.service_type} {self.year}: {self.last_number}"


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = area_scope(user, roles=SERVICE_ROLES)
        return scope.filter(self, code_field="service_request__village__code", ancestors=False)


class Letter(models.Model):
    """The letter of a completed (or ready) request: its number, its signer and a verification
    code printed with a QR code, which a public page checks without showing personal data."""

    service_request = models.OneToOneField(
        ServiceRequest, on_delete=models.PROTECT, related_name="letter"
    )
    # e.g. 470/12/35.05.01.2001/XI/2026: classification code / sequence / village / month / year.
    number = models.CharField(_("letter number"), max_length=80, unique=True)
    sequence = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField(_("issued at"))
    signer_name = models.CharField(_("signed by"), max_length=150)
    signer_title = models.CharField(_("signer's title"), max_length=150)
    verification_code = models.CharField(_("verification code"), max_length=20, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self):
        return self.number
