"""Mentoring visits logged by volunteers from the field, their photos, and their review trail."""

from __future__ import annotations

import uuid
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from villages.models import Role, Village, area_scope, role_areas
from volunteers.models.roster import ROSTER_ROLES, Assignment, Volunteer


class ActivityType(models.TextChoices):
    DIGITAL_LITERACY = "digital_literacy", _("digital literacy")
    PUBLIC_SERVICES = "public_services", _("digital public services")
    WEBSITE_SOCIAL = "website_social", _("village website and social media")
    UMKM_ONLINE = "umkm_online", _("UMKM online")
    VILLAGE_INTERNET = "village_internet", _("village internet")
    VILLAGE_DATABASE = "village_database", _("village database")
    TRAINING = "training", _("training")


class VisitStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    VERIFIED = "verified", _("verified")
    RETURNED = "returned", _("returned")


class PositionCheck(models.TextChoices):
    INSIDE = "inside", _("inside the village")
    NEAR = "near", _("near the village")
    FAR = "far", _("far from the village")
    NO_GPS = "no_gps", _("no GPS position")
    NO_BOUNDARY = "no_boundary", _("village boundary unknown")


# A visit whose position says it may not have happened where it claims.
DOUBTFUL_CHECKS = (PositionCheck.FAR, PositionCheck.NO_GPS)
# Those who review visits of a village's kecamatan; secretaries see their village's visits.
VISIT_READER_ROLES = (*ROSTER_ROLES, Role.VILLAGE_SECRETARY)


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A volunteer's own visits, drafts included; others' visits only to reviewers and the
        village's secretary of the area, and never while still a draft. The villages a volunteer
        mentors do not open other volunteers' visits there."""
        scope = area_scope(user, roles=VISIT_READER_ROLES)
        if scope.everything:
            return self
        # Only volunteers (who hold the role with their login) have visits of their own: an
        # official's list is then one indexed prefix range, not an OR over a join.
        conditions = []
        if (Role.VOLUNTEER, None) in role_areas(user):
            conditions.append(Q(volunteer__user=user))
        if scope.codes:
            conditions.append(
                scope.q("village__code", ancestors=False) & ~Q(status=VisitStatus.DRAFT)
            )
        return self.filter(reduce(or_, conditions)) if conditions else self.none()

    def doubtful(self):
        return self.filter(position_check__in=DOUBTFUL_CHECKS)


class Visit(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="visits")
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="volunteer_visits",
        verbose_name=_("village"),
    )
    # The assignment the visit was made under; kept when the assignment later ends.
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    visited_on = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    # Lists of ActivityType and villages.Dimension values, checked by the actions.
    activities = models.JSONField(_("activities"), default=list)
    pillars = models.JSONField(_("pillars addressed"), default=list, blank=True)
    participants_female = models.PositiveIntegerField(_("women"), default=0)
    participants_male = models.PositiveIntegerField(_("men"), default=0)
    participants_youth = models.PositiveIntegerField(
        _("of whom young people"), default=0, help_text=_("Aged 16 to 30, counted in the above.")
    )
    summary = models.TextField(_("summary"))
    follow_ups = models.TextField(_("follow-ups"), blank=True)
    # The browser's position (WGS 84) and its accuracy radius, and what it says about the visit.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("GPS accuracy (m)"), null=True, blank=True)
    position_check = models.CharField(
        _("position check"),
        max_length=12,
        choices=PositionCheck.choices,
        default=PositionCheck.NO_GPS,
    )
    distance_km = models.FloatField(_("distance from the village (km)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # Sent by the browser (or a mobile client) with the form, so that a form resubmitted after a
    # dropped connection finds the visit it already created instead of making a second one.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("mentoring visit")
        verbose_name_plural = _("mentoring visits")
        indexes = [
            models.Index(fields=["status", "visited_on"], name="visit_status_date"),
            models.Index(fields=["village", "visited_on"], name="visit_village_date"),
        ]
        constraints = [
            models.CheckConstraint(
                name="visit_youth_within_participants",
                condition=Q(
                    participants_youth__lte=F("participants_female") + F("participants_male")
                ),
                violation_error_message=_("Young people are counted among the women and men."),
            ),
            models.CheckConstraint(
                name="visit_position_complete",
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                violation_error_message=_("A position needs both a latitude and a longitude."),
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.visited_on:%Y-%m-%d} ({self.volunteer})"

    @property
    def participants(self) -> int:
        return self.participants_female + self.participants_male

    @property
    def is_doubtful(self) -> bool:
        return self.position_check in DOUBTFUL_CHECKS

    @property
    def is_editable(self) -> bool:
        """The volunteer may still change it: a draft, or returned to them for corrections."""
        return self.status in (VisitStatus.DRAFT, VisitStatus.RETURNED)


class VisitEvent(models.Model):
    """One step of a visit's life (created, submitted, verified, returned), for its timeline."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=VisitStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=VisitStatus.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")

    def __str__(self):
        return f"{self.visit}: {self.from_status or '-'} → {self.to_status}"


def visit_photo_path(instance, filename):
    # Never the uploaded name: a random one, with the extension of the re-encoded image.
    return f"visits/{instance.visit_id}/{uuid.uuid4().hex}.jpg"


class VisitPhoto(models.Model):
    """A photo of a visit, re-encoded as JPEG without its metadata (EXIF location removed after
    reading it into `exif_latitude`/`exif_longitude`); served only to those who see the visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=visit_photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    exif_latitude = models.FloatField(null=True, blank=True)
    exif_longitude = models.FloatField(null=True, blank=True)
    exif_taken_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self):
        return f"{self.visit}: {self.image.name}"
