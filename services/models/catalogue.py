"""The catalogue of citizen services: what a village office offers, who handles it, how fast."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.models import Village, area_scope


class HandlingLevel(models.TextChoices):
    VILLAGE = "village", _("village office")
    KECAMATAN = "kecamatan", _("kecamatan office")
    AGENCY = "agency", _("district agency")


class ServiceTypeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The catalogue is shared by every regency: any signed-in user reads it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self

    def active(self):
        return self.filter(is_active=True)


class ServiceType(models.Model):
    """A kind of request, e.g. surat keterangan domisili. Officials edit the catalogue; a default
    one is seeded by a migration."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    required_documents = models.TextField(
        _("required documents"), blank=True, help_text=_("One per line.")
    )
    handling_level = models.CharField(
        _("handled by"),
        max_length=10,
        choices=HandlingLevel.choices,
        default=HandlingLevel.VILLAGE,
    )
    # For requests handled above the village: who, e.g. "Dukcapil" or "Polres".
    agency = models.CharField(_("agency"), max_length=100, blank=True)
    sla_working_days = models.PositiveSmallIntegerField(
        _("deadline (working days)"), validators=[MinValueValidator(1)]
    )
    issues_letter = models.BooleanField(_("the village issues a letter"), default=True)
    # The letter's classification code, first part of its number: e.g. 470 (population).
    letter_code = models.CharField(_("letter classification code"), max_length=20, blank=True)
    letter_title = models.CharField(_("letter title"), max_length=150, blank=True)
    # The letter's body with {placeholders}: see services.letters for the names.
    letter_body = models.TextField(_("letter text"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ServiceTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [
            models.CheckConstraint(
                name="service_type_letter_has_code",
                condition=models.Q(issues_letter=False) | ~models.Q(letter_code=""),
                violation_error_message=_("A service that issues a letter needs its letter code."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.required_documents.splitlines() if line.strip()]


class VillageServiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return area_scope(user).filter(self, code_field="village__code", ancestors=False)


class VillageService(models.Model):
    """A village's choice to offer a service type or not; without a row, an active type is."""

    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.CASCADE, related_name="village_settings"
    )
    is_offered = models.BooleanField(_("offered"), default=True)

    objects = VillageServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("village service")
        verbose_name_plural = _("village services")
        constraints = [
            models.UniqueConstraint(fields=["village", "service_type"], name="village_service_once")
        ]

    def __str__(self):
        return f"{self.village}: {self.service_type}"
