"""Reads for programme pages, the village page's programme and scorecard panels, and the API.

Progress is computed, never typed: an enrolment's progress is the share of its programme's
milestones marked done. Every function here costs a fixed number of queries, whatever the number
of villages, enrolments or assessments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from villages.charts import scorecard_chart
from villages.models import (
    Assessment,
    AssessmentScore,
    Dimension,
    Enrolment,
    EnrolmentStatus,
    Milestone,
    MilestoneProgress,
    MilestoneState,
    Programme,
    Village,
)
from villages.programme_permissions import (
    can_manage_programme,
    can_record_assessment,
    can_update_milestone_progress,
)

# The six Desa Cerdas pillars; the three digitalisation aspects follow them in Dimension.
PILLARS = tuple(Dimension.values[:6])


def percent(part, whole) -> int:
    """`part` of `whole` as a whole percentage, halves rounded up (3 of 7 -> 43)."""
    if not whole:
        return 0
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def with_progress(enrolments: QuerySet) -> QuerySet:
    """Annotate `milestones_total` and `milestones_done` (subqueries, no row multiplication)."""
    total = (
        Milestone.objects.filter(programme=OuterRef("programme"))
        .order_by()
        .values("programme")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        MilestoneProgress.objects.filter(enrolment=OuterRef("pk"), state=MilestoneState.DONE)
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return enrolments.annotate(
        milestones_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        milestones_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
    )


def enrolment_percent(enrolment: Enrolment) -> int:
    """Progress of an enrolment annotated by `with_progress`."""
    return percent(enrolment.milestones_done, enrolment.milestones_total)


@dataclass
class ProgressSummary:
    """Enrolments counted per status and their average progress, for a programme or cohort."""

    milestones: int = 0
    enrolments: int = 0
    done: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def average_percent(self) -> int:
        # Every enrolment of a programme has the same milestones, so the average of the
        # enrolments' percentages is the share of all (enrolment, milestone) pairs done.
        return percent(self.done, self.enrolments * self.milestones)

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for every status, in the order of EnrolmentStatus."""
        return [
            (status.value, status.label, self.by_status.get(status.value, 0))
            for status in EnrolmentStatus
        ]

    @property
    def status_text(self) -> str:
        """The statuses present, e.g. "active 18, withdrawn 2"."""
        return ", ".join(
            f"{label} {count}" for _status, label, count in self.status_counts if count
        )

    def add(self, status: str, enrolments: int, done: int) -> None:
        self.enrolments += enrolments
        self.done += done
        self.by_status[status] = self.by_status.get(status, 0) + enrolments


def progress_summaries(
    *, user, programme_ids: Iterable[int]
) -> tuple[dict[int, ProgressSummary], dict[tuple[int, int | None], ProgressSummary]]:
    """Per programme and per (programme, cohort id or None): the enrolments the user may see,
    counted per status, with their average progress. Two queries."""
    programme_ids = list(programme_ids)
    milestones = dict(
        Milestone.objects.filter(programme_id__in=programme_ids)
        .order_by()
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    groups = (
        Enrolment.objects.visible_to(user)
        .filter(programme_id__in=programme_ids)
        .order_by()
        .values("programme_id", "cohort_id", "status")
        .annotate(
            n=Count("pk", distinct=True),
            done=Count("progress", filter=Q(progress__state=MilestoneState.DONE), distinct=True),
        )
    )
    by_programme = {pk: ProgressSummary(milestones=milestones.get(pk, 0)) for pk in programme_ids}
    by_cohort: dict[tuple[int, int | None], ProgressSummary] = {}
    for row in groups:
        programme_id = row["programme_id"]
        by_programme[programme_id].add(row["status"], row["n"], row["done"])
        key = (programme_id, row["cohort_id"])
        if key not in by_cohort:
            by_cohort[key] = ProgressSummary(milestones=milestones.get(programme_id, 0))
        by_cohort[key].add(row["status"], row["n"], row["done"])
    return by_programme, by_cohort


def dimension_scores(assessment_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """assessment id -> dimension -> score as % of the highest, averaged over the dimension's
    scored indicators. One query."""
    assessment_ids = [pk for pk in set(assessment_ids) if pk]
    if not assessment_ids:
        return {}
    share = ExpressionWrapper(
        F("score") * Value(Decimal(100)) / F("indicator__max_score"),
        output_field=DecimalField(max_digits=9, decimal_places=4),
    )
    rows = (
        AssessmentScore.objects.filter(assessment_id__in=assessment_ids)
        .order_by()
        .values("assessment_id", "indicator__dimension")
        .annotate(percent=Avg(share))
    )
    scores: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        scores[row["assessment_id"]][row["indicator__dimension"]] = Decimal(
            row["percent"]
        ).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return dict(scores)


def pillar_average(scores: dict[str, Decimal] | None) -> Decimal | None:
    """The average of the six pillars' percentages that were scored."""
    values = [scores[pillar] for pillar in PILLARS if scores and pillar in scores]
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def latest_and_baseline(
    village_ids: Iterable[str], *, programme: Programme | None = None
) -> dict[str, tuple[int | None, int | None]]:
    """village code -> (latest assessment id, baseline assessment id). One query.

    The baseline is the enrolment's (in `programme`, else the earliest enrolment naming one),
    else the village's first assessment.
    """
    village_ids = list(village_ids)
    if not village_ids:
        return {}
    assessments = Assessment.objects.filter(village=OuterRef("pk")).values("pk")
    enrolments = Enrolment.objects.filter(village=OuterRef("pk"), baseline__isnull=False)
    if programme is not None:
        enrolments = enrolments.filter(programme=programme)
    rows = Village.objects.filter(pk__in=village_ids).annotate(
        latest_id=Subquery(assessments.order_by("-assessed_on", "-pk")[:1]),
        first_id=Subquery(assessments.order_by("assessed_on", "pk")[:1]),
        chosen_id=Subquery(enrolments.order_by("enrolled_on", "pk").values("baseline_id")[:1]),
    )
    return {
        code: (latest, chosen or first)
        for code, latest, first, chosen in rows.values_list(
            "pk", "latest_id", "first_id", "chosen_id"
        )
    }


def programme_list(*, user) -> list[Programme]:
    """The programmes the user may see, each with `summary` (a ProgressSummary). Three queries."""
    programmes = list(Programme.objects.visible_to(user).select_related("regency"))
    by_programme, _by_cohort = progress_summaries(
        user=user, programme_ids=[programme.pk for programme in programmes]
    )
    for programme in programmes:
        programme.summary = by_programme[programme.pk]
    return programmes


@dataclass
class CohortSummary:
    cohort: object
    summary: ProgressSummary


def programme_detail_context(*, user, programme: Programme) -> dict:
    """The programme page: its visible enrolments with progress and latest pillar average, the
    per-cohort summaries and what the user may change. A fixed number of queries."""
    enrolments = list(
        with_progress(Enrolment.objects.visible_to(user).filter(programme=programme))
        .select_related("village__district", "cohort")
        .order_by("cohort__name", "village__district__name", "village__name")
    )
    by_programme, by_cohort = progress_summaries(user=user, programme_ids=[programme.pk])
    assessment_ids = latest_and_baseline(
        [enrolment.village_id for enrolment in enrolments], programme=programme
    )
    scores = dimension_scores(latest for latest, _baseline in assessment_ids.values())
    for enrolment in enrolments:
        enrolment.progress_percent = enrolment_percent(enrolment)
        latest, _baseline = assessment_ids.get(enrolment.village_id, (None, None))
        enrolment.pillar_average = pillar_average(scores.get(latest))
    cohorts = {cohort.pk: cohort for cohort in programme.cohorts.all()}
    cohort_summaries = [
        CohortSummary(cohort=cohorts.get(cohort_id), summary=summary)
        for (_programme_id, cohort_id), summary in sorted(
            by_cohort.items(), key=lambda item: (item[0][1] is None, str(cohorts.get(item[0][1])))
        )
    ]
    milestones = list(programme.milestones.all())
    return {
        "programme": programme,
        "enrolments": enrolments,
        "summary": by_programme[programme.pk],
        "cohort_summaries": cohort_summaries,
        "milestones": milestones,
        "can_manage": can_manage_programme(user, programme),
    }


@dataclass
class MilestoneRow:
    milestone: Milestone
    progress: MilestoneProgress | None

    @property
    def state(self) -> str:
        return self.progress.state if self.progress else MilestoneState.NOT_STARTED

    @property
    def state_label(self) -> str:
        return MilestoneState(self.state).label


def village_programme_context(*, user, village) -> dict:
    """Context for villages/includes/village_programmes.html and village_scorecards.html.

    The village's enrolments the user may see, each with its milestones' states and evidence;
    its assessment history with each one's pillar average; the chart of the latest assessment
    against the baseline; and whether the user may update progress or record an assessment.
    """
    enrolments = list(
        with_progress(Enrolment.objects.visible_to(user).filter(village=village))
        .select_related("programme", "cohort")
        .order_by("-programme__starts_on", "programme__name")
    )
    milestones_by_programme: dict[int, list[Milestone]] = defaultdict(list)
    progress_by_pair: dict[tuple[int, int], MilestoneProgress] = {}
    if enrolments:
        for milestone in Milestone.objects.filter(
            programme_id__in={enrolment.programme_id for enrolment in enrolments}
        ):
            milestones_by_programme[milestone.programme_id].append(milestone)
        for progress in MilestoneProgress.objects.filter(enrolment__in=enrolments):
            progress_by_pair[progress.enrolment_id, progress.milestone_id] = progress
    for enrolment in enrolments:
        enrolment.progress_percent = enrolment_percent(enrolment)
        enrolment.milestone_rows = [
            MilestoneRow(milestone, progress_by_pair.get((enrolment.pk, milestone.pk)))
            for milestone in milestones_by_programme[enrolment.programme_id]
        ]

    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(village=village)
        .select_related("assessor", "programme")
        .annotate(score_count=Count("scores"))
        .order_by("-assessed_on", "-pk")
    )
    latest = assessments[0] if assessments else None
    chosen = next((e.baseline_id for e in reversed(enrolments) if e.baseline_id), None)
    baseline_id = chosen or (assessments[-1].pk if assessments else None)
    baseline = next((a for a in assessments if a.pk == baseline_id), None)
    scores = dimension_scores(assessment.pk for assessment in assessments)
    for assessment in assessments:
        assessment.pillar_average = pillar_average(scores.get(assessment.pk))
    chart = scorecard_chart(
        latest=scores.get(latest.pk, {}) if latest else {},
        baseline=scores.get(baseline.pk, {}) if baseline and baseline != latest else {},
        latest_label=latest.assessed_on if latest else None,
        baseline_label=baseline.assessed_on if baseline and baseline != latest else None,
    )
    return {
        "programme_village": village,
        "village_enrolments": enrolments,
        "village_assessments": assessments,
        "latest_assessment": latest,
        "baseline_assessment": baseline,
        "scorecard_chart": chart,
        "can_update_progress": can_update_milestone_progress(user, village),
        "can_record_assessment": can_record_assessment(user, village),
    }
