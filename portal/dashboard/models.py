"""Rollups behind the dashboard and the public page: figures per village per month, and each
village's, enrolment's and kecamatan's state today.

They are derived data, never typed: `portal.dashboard.actions` rebuilds them from the raw rows
(requests, visits, assignments, milestones, assessments) in bulk, after each write for the one
village it touched, and nightly. A dashboard request reads these tables only, grouped by
kecamatan or month, so its cost follows the number of villages and months shown, not the number
of requests or visits behind them.

Rows are keyed by region codes; codes start with their parents' codes, so an area's rows are a
prefix match, served by the `varchar_pattern_ops` indexes on PostgreSQL.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.models import District, Enrolment, Programme, Village


class VillageMonth(models.Model):
    """What happened in a village in a calendar month (Asia/Jakarta).

    Visits count those submitted or verified (not drafts, not returned), by their visit date;
    requests are counted as filed in the month they were filed, and as completed (and completed
    by their due date) in the month they were completed.
    """

    # No foreign-key constraint in the database: the nightly rebuild inserts some 700,000 rows
    # at national scale, and checking each against the village table doubles its time. The rows
    # are derived from rows that do reference villages; Django still cascades deletes.
    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    visits = models.PositiveIntegerField(default=0)
    visits_verified = models.PositiveIntegerField(default=0)
    participants_women = models.PositiveIntegerField(default=0)
    participants_men = models.PositiveIntegerField(default=0)
    participants_youth = models.PositiveIntegerField(default=0)
    requests_filed = models.PositiveIntegerField(default=0)
    requests_completed = models.PositiveIntegerField(default=0)
    requests_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("village month figures")
        verbose_name_plural = _("village month figures")
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="village_month_once")
        ]
        indexes = [
            models.Index(
                fields=["village", "month"],
                name="village_month_prefix",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.village_id} {self.month:%Y-%m}"


class VillageSnapshot(models.Model):
    """A village's state as of `refreshed_on`: open and overdue requests, its latest visit and
    how many volunteers mentor it. Overdue counts depend on the day: refreshed nightly."""

    village = models.OneToOneField(
        Village, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )
    requests_open = models.PositiveIntegerField(default=0)
    requests_overdue = models.PositiveIntegerField(default=0)
    last_visit_on = models.DateField(null=True, blank=True)
    mentors_current = models.PositiveIntegerField(default=0)
    refreshed_on = models.DateField()

    class Meta:
        verbose_name = _("village snapshot")
        verbose_name_plural = _("village snapshots")
        indexes = [
            models.Index(
                fields=["village"],
                name="village_snapshot_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self):
        return str(self.village_id)


class EnrolmentSnapshot(models.Model):
    """An enrolment's progress: milestones done of its programme's, when its progress last
    changed, its village's latest and baseline pillar averages (% of the highest score, six Desa
    Cerdas pillars) and whether it has a main mentor today."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=20)
    in_cohort = models.BooleanField(default=False)
    milestones_total = models.PositiveIntegerField(default=0)
    milestones_done = models.PositiveIntegerField(default=0)
    progress_changed_on = models.DateField()
    pillar_latest = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    pillar_baseline = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    has_main_mentor = models.BooleanField(default=False)
    refreshed_on = models.DateField()

    class Meta:
        verbose_name = _("enrolment snapshot")
        verbose_name_plural = _("enrolment snapshots")
        indexes = [
            models.Index(
                fields=["village"],
                name="enrolment_snapshot_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self):
        return f"{self.village_id} {self.programme_id}"

    @property
    def progress_percent(self) -> int:
        if not self.milestones_total:
            return 0
        return round(100 * self.milestones_done / self.milestones_total)


class DistrictSnapshot(models.Model):
    """The volunteers of a kecamatan today: active ones based there, and of them those with a
    current mentoring assignment."""

    district = models.OneToOneField(
        District, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )
    volunteers_active = models.PositiveIntegerField(default=0)
    volunteers_mentoring = models.PositiveIntegerField(default=0)
    refreshed_on = models.DateField()

    class Meta:
        verbose_name = _("kecamatan snapshot")
        verbose_name_plural = _("kecamatan snapshots")
        indexes = [
            models.Index(
                fields=["district"],
                name="district_snapshot_prefix",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self):
        return str(self.district_id)


class StaleVillage(models.Model):
    """A village whose rollups could not be refreshed after a write (the refresh failed); the
    sweep on beat refreshes it and removes the mark."""

    village = models.OneToOneField(
        Village, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stale village")
        verbose_name_plural = _("stale villages")

    def __str__(self):
        return str(self.village_id)
