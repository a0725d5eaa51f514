"""Trainings (Bimtek, workshops, seminars), who registered, who attended, and their certificates."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from villages.models import Regency, Role, area_scope
from volunteers.models.roster import Corps, CorpsLevel, Volunteer


class TrainingKind(models.TextChoices):
    BIMTEK = "bimtek", _("Bimtek (technical guidance)")
    WORKSHOP = "workshop", _("workshop")
    SEMINAR = "seminar", _("seminar")
    OTHER = "other", _("other")


class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone working in (or above) the organising regency; a volunteer sees the trainings
        of the regency they are based in and those they registered for."""
        scope = area_scope(user)
        if scope.everything:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        own_regency = Volunteer.objects.filter(user=user, district__regency=OuterRef("regency"))
        registered = Registration.objects.filter(training=OuterRef("pk"), volunteer__user=user)
        return self.filter(
            scope.q("regency__code") | Q(Exists(own_regency)) | Q(Exists(registered))
        )


class Training(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TrainingKind.choices)
    organiser = models.CharField(
        _("organiser"), max_length=100, help_text=_("E.g. Kominfo, Kemendes, Dinas PMD.")
    )
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("regency")
    )
    corps = models.ForeignKey(
        Corps,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("for corps"),
    )
    # Completing the training lifts the volunteer's membership in its corps to this level.
    awards_level = models.ForeignKey(
        CorpsLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raises to level"),
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty for no limit.")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                name="training_ends_after_start",
                condition=Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("A training cannot end before it starts."),
            ),
            models.CheckConstraint(
                name="training_level_needs_corps",
                condition=Q(awards_level__isnull=True) | Q(corps__isnull=False),
                violation_error_message=_("A training that raises a level needs its corps."),
            ),
        ]

    def __str__(self):
        return self.title


class Attendance(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ATTENDED = "attended", _("attended")
    ABSENT = "absent", _("absent")


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A volunteer's own; every registration of the trainings a district official's regency
        organises; and for a kecamatan officer or coordinator, those of their kecamatan's
        volunteers only (not the rest of the regency's roster, nor its certificate codes)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        organisers = area_scope(user, roles=(Role.DISTRICT_OFFICIAL,))
        kecamatan = area_scope(user, roles=(Role.KECAMATAN_OFFICER, Role.VOLUNTEER_COORDINATOR))
        return self.filter(
            Q(volunteer__user=user)
            | organisers.q("training__regency__code")
            | kecamatan.q("volunteer__district__code", ancestors=False)
        )


class Registration(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="registrations")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="registrations")
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.REGISTERED
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Printed on the certificate and checked by the public verification page; not guessable.
    certificate_code = models.CharField(
        _("certificate code"), max_length=20, null=True, blank=True, unique=True
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["training", "volunteer__full_name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["training", "volunteer"],
                name="registration_once",
                violation_error_message=_("The volunteer is already registered."),
            ),
            models.CheckConstraint(
                name="certificate_needs_attendance",
                condition=Q(certificate_code__isnull=True) | Q(attendance="attended"),
                violation_error_message=_("Only an attended training earns a certificate."),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} - {self.training}"
