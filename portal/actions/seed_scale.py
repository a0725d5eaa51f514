"""Synthetic national-scale activity on top of the real region registry, for benchmark databases.

Not for production: it invents citizens, volunteers and visits. Everything it creates is marked so
that it can be told apart and a second run adds on top instead of colliding: tracking codes start
with `S` (then a sequence number after the highest seeded one), programmes have the slug
`skala-<regency>`, volunteers the skill `skala`, visit summaries start with `[skala]`. Each
programme gets milestones (progress for its enrolments) and each newly enrolled village a baseline
and a latest scorecard, so that reports have something to read. The only user account it creates
is the assessor of those scorecards, `skala-assessor`: inactive, with no usable password.

Rows come from a `random.Random(seed)`, so a run is reproducible; they are generated and inserted a
batch at a time (one transaction per batch), so memory stays flat whatever the counts. Only the
region list of the scope (a few MB for all 83,763 villages) and this run's assignments are held.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from portal.accounts.models import User
from portal.lib import api_cache
from services.actions.requests import TRACKING_ALPHABET, TRACKING_CODE_LENGTH
from services.deadlines import add_working_days
from services.models import RequestStatus, ServiceRequest, ServiceType, Sex
from villages.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    EnrolmentStatus,
    Indicator,
    Milestone,
    MilestoneProgress,
    MilestoneState,
    Programme,
    Regency,
    Village,
)
from volunteers.models import Assignment, Corps, Membership, Visit, Volunteer
from volunteers.models.roster import AssignmentRole, Gender
from volunteers.models.visits import ActivityType, VisitStatus

TRACKING_PREFIX = "S"
PROGRAMME_PREFIX = "skala-"
VOLUNTEER_MARK = "skala"
VISIT_MARK = "[skala]"
# Share of a touched regency's villages enrolled in its programme.
ENROLLED_SHARE = 0.2
HISTORY_DAYS = 365
MILESTONE_NAMES = (
    "Website desa aktif",
    "Layanan administrasi daring",
    "Data desa terpadu",
    "UMKM desa berjualan daring",
    "Titik Wi-Fi publik",
    "Kader Digital ditetapkan",
    "APBDes dipublikasikan",
    "Peta digital desa",
)
ASSESSOR_USERNAME = "skala-assessor"

FIRST_NAMES_F = ("Sri", "Siti", "Dewi", "Endang", "Wahyuni", "Ratna", "Nur", "Lestari", "Indah")
FIRST_NAMES_M = ("Budi", "Agus", "Joko", "Slamet", "Eko", "Bambang", "Heru", "Dwi", "Rudi")
LAST_NAMES = ("Santoso", "Wibowo", "Susanto", "Hidayat", "Rahayu", "Pratama", "Setiawan", "Utami")
PURPOSES = (
    "Persyaratan melamar pekerjaan",
    "Pengurusan KTP",
    "Pendaftaran sekolah anak",
    "Pengajuan kredit usaha",
    "Persyaratan bantuan sosial",
)
# (status, weight) for requests whose deadline has not passed, and for older ones.
RUNNING_STATUSES = (
    (RequestStatus.SUBMITTED, 25),
    (RequestStatus.VERIFIED, 18),
    (RequestStatus.IN_PROCESS, 22),
    (RequestStatus.FORWARDED, 8),
    (RequestStatus.READY, 12),
    (RequestStatus.COMPLETED, 10),
    (RequestStatus.RETURNED, 3),
    (RequestStatus.REJECTED, 1),
    (RequestStatus.CANCELLED, 1),
)
PAST_STATUSES = (
    (RequestStatus.COMPLETED, 80),
    (RequestStatus.REJECTED, 5),
    (RequestStatus.CANCELLED, 4),
    (RequestStatus.RETURNED, 3),
    # Still active after the deadline: overdue.
    (RequestStatus.SUBMITTED, 1),
    (RequestStatus.VERIFIED, 1),
    (RequestStatus.IN_PROCESS, 3),
    (RequestStatus.FORWARDED, 2),
    (RequestStatus.READY, 1),
)
VISIT_STATUSES = (
    (VisitStatus.VERIFIED, 70),
    (VisitStatus.SUBMITTED, 15),
    (VisitStatus.DRAFT, 10),
    (VisitStatus.RETURNED, 5),
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SeedResult:
    volunteers: int
    memberships: int
    programmes: int
    enrolments: int
    assignments: int
    visits: int
    requests: int
    milestones: int = 0
    milestone_progress: int = 0
    assessments: int = 0
    scores: int = 0


@dataclass(frozen=True)
class _Place:
    village: str
    district: str
    regency: str


def _weighted(choices):
    values = [value for value, _weight in choices]
    weights = [weight for _value, weight in choices]
    return values, weights


def _batches(total: int, size: int) -> Iterator[int]:
    """The sizes of the batches that make up `total` rows."""
    done = 0
    while done < total:
        yield min(size, total - done)
        done += size


def _encode(number: int) -> str:
    base = len(TRACKING_ALPHABET)
    digits = []
    for _ in range(TRACKING_CODE_LENGTH - len(TRACKING_PREFIX)):
        number, digit = divmod(number, base)
        digits.append(TRACKING_ALPHABET[digit])
    return TRACKING_PREFIX + "".join(reversed(digits))


def _decode(code: str) -> int:
    number = 0
    for char in code[len(TRACKING_PREFIX) :]:
        number = number * len(TRACKING_ALPHABET) + TRACKING_ALPHABET.index(char)
    return number


def _next_tracking_number() -> int:
    """One past the highest seeded code: the fixed-width codes sort like their numbers (the
    alphabet is in ASCII order)."""
    highest = ServiceRequest.objects.filter(tracking_code__startswith=TRACKING_PREFIX).aggregate(
        Max("tracking_code")
    )["tracking_code__max"]
    return _decode(highest) + 1 if highest else 0


def _places(regency: str | None) -> list[_Place]:
    villages = Village.objects.order_by("code")
    if regency:
        villages = villages.filter(district__regency=regency)
    return [
        _Place(code, district, regency_code)
        for code, district, regency_code in villages.values_list(
            "code", "district_id", "district__regency_id"
        )
    ]


def _nik(rng: random.Random, district: str, sex: str) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000))
    day = birth.day + (40 if sex == Sex.FEMALE else 0)
    serial = rng.randrange(1, 10_000)
    return f"{district.replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


def _name(rng: random.Random, sex: str) -> str:
    first = FIRST_NAMES_F if sex in (Sex.FEMALE, Gender.FEMALE) else FIRST_NAMES_M
    return f"{rng.choice(first)} {rng.choice(LAST_NAMES)}"


@transaction.atomic
def _seed_volunteers(rng, places, count, corps, today) -> tuple[list, int]:
    """(volunteer rows as (pk, district), memberships created) for one batch."""
    volunteers = []
    for _ in range(count):
        place = rng.choice(places)
        gender = rng.choice((Gender.FEMALE, Gender.MALE))
        volunteers.append(
            Volunteer(
                full_name=_name(rng, gender),
                gender=gender,
                district_id=place.district,
                home_village_id=place.village,
                skills=VOLUNTEER_MARK,
                joined_on=today - datetime.timedelta(days=rng.randrange(30, 1500)),
            )
        )
    Volunteer.objects.bulk_create(volunteers)
    memberships = [
        Membership(volunteer=volunteer, corps=rng.choice(corps), since=volunteer.joined_on)
        for volunteer in volunteers
    ]
    if corps:
        Membership.objects.bulk_create(memberships)
    return [(v.pk, v.district_id) for v in volunteers], len(memberships) if corps else 0


def _request(rng, place, types, statuses, number, now, today, due_cache) -> ServiceRequest:
    service_type = rng.choice(types)
    submitted_at = now - datetime.timedelta(seconds=rng.randrange(HISTORY_DAYS * 86_400))
    filed_on = timezone.localdate(submitted_at)
    key = (filed_on, service_type.sla_working_days)
    if key not in due_cache:
        due_cache[key] = add_working_days(filed_on, service_type.sla_working_days)
    due_on = due_cache[key]
    running, past = statuses
    if number is not None:
        status = number  # the first rows of a run: one of each status
    else:
        values, weights = running if due_on >= today else past
        status = rng.choices(values, weights)[0]
    completed_at = None
    if status == RequestStatus.COMPLETED:
        # Mostly on time, some late: up to 1.3 times the time allowed.
        allowed = max((due_on - filed_on).days, 1) * 86_400
        completed_at = min(
            submitted_at + datetime.timedelta(seconds=rng.randrange(int(allowed * 1.3))), now
        )
    sex = rng.choice((Sex.FEMALE, Sex.MALE))
    return ServiceRequest(
        village_id=place.village,
        service_type=service_type,
        applicant_name=_name(rng, sex),
        nik=_nik(rng, place.district, sex),
        applicant_sex=sex,
        rt=f"{rng.randrange(1, 15):03d}",
        rw=f"{rng.randrange(1, 8):03d}",
        purpose=rng.choice(PURPOSES),
        status=status,
        due_on=due_on,
        forwarded_to="Kecamatan" if status == RequestStatus.FORWARDED else "",
        applicant_note=(
            "Dokumen belum lengkap"
            if status in (RequestStatus.RETURNED, RequestStatus.REJECTED)
            else ""
        ),
        submitted_at=submitted_at,
        completed_at=completed_at,
    )


def _visit(rng, volunteer, village, assignment, now, today) -> Visit:
    values, weights = _weighted(VISIT_STATUSES)
    status = rng.choices(values, weights)[0]
    visited_on = today - datetime.timedelta(days=rng.randrange(HISTORY_DAYS))
    visited_at = timezone.make_aware(datetime.datetime.combine(visited_on, datetime.time(16)))
    submitted_at = reviewed_at = None
    if status != VisitStatus.DRAFT:
        submitted_at = min(visited_at + datetime.timedelta(hours=rng.randrange(1, 72)), now)
    if status in (VisitStatus.VERIFIED, VisitStatus.RETURNED):
        reviewed_at = min(submitted_at + datetime.timedelta(hours=rng.randrange(1, 120)), now)
    female, male = rng.randrange(0, 25), rng.randrange(0, 25)
    return Visit(
        volunteer_id=volunteer,
        village_id=village,
        assignment_id=assignment,
        visited_on=visited_on,
        duration_minutes=rng.choice((60, 90, 120, 180)),
        activities=rng.sample(list(ActivityType.values), rng.randrange(1, 3)),
        participants_female=female,
        participants_male=male,
        participants_youth=rng.randrange(0, female + male + 1),
        summary=f"{VISIT_MARK} Pendampingan desa",
        status=status,
        submitted_at=submitted_at,
        reviewed_at=reviewed_at,
        return_reason="Foto kurang jelas" if status == VisitStatus.RETURNED else "",
    )


def _seed_milestones(rng, programme, enrolment_ids, count, starts_on, today) -> tuple[int, int]:
    """The programme's first `count` milestones (kept from an earlier run) and, for each of
    `enrolment_ids`, the first few done (dates spread over the history), the next in progress.
    Returns (milestones created, progress rows created)."""
    if not count:
        return 0, 0
    before = Milestone.objects.filter(programme=programme).count()
    Milestone.objects.bulk_create(
        [
            Milestone(programme=programme, name=name, order=order)
            for order, name in enumerate(MILESTONE_NAMES[:count])
        ],
        ignore_conflicts=True,
    )
    milestones = list(
        Milestone.objects.filter(programme=programme)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )
    span = max((today - starts_on).days, 1)
    rows = []
    for enrolment_id in enrolment_ids:
        done = rng.randrange(len(milestones) + 1)
        days = sorted(rng.randrange(span) for _ in range(done))
        for index, milestone_id in enumerate(milestones[: done + 1]):
            finished = index < done
            rows.append(
                MilestoneProgress(
                    enrolment_id=enrolment_id,
                    milestone_id=milestone_id,
                    state=MilestoneState.DONE if finished else MilestoneState.IN_PROGRESS,
                    completed_on=starts_on + datetime.timedelta(days=days[index])
                    if finished
                    else None,
                )
            )
    created = MilestoneProgress.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(milestones) - before, len(created)


def _assessor() -> User:
    user = User.objects.filter(username=ASSESSOR_USERNAME).first()
    if user is None:
        user = User(username=ASSESSOR_USERNAME, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _seed_scorecards(rng, village_codes, indicators, assessor, starts_on, today) -> tuple[int, int]:
    """A baseline scorecard near the programme's start and a later one for each village, every
    active indicator scored (the later one a little better). Returns (assessments, scores)."""
    if not village_codes or not indicators:
        return 0, 0
    assessments, pending = [], []
    for village in village_codes:
        baseline = {pk: rng.randrange(0, top) for pk, top in indicators}
        latest = {
            pk: min(top, score + rng.randrange(0, 3))
            for (pk, top), score in zip(indicators, baseline.values(), strict=True)
        }
        for day, scores in (
            (starts_on + datetime.timedelta(days=rng.randrange(30)), baseline),
            (today - datetime.timedelta(days=rng.randrange(1, 120)), latest),
        ):
            assessments.append(Assessment(village_id=village, assessed_on=day, assessor=assessor))
            pending.append(scores)
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    rows = [
        AssessmentScore(assessment_id=assessment.pk, indicator_id=indicator, score=score)
        for assessment, scores in zip(assessments, pending, strict=True)
        for indicator, score in scores.items()
    ]
    AssessmentScore.objects.bulk_create(rows, batch_size=5000)
    return len(assessments), len(rows)


def _seed_programmes(
    rng, places, volunteers_by_district, today, *, milestones: int = 0, scorecards: bool = False
) -> tuple[int, int, list, tuple[int, int, int, int]]:
    """One programme per touched regency (reused by a later run), a share of its villages
    enrolled, and a main mentor from the village's kecamatan where this run has one; with
    `milestones`, that many milestones per programme and progress for the new enrolments; with
    `scorecards`, a baseline and a later scorecard for each newly enrolled village.
    Returns (programmes created, enrolments created, [(assignment, volunteer, village)],
    (milestones, progress rows, assessments, scores) created)."""
    by_regency = defaultdict(list)
    for place in places:
        by_regency[place.regency].append(place)
    names = dict(Regency.objects.filter(pk__in=by_regency).values_list("code", "name"))
    created_programmes = enrolments = 0
    assignments = []
    starts_on = today - datetime.timedelta(days=HISTORY_DAYS)
    extra = [0, 0, 0, 0]
    indicators = (
        list(Indicator.objects.filter(is_active=True).values_list("pk", "max_score"))
        if scorecards
        else []
    )
    assessor = _assessor() if scorecards else None
    for regency, regency_places in sorted(by_regency.items()):
        with transaction.atomic():
            programme, created = Programme.objects.get_or_create(
                slug=f"{PROGRAMME_PREFIX}{regency.replace('.', '-')}",
                defaults={
                    "name": f"Skala {names.get(regency, regency)}",
                    "owner_agency": "Benchmark",
                    "regency_id": regency,
                    "starts_on": starts_on,
                },
            )
            created_programmes += created
            share = max(1, round(len(regency_places) * ENROLLED_SHARE))
            chosen = rng.sample(regency_places, share)
            enrolled_before = set(
                Enrolment.objects.filter(programme=programme).values_list("village_id", flat=True)
            )
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        programme=programme,
                        village_id=place.village,
                        enrolled_on=starts_on,
                        status=EnrolmentStatus.ACTIVE,
                    )
                    for place in chosen
                ],
                ignore_conflicts=True,
            )
            new_enrolments = dict(
                Enrolment.objects.filter(programme=programme)
                .exclude(village_id__in=enrolled_before)
                .values_list("village_id", "pk")
            )
            enrolments += len(new_enrolments)
            made, progress_rows = _seed_milestones(
                rng, programme, sorted(new_enrolments.values()), milestones, starts_on, today
            )
            made_assessments, scores = _seed_scorecards(
                rng, sorted(new_enrolments), indicators, assessor, starts_on, today
            )
            for index, value in enumerate((made, progress_rows, made_assessments, scores)):
                extra[index] += value
            rows = []
            for place in chosen:
                mentors = volunteers_by_district.get(place.district)
                if mentors:
                    rows.append(
                        Assignment(
                            volunteer_id=rng.choice(mentors),
                            village_id=place.village,
                            programme=programme,
                            role=AssignmentRole.MAIN,
                            starts_on=starts_on + datetime.timedelta(days=rng.randrange(60)),
                        )
                    )
            Assignment.objects.bulk_create(rows, batch_size=5000)
            assignments += [(a.pk, a.volunteer_id, a.village_id) for a in rows]
    return created_programmes, enrolments, assignments, tuple(extra)


def _analyze() -> None:
    """Fresh statistics for the planner after a bulk load (PostgreSQL), as autovacuum would gather
    later: without them, the first rollup rebuild and pages plan for empty tables."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_scale(
    *,
    volunteers: int,
    visits: int,
    requests: int,
    regency: str | None = None,
    seed: int = 1,
    batch_size: int = 5000,
    progress: Progress | None = None,
    milestones: int = 5,
    scorecards: bool = True,
) -> SeedResult:
    """Fill a database that holds the region registry with synthetic activity: `volunteers`
    (each with a corps membership), a programme per touched regency with enrolments and main
    mentors, `milestones` per programme (at most 8) with progress and, with `scorecards`, two
    scored assessments per newly enrolled village, `visits` and `requests` — over every village,
    or those of `regency` ("35.05").

    For benchmark databases only. Raises ValidationError when the scope holds no village, or
    `requests` > 0 and the catalogue has no active service type. Calls `progress(kind, done,
    total)` after each batch. Each batch is its own transaction: an interrupted run keeps the
    batches done, and a later run adds on top of them. Ends with ANALYZE on PostgreSQL.
    """
    places = _places(regency)
    if not places:
        raise ValidationError("No village in the region registry for this scope.")
    types = list(ServiceType.objects.active().order_by("pk"))
    if requests and not types:
        raise ValidationError("The service catalogue has no active service type.")
    corps = list(Corps.objects.order_by("pk"))
    rng = random.Random(seed)
    progress = progress or (lambda kind, done, total: None)
    now = timezone.now()
    today = timezone.localdate(now)

    volunteer_rows = []
    memberships = 0
    for size in _batches(volunteers, batch_size):
        rows, members = _seed_volunteers(rng, places, size, corps, today)
        volunteer_rows += rows
        memberships += members
        progress("volunteers", len(volunteer_rows), volunteers)
    volunteers_by_district = defaultdict(list)
    for pk, district in volunteer_rows:
        volunteers_by_district[district].append(pk)

    programmes, enrolments, assignments, extra = _seed_programmes(
        rng,
        places,
        volunteers_by_district,
        today,
        milestones=min(milestones, len(MILESTONE_NAMES)),
        scorecards=scorecards,
    )
    progress("assignments", len(assignments), len(assignments))
    progress("scorecards", extra[2], extra[2])

    if visits and not volunteer_rows:
        raise ValidationError("Visits need volunteers.")
    home_villages = (
        dict(
            Volunteer.objects.filter(pk__in=[pk for pk, _d in volunteer_rows]).values_list(
                "pk", "home_village_id"
            )
        )
        if not assignments
        else {}
    )
    done = 0
    for size in _batches(visits, batch_size):
        rows = []
        for _ in range(size):
            if assignments:
                assignment, volunteer, village = rng.choice(assignments)
            else:
                # No mentor assignment in scope (too few volunteers): a visit to the home village.
                volunteer, _district = rng.choice(volunteer_rows)
                assignment, village = None, home_villages[volunteer]
            rows.append(_visit(rng, volunteer, village, assignment, now, today))
        with transaction.atomic():
            Visit.objects.bulk_create(rows)
        done += size
        progress("visits", done, visits)

    statuses = (_weighted(RUNNING_STATUSES), _weighted(PAST_STATUSES))
    first_statuses = list(RequestStatus.values)
    due_cache: dict = {}
    number = _next_tracking_number()
    done = 0
    for size in _batches(requests, batch_size):
        rows = []
        for index in range(size):
            position = done + index
            forced = first_statuses[position] if position < len(first_statuses) else None
            row = _request(rng, rng.choice(places), types, statuses, forced, now, today, due_cache)
            row.tracking_code = _encode(number)
            number += 1
            rows.append(row)
        with transaction.atomic():
            ServiceRequest.objects.bulk_create(rows)
        done += size
        progress("requests", done, requests)
    _analyze()
    api_cache.bump()  # bulk writes send no model signals
    return SeedResult(
        volunteers=len(volunteer_rows),
        memberships=memberships,
        programmes=programmes,
        enrolments=enrolments,
        assignments=len(assignments),
        visits=visits,
        requests=requests,
        milestones=extra[0],
        milestone_progress=extra[1],
        assessments=extra[2],
        scores=extra[3],
    )
