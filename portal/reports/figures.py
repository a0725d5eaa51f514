"""The figures of a pilot-progress report: one row per enrolled village, per-milestone counts,
totals and the villages needing attention.

Everything is aggregated in the database per village (GROUP BY), a query or two per section,
whatever the number of villages: enrolments (with their latest and baseline assessments),
milestone counts per programme, progress per enrolment and per milestone, pillar scores (in
chunks of assessment ids), visits, mentors and service requests per village. Nothing here is
PostgreSQL-only, so the demo on SQLite runs it too.

Definitions (also printed in the reports):
- villages: enrolments in the programme (or every programme of the area) enrolled by the end of
  the period, any status; the attention rules apply to active ones only;
- milestones done: completed on or before the period's end; "in the period": completed within it;
- pillar scores: each pillar's score as % of the highest, averaged over its scored indicators;
  latest = the village's last assessment on or before the period's end, baseline = the
  enrolment's baseline assessment, else the village's first;
- visits and participants: submitted or verified mentoring visits made in the period;
- active mentors: active volunteers with an assignment to the village in the programme during
  the period; main mentor: a main-mentor assignment on the period's last day;
- service requests: filed in the period (Asia/Jakarta), of them completed and completed on time
  (on or before the due date); overdue: still open and past the due date on the report's day.

A village needs attention (active enrolments) for each of these reasons:
- no visit: no submitted or verified visit in the last 30 days of the period;
- no main mentor on the period's last day;
- overdue requests: one or more;
- no milestone: none completed in the period while another village of the same programme in
  the report completed one, and milestones are left.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from portal.lib.dates import JAKARTA, local_midnight
from services.models import ACTIVE_STATUSES, RequestStatus, ServiceRequest
from villages.models import (
    Assessment,
    Connectivity,
    Dimension,
    Enrolment,
    EnrolmentStatus,
    Milestone,
    MilestoneProgress,
    MilestoneState,
)
from villages.selectors.programmes import dimension_scores, percent, pillar_average
from volunteers.models import Assignment, Visit
from volunteers.models.roster import AssignmentRole, VolunteerStatus
from volunteers.models.visits import VisitStatus

VISITED = (VisitStatus.SUBMITTED, VisitStatus.VERIFIED)
UNVISITED_DAYS = 30
# Assessment ids per query of their scores (SQLite allows 32,766 parameters).
SCORE_CHUNK = 5000

Progress = Callable[[int, str], None]


class Attention:
    """The reasons a village needs attention, in the order they are listed."""

    NO_VISIT = "no_visit"
    NO_MAIN_MENTOR = "no_main_mentor"
    OVERDUE_REQUESTS = "overdue_requests"
    NO_MILESTONE = "no_milestone"

    LABELS = {
        NO_VISIT: _("no visit in the last 30 days of the period"),
        NO_MAIN_MENTOR: _("no main mentor"),
        OVERDUE_REQUESTS: _("overdue service requests"),
        NO_MILESTONE: _("no milestone completed in the period while others did"),
    }

    @classmethod
    def label(cls, reason: str) -> str:
        return str(cls.LABELS[reason])


@dataclass(frozen=True)
class ReportParams:
    area_code: str  # "" = the whole country
    start: datetime.date
    end: datetime.date
    programme_id: int | None = None
    cohort_id: int | None = None
    # The day overdue requests are counted on (the report's day).
    today: datetime.date | None = None


@dataclass(slots=True)
class VillageRow:
    enrolment_id: int
    programme_id: int
    programme: str
    cohort: str
    regency: str
    district: str
    village_code: str
    village: str
    status: str
    connectivity: str
    milestones_total: int = 0
    milestones_done: int = 0
    milestones_done_in_period: int = 0
    baseline_id: int | None = None
    latest_id: int | None = None
    baseline_scores: dict = field(default_factory=dict)
    latest_scores: dict = field(default_factory=dict)
    visits: int = 0
    participants_female: int = 0
    participants_male: int = 0
    participants_youth: int = 0
    last_visit: datetime.date | None = None
    mentors: int = 0
    has_main_mentor: bool = False
    requests_filed: int = 0
    requests_completed: int = 0
    requests_on_time: int = 0
    requests_overdue: int = 0
    attention: list = field(default_factory=list)

    @property
    def progress_percent(self) -> int:
        return percent(self.milestones_done, self.milestones_total)

    @property
    def baseline_average(self) -> Decimal | None:
        return pillar_average(self.baseline_scores)

    @property
    def latest_average(self) -> Decimal | None:
        return pillar_average(self.latest_scores)

    @property
    def participants(self) -> int:
        return self.participants_female + self.participants_male

    @property
    def on_time_percent(self) -> int | None:
        if not self.requests_completed:
            return None
        return percent(self.requests_on_time, self.requests_completed)

    @property
    def status_label(self) -> str:
        return str(EnrolmentStatus(self.status).label)

    @property
    def connectivity_label(self) -> str:
        return str(Connectivity(self.connectivity).label) if self.connectivity else ""

    @property
    def attention_text(self) -> str:
        return "; ".join(Attention.label(reason) for reason in self.attention)


@dataclass(slots=True)
class MilestoneRow:
    programme: str
    name: str
    villages: int = 0
    done: int = 0
    done_in_period: int = 0

    @property
    def done_percent(self) -> int:
        return percent(self.done, self.villages)


@dataclass
class Figures:
    params: ReportParams
    rows: list[VillageRow]
    milestones: list[MilestoneRow]
    totals: dict

    @property
    def attention_rows(self) -> list[VillageRow]:
        """The villages needing attention, most reasons first."""
        flagged = [row for row in self.rows if row.attention]
        flagged.sort(key=lambda row: (-len(row.attention), row.regency, row.district, row.village))
        return flagged


def _quantize(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)


def scoped_enrolments(params: ReportParams):
    """The enrolments a report covers."""
    enrolments = Enrolment.objects.filter(enrolled_on__lte=params.end)
    if params.area_code:
        enrolments = enrolments.filter(village__code__startswith=f"{params.area_code}.")
    if params.programme_id:
        enrolments = enrolments.filter(programme_id=params.programme_id)
    if params.cohort_id:
        enrolments = enrolments.filter(cohort_id=params.cohort_id)
    return enrolments.order_by()


def compute_figures(params: ReportParams, progress: Progress | None = None) -> Figures:
    """Every figure of the report for `params`. A fixed number of queries (plus one per
    SCORE_CHUNK assessments). Calls `progress(percent, stage)` between sections."""
    progress = progress or (lambda percent, stage: None)
    today = params.today or params.end
    enrolments = scoped_enrolments(params)
    villages = enrolments.values("village_id")

    # 1. Enrolments with their village, region names, connectivity and assessments.
    progress(5, "villages")
    assessments = Assessment.objects.filter(village=OuterRef("village_id")).values("pk")
    latest = assessments.filter(assessed_on__lte=params.end).order_by("-assessed_on", "-pk")[:1]
    first = assessments.order_by("assessed_on", "pk")[:1]
    rows: list[VillageRow] = []
    by_enrolment: dict[int, VillageRow] = {}
    by_pair: dict[tuple[int, str], VillageRow] = {}
    by_village: dict[str, list[VillageRow]] = defaultdict(list)
    records = (
        enrolments.annotate(latest_id=Subquery(latest), first_id=Subquery(first))
        .order_by(
            "village__district__regency__name",
            "village__district__name",
            "village__name",
            "programme__name",
        )
        .values_list(
            "pk",
            "programme_id",
            "programme__name",
            "cohort__name",
            "village__district__regency__name",
            "village__district__name",
            "village_id",
            "village__name",
            "status",
            "village__profile__connectivity",
            "baseline_id",
            "first_id",
            "latest_id",
        )
    )
    for (
        pk,
        programme_id,
        programme,
        cohort,
        regency,
        district,
        village_code,
        village,
        status,
        connectivity,
        baseline_id,
        first_id,
        latest_id,
    ) in records.iterator(chunk_size=5000):
        row = VillageRow(
            enrolment_id=pk,
            programme_id=programme_id,
            programme=programme,
            cohort=cohort or "",
            regency=regency,
            district=district,
            village_code=village_code,
            village=village,
            status=status,
            connectivity=connectivity or "",
            baseline_id=baseline_id or first_id,
            latest_id=latest_id,
        )
        rows.append(row)
        by_enrolment[pk] = row
        by_pair[programme_id, village_code] = row
        by_village[village_code].append(row)
    programme_ids = {row.programme_id for row in rows}

    # 2. Milestones: per programme, per enrolment and per milestone.
    progress(15, "milestones")
    milestone_list = list(
        Milestone.objects.filter(programme_id__in=programme_ids)
        .order_by("programme__name", "order", "pk")
        .values_list("pk", "programme_id", "programme__name", "name")
    )
    totals_by_programme: dict[int, int] = defaultdict(int)
    for _pk, programme_id, _programme, _name in milestone_list:
        totals_by_programme[programme_id] += 1
    enrolled_by_programme: dict[int, int] = defaultdict(int)
    for row in rows:
        row.milestones_total = totals_by_programme[row.programme_id]
        enrolled_by_programme[row.programme_id] += 1
    done = MilestoneProgress.objects.filter(
        enrolment__in=enrolments.values("pk"),
        state=MilestoneState.DONE,
        completed_on__lte=params.end,
    ).order_by()
    in_period = Q(completed_on__gte=params.start)
    for enrolment_id, count, count_in_period in (
        done.values("enrolment_id")
        .annotate(n=Count("pk"), in_period=Count("pk", filter=in_period))
        .values_list("enrolment_id", "n", "in_period")
    ):
        row = by_enrolment[enrolment_id]
        row.milestones_done, row.milestones_done_in_period = count, count_in_period
    per_milestone = {
        milestone_id: (count, count_in_period)
        for milestone_id, count, count_in_period in done.values("milestone_id")
        .annotate(n=Count("pk"), in_period=Count("pk", filter=in_period))
        .values_list("milestone_id", "n", "in_period")
    }
    milestones = [
        MilestoneRow(
            programme=programme,
            name=name,
            villages=enrolled_by_programme[programme_id],
            done=per_milestone.get(pk, (0, 0))[0],
            done_in_period=per_milestone.get(pk, (0, 0))[1],
        )
        for pk, programme_id, programme, name in milestone_list
    ]

    # 3. Pillar scores of the baseline and latest assessments.
    progress(30, "pillars")
    wanted = sorted({pk for row in rows for pk in (row.baseline_id, row.latest_id) if pk})
    scores: dict[int, dict] = {}
    for offset in range(0, len(wanted), SCORE_CHUNK):
        scores.update(dimension_scores(wanted[offset : offset + SCORE_CHUNK]))
    for row in rows:
        row.baseline_scores = scores.get(row.baseline_id, {}) if row.baseline_id else {}
        row.latest_scores = scores.get(row.latest_id, {}) if row.latest_id else {}

    # 4. Visits and participants per village.
    progress(45, "visits")
    period_visit = Q(visited_on__gte=params.start)
    visit_rows = (
        Visit.objects.filter(
            village_id__in=villages, status__in=VISITED, visited_on__lte=params.end
        )
        .order_by()
        .values("village_id")
        .annotate(
            n=Count("pk", filter=period_visit),
            female=Coalesce(Sum("participants_female", filter=period_visit), 0),
            male=Coalesce(Sum("participants_male", filter=period_visit), 0),
            youth=Coalesce(Sum("participants_youth", filter=period_visit), 0),
            last=Max("visited_on"),
        )
        .values_list("village_id", "n", "female", "male", "youth", "last")
    )
    for village_code, count, female, male, youth, last in visit_rows:
        for row in by_village[village_code]:
            row.visits, row.last_visit = count, last
            row.participants_female, row.participants_male = female, male
            row.participants_youth = youth

    # 5. Mentors per village and programme.
    progress(55, "mentors")
    assignments = Assignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=params.start),
        village_id__in=villages,
        programme_id__in=programme_ids,
        starts_on__lte=params.end,
        volunteer__status=VolunteerStatus.ACTIVE,
    ).order_by()
    main_now = Q(role=AssignmentRole.MAIN) & (Q(ends_on__isnull=True) | Q(ends_on__gte=params.end))
    for programme_id, village_code, mentors, mains in (
        assignments.values("programme_id", "village_id")
        .annotate(
            mentors=Count("volunteer_id", distinct=True),
            mains=Count("pk", filter=main_now),
        )
        .values_list("programme_id", "village_id", "mentors", "mains")
    ):
        row = by_pair.get((programme_id, village_code))
        if row is not None:
            row.mentors, row.has_main_mentor = mentors, mains > 0
    mentor_total = assignments.values("volunteer_id").distinct().count()

    # 6. Service requests per village.
    progress(65, "services")
    filed = Q(
        submitted_at__gte=local_midnight(params.start),
        submitted_at__lt=local_midnight(params.end + datetime.timedelta(days=1)),
    )
    completed = filed & Q(status=RequestStatus.COMPLETED, completed_at__isnull=False)
    on_time = completed & Q(LessThanOrEqual(TruncDate("completed_at", tzinfo=JAKARTA), F("due_on")))
    overdue = Q(status__in=ACTIVE_STATUSES, due_on__lt=today)
    request_rows = (
        ServiceRequest.objects.filter(filed | overdue, village_id__in=villages)
        .order_by()
        .values("village_id")
        .annotate(
            filed=Count("pk", filter=filed),
            completed=Count("pk", filter=completed),
            on_time=Count("pk", filter=on_time),
            overdue=Count("pk", filter=overdue),
        )
        .values_list("village_id", "filed", "completed", "on_time", "overdue")
    )
    for village_code, count, done_count, on_time_count, overdue_count in request_rows:
        for row in by_village[village_code]:
            row.requests_filed, row.requests_completed = count, done_count
            row.requests_on_time, row.requests_overdue = on_time_count, overdue_count

    # 7. Attention and totals.
    progress(75, "attention")
    _flag_attention(rows, params)
    totals = _totals(rows, milestones, mentor_total)
    return Figures(params=params, rows=rows, milestones=milestones, totals=totals)


def _flag_attention(rows: Iterable[VillageRow], params: ReportParams) -> None:
    rows = list(rows)
    visited_since = params.end - datetime.timedelta(days=UNVISITED_DAYS - 1)
    moving = {row.programme_id for row in rows if row.milestones_done_in_period}
    for row in rows:
        if row.status != EnrolmentStatus.ACTIVE:
            continue
        if row.last_visit is None or row.last_visit < visited_since:
            row.attention.append(Attention.NO_VISIT)
        if not row.has_main_mentor:
            row.attention.append(Attention.NO_MAIN_MENTOR)
        if row.requests_overdue:
            row.attention.append(Attention.OVERDUE_REQUESTS)
        if (
            not row.milestones_done_in_period
            and row.programme_id in moving
            and row.milestones_done < row.milestones_total
        ):
            row.attention.append(Attention.NO_MILESTONE)


def _average(values: list[Decimal]) -> float | None:
    if not values:
        return None
    return float(_quantize(sum(values) / len(values)))


def _totals(rows: list[VillageRow], milestones: list[MilestoneRow], mentors: int) -> dict:
    """The report's totals, JSON-ready. Visits and requests belong to villages, not enrolments:
    a village in two programmes is counted once."""
    by_status = {status.value: 0 for status in EnrolmentStatus}
    connectivity = dict.fromkeys(Connectivity.values, 0)
    connectivity[""] = 0
    villages: dict[str, VillageRow] = {}
    for row in rows:
        by_status[row.status] += 1
        villages.setdefault(row.village_code, row)
    for row in villages.values():
        connectivity[row.connectivity] += 1
    pillars = {}
    # The six pillars and the three digitalisation aspects.
    for pillar in Dimension.values:
        pillars[pillar] = {
            "baseline": _average(
                [r.baseline_scores[pillar] for r in rows if pillar in r.baseline_scores]
            ),
            "latest": _average(
                [r.latest_scores[pillar] for r in rows if pillar in r.latest_scores]
            ),
        }
    possible = sum(row.milestones_total for row in rows)
    done = sum(row.milestones_done for row in rows)
    unique = list(villages.values())
    filed = sum(row.requests_filed for row in unique)
    completed = sum(row.requests_completed for row in unique)
    on_time = sum(row.requests_on_time for row in unique)
    female = sum(row.participants_female for row in unique)
    male = sum(row.participants_male for row in unique)
    return {
        "enrolments": len(rows),
        "villages": len(unique),
        "by_status": by_status,
        "milestones_possible": possible,
        "milestones_done": done,
        "milestones_done_in_period": sum(row.milestones_done_in_period for row in rows),
        "progress_percent": percent(done, possible),
        "pillars": pillars,
        "pillar_average": {
            "baseline": _average([a for r in rows if (a := r.baseline_average) is not None]),
            "latest": _average([a for r in rows if (a := r.latest_average) is not None]),
        },
        "visits": sum(row.visits for row in unique),
        "villages_visited": sum(1 for row in unique if row.visits),
        "participants_female": female,
        "participants_male": male,
        "participants_youth": sum(row.participants_youth for row in unique),
        "participants": female + male,
        "mentors": mentors,
        "with_main_mentor": sum(1 for row in rows if row.has_main_mentor),
        "requests_filed": filed,
        "requests_completed": completed,
        "requests_on_time": on_time,
        "on_time_percent": percent(on_time, completed) if completed else None,
        "requests_overdue": sum(row.requests_overdue for row in unique),
        "connectivity": connectivity,
        "attention": sum(1 for row in rows if row.attention),
        "milestones": len(milestones),
    }


def attention_summary(figures: Figures, limit: int | None = None) -> list[dict]:
    """The attention list as JSON-ready dicts (stored on the report for its page)."""
    rows = figures.attention_rows
    if limit is not None:
        rows = rows[:limit]
    return [
        {
            "village_code": row.village_code,
            "village": row.village,
            "district": row.district,
            "regency": row.regency,
            "programme": row.programme,
            "reasons": list(row.attention),
        }
        for row in rows
    ]
