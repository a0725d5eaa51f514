"""Pilot programmes, their cohorts and enrolled villages, and the milestones villages reach."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models.profiles import VillageDataQuerySet
from villages.models.regions import Regency, Village, area_scope


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A programme is visible to everyone working in (or above) the regency that runs it."""
        return area_scope(user).filter(self, code_field="regency__code")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    owner_agency = models.CharField(_("owner agency"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    regency = models.ForeignKey(
        Regency, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("regency")
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                name="programme_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("A programme cannot end before it starts."),
            )
        ]

    def __str__(self):
        return self.name


class ProgrammePartQuerySet(models.QuerySet):
    """Milestones and cohorts: visible with their programme."""

    def visible_to(self, user):
        return area_scope(user).filter(self, code_field="programme__regency__code")


class Cohort(models.Model):
    """A group of enrolled villages, e.g. the 20 of 30 chosen for Pandu Digital mentoring."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=100)

    objects = ProgrammePartQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_unique_name")
        ]

    def __str__(self):
        return self.name


class EnrolmentStatus(models.TextChoices):
    CANDIDATE = "candidate", _("candidate")
    ACTIVE = "active", _("active")
    GRADUATED = "graduated", _("graduated")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Enrolment(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolments"
    )
    enrolled_on = models.DateField(_("enrolled on"))
    status = models.CharField(
        _("status"), max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    # The assessment progress is measured from; the village's first one when unset.
    baseline = models.ForeignKey(
        "villages.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = VillageDataQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "village"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "village"], name="enrolment_once")
        ]

    def __str__(self):
        return f"{self.village} - {self.programme}"


class Milestone(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # For countable goals such as "10 UMKM online"; empty for yes/no milestones.
    target_count = models.PositiveIntegerField(_("target"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ProgrammePartQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="milestone_unique_name")
        ]

    def __str__(self):
        return self.name


class MilestoneState(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")


class MilestoneProgressQuerySet(models.QuerySet):
    def visible_to(self, user):
        return area_scope(user).filter(self, code_field="enrolment__village__code", ancestors=False)


def evidence_path(instance, filename):
    # The uploaded name is never trusted: only its extension survives, checked by the action.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/milestones/{instance.enrolment_id}/{instance.milestone_id}.{extension}"


class MilestoneProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=MilestoneState.choices,
        default=MilestoneState.NOT_STARTED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    achieved_count = models.PositiveIntegerField(_("achieved"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MilestoneProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone progress")
        verbose_name_plural = _("milestone progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "milestone"], name="progress_once"),
            models.CheckConstraint(
                name="progress_done_has_date",
                condition=~Q(state="done") | Q(completed_on__isnull=False),
                violation_error_message=_("A milestone that is done needs its completion date."),
            ),
        ]

    def __str__(self):
        return f"{self.enrolment}: {self.milestone} ({self.get_state_display()})"
