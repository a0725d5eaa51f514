"""The roster: volunteers, the corps they serve in, and the villages they are assigned to mentor.

Scoping follows the villages app: a volunteer is seen by those whose area holds their kecamatan or
a village they are assigned to, and by themselves.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import District, Programme, Role, Village, area_scope

# The roles that look after volunteers of an area (and see their contact details).
ROSTER_ROLES = (Role.DISTRICT_OFFICIAL, Role.KECAMATAN_OFFICER, Role.VOLUNTEER_COORDINATOR)


class Corps(models.Model):
    """A volunteer corps: Pandu Digital (Kominfo), Relawan TIK, Kader Digital (Kemendes), others."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("corps")
        verbose_name_plural = _("corps")

    def __str__(self):
        return self.name


class CorpsLevel(models.Model):
    """A level within a corps, e.g. Pandu Digital Purwa < Madya < Utama; `rank` orders them."""

    corps = models.ForeignKey(Corps, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        ordering = ["corps", "rank"]
        verbose_name = _("corps level")
        verbose_name_plural = _("corps levels")
        constraints = [
            models.UniqueConstraint(fields=["corps", "name"], name="corps_level_unique_name"),
            models.UniqueConstraint(fields=["corps", "rank"], name="corps_level_unique_rank"),
        ]

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")


class VolunteerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Themselves; and for everyone else, volunteers based in their area or assigned to a
        village in it (a secretary sees who mentors their village)."""
        scope = area_scope(user, roles=(*ROSTER_ROLES, Role.VILLAGE_SECRETARY))
        if scope.everything:
            return self
        assigned_here = Assignment.objects.filter(volunteer=OuterRef("pk")).filter(
            scope.q("village__code", ancestors=False)
        )
        mine = Q(user=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        return self.filter(
            mine | scope.q("district__code", ancestors=False) | Q(Exists(assigned_here))
        )


class Volunteer(models.Model):
    full_name = models.CharField(_("full name"), max_length=150)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    # E.164 (+62…), normalised by the actions; the number volunteers are reached on.
    whatsapp = models.CharField(_("WhatsApp number"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("kecamatan"),
        help_text=_("The kecamatan the volunteer is based in."),
    )
    home_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home village"),
    )
    skills = models.CharField(
        _("skills"), max_length=300, blank=True, help_text=_("Comma-separated.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("login"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                fields=["whatsapp"],
                condition=~Q(whatsapp=""),
                name="volunteer_unique_whatsapp",
                violation_error_message=_("Another volunteer has this WhatsApp number."),
            ),
            models.CheckConstraint(
                name="volunteer_leaves_after_joining",
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=models.F("joined_on")),
                violation_error_message=_("A volunteer cannot leave before joining."),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def skill_list(self) -> list[str]:
        return [skill.strip() for skill in self.skills.split(",") if skill.strip()]


class Membership(models.Model):
    """A volunteer's place in a corps, with the fields each corps records (blank where not used):
    Pandu Digital a level, Relawan TIK a komisariat and position, Kader Digital the appointing
    village and its decree."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    corps = models.ForeignKey(Corps, on_delete=models.PROTECT, related_name="memberships")
    level = models.ForeignKey(
        CorpsLevel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("level")
    )
    komisariat = models.CharField(_("komisariat"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    appointing_village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appointing village"),
    )
    decree_number = models.CharField(_("decree number"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    since = models.DateField(_("member since"), null=True, blank=True)

    class Meta:
        ordering = ["corps__name"]
        verbose_name = _("corps membership")
        verbose_name_plural = _("corps memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "corps"],
                name="membership_once_per_corps",
                violation_error_message=_("The volunteer is already a member of this corps."),
            )
        ]

    def __str__(self):
        return f"{self.volunteer} - {self.corps}"

    def clean(self):
        if self.level_id and self.corps_id and self.level.corps_id != self.corps_id:
            raise ValidationError({"level": _("This level belongs to another corps.")})


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("main mentor")
    SUPPORTING = "supporting", _("supporting mentor")


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The volunteer's own; and the assignments to villages in the user's area."""
        scope = area_scope(user, roles=(*ROSTER_ROLES, Role.VILLAGE_SECRETARY))
        if scope.everything:
            return self
        mine = Q(volunteer__user=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
        return self.filter(mine | scope.q("village__code", ancestors=False))

    def current(self, on=None):
        """Assignments whose period holds `on` (today in Asia/Jakarta by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on)


class Assignment(models.Model):
    """A volunteer mentors a village within a programme, for a period (open-ended when no end)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="assignments")
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="volunteer_assignments",
        verbose_name=_("village"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="volunteer_assignments",
        verbose_name=_("programme"),
    )
    role = models.CharField(
        _("role"), max_length=12, choices=AssignmentRole.choices, default=AssignmentRole.MAIN
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["village", "-role", "starts_on"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                name="assignment_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["volunteer", "village", "programme", "starts_on"],
                name="assignment_once",
                violation_error_message=_(
                    "This volunteer is already assigned to this village from that date."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} → {self.village} ({self.get_role_display()})"

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
