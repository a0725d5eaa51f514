"""Reminder sweeps: who is told about what, on which day, and never twice."""

from __future__ import annotations

import datetime
import re
import threading
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import reminders
from portal.celery import app as celery_app
from portal.notifications import actions
from portal.notifications.models import Notification
from services.models import ServiceRequest
from tests.factories import (
    RegistrationFactory,
    ServiceRequestFactory,
    TrainingFactory,
    UserFactory,
    VisitFactory,
    VolunteerFactory,
    grant,
)
from villages.models import Role

D = datetime.date
NIK = "3505010101900001"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JAKARTA)


def inbox(kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient, event key) of the inbox rows, sorted; the channel and user suffix dropped."""
    rows = Notification.objects.filter(channel="inbox")
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(
        (username, key.rsplit(":inbox:", 1)[0])
        for username, key in rows.values_list("recipient__username", "dedupe_key")
    )


def recipients(kind: str | None = None) -> list[str]:
    return sorted({username for username, _ in inbox(kind)})


@pytest.fixture
def staff(official, officer, secretary, coordinator, outsider):
    """Every persona with an area role, the outsider (secretary of village B) among them."""


@pytest.fixture
def eager_celery():
    """For the tests whose transactions commit: sends run in-process, not into the broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


# 1. Due soon


@pytest.mark.django_db
def test_due_soon_on_a_friday_before_a_holiday_monday_announces_tuesdays_requests(regions, staff):
    friday = D(2027, 3, 5)  # Monday 8 March 2027 is Nyepi (Day of Silence)
    due_tuesday = ServiceRequestFactory(village=regions.village_a, due_on=D(2027, 3, 9))
    ServiceRequestFactory(village=regions.village_a, due_on=friday)
    ServiceRequestFactory(village=regions.village_a, due_on=D(2027, 3, 12))
    ServiceRequestFactory(
        village=regions.village_a,
        due_on=D(2027, 3, 9),
        status="completed",
        completed_at=local(2027, 3, 4, 10),
    )
    other_village = ServiceRequestFactory(village=regions.village_b, due_on=D(2027, 3, 9))

    created = reminders.remind_requests_due_soon(today=friday)

    assert inbox() == [
        ("outsider", f"request.due_soon:{other_village.pk}:2027-03-09"),
        ("secretary", f"request.due_soon:{due_tuesday.pk}:2027-03-09"),
    ]
    # Each recipient has an inbox and an e-mail row (no WhatsApp number).
    assert created == Notification.objects.count() == 4
    notification = Notification.objects.get(recipient__username="secretary", channel="inbox")
    assert due_tuesday.tracking_code in notification.body
    assert due_tuesday.service_type.name in notification.body
    assert "Jaten" in notification.body
    assert NIK not in notification.body + notification.title
    assert notification.url == reverse("services:request-detail", args=[due_tuesday.pk])


@pytest.mark.django_db
def test_due_soon_on_a_thursday_before_christmas_announces_mondays_requests(regions, staff):
    due_monday = ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 12, 28))

    assert reminders.remind_requests_due_soon(today=D(2026, 12, 23)) == 0
    assert reminders.remind_requests_due_soon(today=D(2026, 12, 24)) > 0

    assert inbox() == [("secretary", f"request.due_soon:{due_monday.pk}:2026-12-28")]


@pytest.mark.django_db
def test_due_soon_run_twice_creates_nothing_new(regions, staff):
    ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 11, 24))
    first = reminders.remind_requests_due_soon(today=D(2026, 11, 23))
    count = Notification.objects.count()

    assert first == count > 0
    assert reminders.remind_requests_due_soon(today=D(2026, 11, 23)) == 0
    assert Notification.objects.count() == count


# 2. Overdue, escalated by working days late


@pytest.mark.django_db
def test_an_overdue_request_escalates_secretary_then_officer_then_official_across_christmas(
    regions, staff, settings
):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 2
    late = ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 12, 23))
    key = f"request.overdue:{late.pk}"
    seen = {}
    # Thursday 24 is 1 working day late; Friday 25 (Christmas) and the weekend add none;
    # Monday 28 is 2, Tuesday 29 is 3, Wednesday 30 is 4.
    for day in range(23, 32):
        reminders.remind_overdue_requests(today=D(2026, 12, day))
        seen[day] = inbox()

    assert seen[23] == []
    secretary_only = [("secretary", f"{key}:secretary")]
    assert seen[24] == seen[25] == seen[26] == seen[27] == secretary_only
    with_officer = sorted([*secretary_only, ("officer", f"{key}:officer")])
    assert seen[28] == seen[29] == with_officer
    with_official = sorted([*with_officer, ("official", f"{key}:official")])
    assert seen[30] == seen[31] == with_official
    assert NIK not in "".join(Notification.objects.values_list("body", flat=True))


@pytest.mark.django_db
def test_a_request_found_late_gets_every_level_at_once_and_only_its_villages_people(
    regions, staff, settings
):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 2
    late = ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 11, 2))
    ServiceRequestFactory(
        village=regions.village_a,
        due_on=D(2026, 11, 2),
        status="completed",
        completed_at=local(2026, 11, 3, 9),
    )
    ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 11, 27))

    created = reminders.remind_overdue_requests(today=D(2026, 11, 20))

    assert recipients() == ["officer", "official", "secretary"]
    assert {key for _, key in inbox()} == {
        f"request.overdue:{late.pk}:{level}" for level in ("secretary", "officer", "official")
    }
    assert created == Notification.objects.count()
    assert reminders.remind_overdue_requests(today=D(2026, 11, 20)) == 0
    assert reminders.remind_overdue_requests(today=D(2026, 11, 23)) == 0


@pytest.mark.django_db
def test_escalation_follows_the_setting(regions, staff, settings):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 5
    ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 11, 2))

    reminders.remind_overdue_requests(today=D(2026, 11, 13))  # 9 working days late

    assert recipients() == ["officer", "secretary"]


# 3. Villages without a visit


def village_a_visited(mentoring, today, days_ago):
    VisitFactory(
        volunteer=mentoring.other,
        village=mentoring.assignment.village,
        visited_on=today - datetime.timedelta(days=days_ago),
        status="verified",
    )


@pytest.fixture
def visits_elsewhere(regions, mentoring):
    """Village B was visited yesterday; a draft in village A does not count as a visit."""
    today = D(2026, 11, 20)
    VisitFactory(volunteer=mentoring.far, village=regions.village_b, visited_on=D(2026, 11, 19))
    VisitFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a,
        visited_on=D(2026, 11, 19),
        status="draft",
    )
    return today


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(29, []), (30, ["volunteer"]), (44, ["volunteer"]), (45, ["coordinator", "volunteer"])],
)
def test_an_unvisited_village_reminds_the_mentor_at_30_days_and_the_coordinator_at_45(
    regions, staff, mentoring, visits_elsewhere, days_ago, expected
):
    today = visits_elsewhere
    village_a_visited(mentoring, today, days_ago)

    reminders.remind_unvisited_villages(today=today)

    last = (today - datetime.timedelta(days=days_ago)).isoformat()
    prefix = f"village.unvisited:{mentoring.assignment.pk}:{last}"
    assert inbox() == [
        (user, f"{prefix}:{'mentor' if user == 'volunteer' else 'coordinator'}")
        for user in expected
    ]
    if expected:
        notification = Notification.objects.get(recipient__username="volunteer", channel="inbox")
        assert "Jaten" in notification.body
        assert notification.url.endswith("/saya/")


@pytest.mark.django_db
def test_a_village_never_visited_counts_from_the_assignment_start(
    regions, staff, mentoring, visits_elsewhere
):
    reminders.remind_unvisited_villages(today=visits_elsewhere)

    prefix = f"village.unvisited:{mentoring.assignment.pk}:2021-03-01"
    assert inbox() == [
        ("coordinator", f"{prefix}:coordinator"),
        ("volunteer", f"{prefix}:mentor"),
    ]
    assert reminders.remind_unvisited_villages(today=visits_elsewhere) == 0


def mentor_reminders() -> list[str]:
    return [key for user, key in inbox() if user == "volunteer"]


@pytest.mark.django_db
def test_a_new_visit_restarts_the_count(regions, staff, mentoring, visits_elsewhere):
    today = visits_elsewhere
    village_a_visited(mentoring, today, 30)
    reminders.remind_unvisited_villages(today=today)
    village_a_visited(mentoring, today, 0)

    later = today + datetime.timedelta(days=29)
    reminders.remind_unvisited_villages(today=later)
    assert len(mentor_reminders()) == 1
    reminders.remind_unvisited_villages(today=later + datetime.timedelta(days=1))
    assert [key.split(":")[2] for key in mentor_reminders()] == [
        (today - datetime.timedelta(days=30)).isoformat(),
        today.isoformat(),
    ]


@pytest.mark.django_db
def test_villages_no_longer_enrolled_or_unassigned_are_not_reminded(
    regions, staff, mentoring, visits_elsewhere
):
    mentoring.programme.enrolments.filter(village=regions.village_a).update(status="withdrawn")

    assert reminders.remind_unvisited_villages(today=visits_elsewhere) == 0


# 4. Visits waiting for review


@pytest.mark.django_db
def test_a_visit_waiting_4_days_reminds_the_coordinator_and_3_days_does_not(
    regions, staff, mentoring
):
    today = D(2026, 11, 20)
    three_days = VisitFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a,
        submitted_at=local(2026, 11, 17, 0, 5),
    )
    four_days = VisitFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a,
        visited_on=D(2026, 11, 14),
        submitted_at=local(2026, 11, 16, 23, 50),
    )
    VisitFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a,
        status="verified",
        submitted_at=local(2026, 11, 1, 9),
    )

    created = reminders.remind_visits_awaiting_review(today=today)

    assert inbox() == [("coordinator", f"visit.review:{four_days.pk}")]
    assert created == Notification.objects.count()
    notification = Notification.objects.get(channel="inbox")
    assert "Sri Wahyuni" in notification.body
    assert "Jaten" in notification.body
    assert "14" in notification.body
    assert notification.url.endswith(f"/kunjungan/{four_days.pk}/")
    assert reminders.remind_visits_awaiting_review(today=today) == 0
    reminders.remind_visits_awaiting_review(today=today + datetime.timedelta(days=1))
    assert inbox() == sorted(
        [
            ("coordinator", f"visit.review:{four_days.pk}"),
            ("coordinator", f"visit.review:{three_days.pk}"),
        ]
    )


@pytest.mark.django_db
def test_without_a_coordinator_the_kecamatan_officers_review(regions, staff, mentoring):
    udanawu_officer = UserFactory(username="udanawu-officer")
    grant(udanawu_officer, Role.KECAMATAN_OFFICER, regions.other_district)
    visit = VisitFactory(
        volunteer=mentoring.far, village=regions.village_b, submitted_at=local(2026, 11, 10, 9)
    )

    reminders.remind_visits_awaiting_review(today=D(2026, 11, 20))

    assert inbox() == [("udanawu-officer", f"visit.review:{visit.pk}")]


# 5. Trainings tomorrow


@pytest.mark.django_db
def test_registered_volunteers_with_a_login_hear_of_tomorrows_training(regions, staff, mentoring):
    tomorrow = TrainingFactory(
        title="Bimtek Website Desa",
        regency=regions.regency,
        starts_on=D(2026, 11, 21),
        ends_on=D(2026, 11, 22),
    )
    later = TrainingFactory(
        regency=regions.regency, starts_on=D(2026, 11, 22), ends_on=D(2026, 11, 22)
    )
    registered = RegistrationFactory(training=tomorrow, volunteer=mentoring.volunteer)
    RegistrationFactory(training=tomorrow, volunteer=VolunteerFactory(district=regions.district))
    RegistrationFactory(training=later, volunteer=mentoring.other)

    created = reminders.remind_trainings_tomorrow(today=D(2026, 11, 20))

    assert inbox() == [("volunteer", f"training.tomorrow:{registered.pk}")]
    assert created == Notification.objects.count()
    notification = Notification.objects.get(channel="inbox")
    assert "Bimtek Website Desa" in notification.title + notification.body
    assert notification.url.endswith(f"/pelatihan/{tomorrow.pk}/")
    assert reminders.remind_trainings_tomorrow(today=D(2026, 11, 20)) == 0


# 6. Weekly digest


@pytest.fixture
def digest_fixture(regions, mentoring, official):
    """Blitar: 2 requests filed in the week 16-22 November, 1 overdue, 2 visits waiting, and
    2 pilot villages (A2 never, B since 1 October) without a visit for 30 days. Kediri: 1 filed,
    1 overdue, 1 waiting, no pilot villages."""
    kediri_official = UserFactory(username="kediri-official")
    grant(kediri_official, Role.DISTRICT_OFFICIAL, regions.other_regency)

    def filed(village, when, due, **fields):
        return ServiceRequestFactory(village=village, submitted_at=when, due_on=due, **fields)

    filed(regions.village_a, local(2026, 11, 18, 10), D(2026, 11, 25))
    filed(regions.village_a, local(2026, 11, 10, 10), D(2026, 11, 13))
    filed(
        regions.village_b,
        local(2026, 11, 16, 0, 0),
        D(2026, 11, 19),
        status="completed",
        completed_at=local(2026, 11, 18, 9),
    )
    filed(regions.village_a2, local(2026, 11, 15, 23, 59), D(2026, 11, 30))
    filed(regions.village_a2, local(2026, 11, 23, 8), D(2026, 11, 26))
    filed(regions.far_village, local(2026, 11, 18, 10), D(2026, 11, 20))

    volunteer = mentoring.volunteer
    VisitFactory(
        volunteer=volunteer,
        village=regions.village_a,
        visited_on=D(2026, 11, 10),
        status="verified",
    )
    VisitFactory(volunteer=mentoring.far, village=regions.village_b, visited_on=D(2026, 10, 1))
    VisitFactory(volunteer=volunteer, village=regions.village_a, visited_on=D(2026, 11, 20))
    VisitFactory(
        volunteer=volunteer, village=regions.village_a2, visited_on=D(2026, 11, 20), status="draft"
    )
    VisitFactory(volunteer=mentoring.far, village=regions.far_village, visited_on=D(2026, 11, 2))
    return D(2026, 11, 23)  # a Monday, ISO week 2026-W48


@pytest.mark.django_db
def test_the_weekly_figures_match_a_hand_count(regions, digest_fixture):
    figures = reminders.weekly_digest_figures(
        regency_codes=[regions.regency.pk, regions.other_regency.pk], today=digest_fixture
    )

    assert figures == {
        "35.05": {"filed": 2, "overdue": 1, "awaiting": 2, "unvisited": 2},
        "35.06": {"filed": 1, "overdue": 1, "awaiting": 1, "unvisited": 0},
    }


@pytest.mark.django_db
def test_each_official_gets_their_regencys_digest_once_a_week(regions, staff, digest_fixture):
    monday = digest_fixture

    created = reminders.send_weekly_digest(today=monday)

    assert inbox() == [
        ("kediri-official", f"digest.weekly:{user_pk('kediri-official')}:2026-W48"),
        ("official", f"digest.weekly:{user_pk('official')}:2026-W48"),
    ]
    assert created == Notification.objects.count()
    digest = Notification.objects.get(recipient__username="official", channel="inbox")
    assert [int(n) for n in re.findall(r": (\d+)", digest.body)] == [2, 1, 2, 2]
    assert "KABUPATEN BLITAR" in digest.title + digest.body
    assert reminders.send_weekly_digest(today=monday) == 0
    assert reminders.send_weekly_digest(today=monday + datetime.timedelta(days=6)) == 0
    assert reminders.send_weekly_digest(today=monday + datetime.timedelta(days=7)) > 0
    assert recipients() == ["kediri-official", "official"]


def user_pk(username: str) -> int:
    from portal.accounts.models import User

    return User.objects.get(username=username).pk


@pytest.mark.django_db
def test_the_digest_costs_the_same_queries_for_each_further_official(regions, official):
    def queries_for_a_fresh_week(week: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            reminders.send_weekly_digest(today=D(2026, 11, 2) + datetime.timedelta(weeks=week))
        return len(captured)

    costs = []
    for week in range(3):
        costs.append(queries_for_a_fresh_week(week))
        extra = UserFactory()
        grant(extra, Role.DISTRICT_OFFICIAL, regions.other_regency)

    assert costs[2] - costs[1] == costs[1] - costs[0]


# Two beat processes at once


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_create_each_notification_once(
    regions, staff, mentoring, settings, eager_celery
):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 2
    for _ in range(30):
        ServiceRequestFactory(village=regions.village_a, due_on=D(2026, 11, 2))
        ServiceRequestFactory(village=regions.village_b, due_on=D(2026, 11, 2))
    start = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            start.wait()
            results.append(reminders.remind_overdue_requests(today=D(2026, 11, 20)))
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # Village A: secretary, officer, official; village B: outsider, official.
    assert len(inbox()) == 30 * 3 + 30 * 2
    assert len(set(inbox())) == len(inbox())
    assert sum(results) == Notification.objects.count()


# Batches


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sweep", "due_on"),
    [
        (reminders.remind_requests_due_soon, D(2026, 11, 24)),
        (reminders.remind_overdue_requests, D(2026, 11, 2)),
    ],
)
def test_each_further_batch_costs_the_same_queries(
    regions, staff, settings, monkeypatch, sweep, due_on
):
    settings.REMINDER_ESCALATE_AFTER_DAYS = 2
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)
    ContentType.objects.get_for_model(ServiceRequest)  # cached from the first notice on
    costs = []
    for _ in range(3):  # one batch more each time, all of it to notify again
        for village in [regions.village_a, regions.village_b] * 2:
            ServiceRequestFactory(village=village, due_on=due_on)
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            created = sweep(today=D(2026, 11, 23))
        assert created == Notification.objects.count() > 0
        costs.append(len(captured))

    # The batch's savepoint and release, the locked rows, their service types, then notify_many's
    # savepoint and release, preferences, existing keys and insert; the villages and their people
    # are read once per sweep.
    assert costs[2] - costs[1] == costs[1] - costs[0] == 9


@pytest.mark.django_db
def test_a_sweep_refreshes_each_recipients_unread_count_once_after_all_its_batches(
    regions, staff, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(reminders, "BATCH_SIZE", 2)
    refreshed = []
    monkeypatch.setattr(
        actions, "refresh_unread_counts", lambda user_ids: refreshed.append(set(user_ids))
    )
    for village in [regions.village_a, regions.village_b] * 3:
        ServiceRequestFactory(village=village, due_on=D(2026, 11, 24))

    with django_capture_on_commit_callbacks(execute=True):
        reminders.remind_requests_due_soon(today=D(2026, 11, 23))

    assert refreshed == [{user_pk("secretary"), user_pk("outsider")}]


@pytest.mark.django_db
def test_a_village_first_seen_in_a_batch_is_read_with_it(regions, staff):
    roles = {Role.VILLAGE_SECRETARY: "village", Role.DISTRICT_OFFICIAL: "regency"}
    villages = reminders._Villages([], roles)

    villages.read_missing([regions.village_a.pk])

    assert villages.name(regions.village_a.pk) == "Jaten"
    assert [u.pk for u in villages.recipients(Role.VILLAGE_SECRETARY, regions.village_a.pk)] == [
        user_pk("secretary")
    ]
    assert [u.pk for u in villages.recipients(Role.DISTRICT_OFFICIAL, regions.village_a.pk)] == [
        user_pk("official")
    ]
