"""Mentoring assignments: the rules of assigning and ending, what an assignment opens to the
volunteer, the villages without a main mentor, the pages, the API and their query budgets."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from portal.accounts.models import User
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    VillageFactory,
    VolunteerFactory,
)
from villages.models import Enrolment, Village
from volunteers.actions.roster import assign_volunteer, end_assignment
from volunteers.models import Assignment
from volunteers.selectors import villages_without_main_mentor


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever the .po files translate them to."""
    with translation.override("en"):
        yield


START = datetime.date(2026, 1, 5)


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


@pytest.fixture
def budi(regions):
    """An active Wonodadi volunteer with no assignment yet."""
    return VolunteerFactory(full_name="Budi Santoso", district=regions.district)


def assign(actor, volunteer, village, programme, role="main", starts_on=START, ends_on=None):
    return assign_volunteer(
        volunteer=volunteer,
        village=village,
        programme=programme,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        actor=actor,
    )


def unmentored_names(user, programme=None):
    return {e.village.name for e in villages_without_main_mentor(user=user, programme=programme)}


# The rules of assigning


def test_a_coordinator_assigns_a_main_mentor_to_an_unmentored_village(
    coordinator, mentoring, regions, budi
):
    assignment = assign(coordinator, budi, regions.village_a2, mentoring.programme)

    assert (assignment.role, assignment.created_by) == ("main", coordinator)
    assert assignment.is_current()


def test_a_village_not_enrolled_in_the_programme_is_refused(coordinator, mentoring, regions, budi):
    village = VillageFactory(code="35.05.01.2009", name="Tawangrejo", district=regions.district)

    with pytest.raises(ValidationError) as error:
        assign(coordinator, budi, village, mentoring.programme)

    assert list(error.value.message_dict) == ["village"]


def test_a_village_withdrawn_from_the_programme_is_refused(coordinator, mentoring, regions, budi):
    Enrolment.objects.filter(village=regions.village_a2).update(status="withdrawn")

    with pytest.raises(ValidationError) as error:
        assign(coordinator, budi, regions.village_a2, mentoring.programme)

    assert list(error.value.message_dict) == ["village"]


def test_a_candidate_village_takes_a_mentor(coordinator, mentoring, regions, budi):
    Enrolment.objects.filter(village=regions.village_a2).update(status="candidate")

    assert assign(coordinator, budi, regions.village_a2, mentoring.programme).pk


def test_an_inactive_volunteer_is_refused(coordinator, mentoring, regions, budi):
    budi.status = "inactive"
    budi.save()

    with pytest.raises(ValidationError) as error:
        assign(coordinator, budi, regions.village_a2, mentoring.programme)

    assert list(error.value.message_dict) == ["volunteer"]


def test_a_second_main_mentor_in_an_overlapping_period_is_refused(
    coordinator, mentoring, regions, budi
):
    with pytest.raises(ValidationError) as error:
        assign(coordinator, budi, regions.village_a, mentoring.programme)

    assert list(error.value.message_dict) == ["role"]
    assert "Sri Wahyuni" in error.value.message_dict["role"][0]
    assert not Assignment.objects.filter(volunteer=budi).exists()


def test_a_supporting_mentor_joins_a_village_that_has_a_main_mentor(
    coordinator, mentoring, regions, budi
):
    assignment = assign(coordinator, budi, regions.village_a, mentoring.programme, "supporting")

    assert assignment.role == "supporting"


def test_a_main_mentor_may_follow_one_whose_assignment_has_ended(
    coordinator, mentoring, regions, budi
):
    end_assignment(
        assignment=mentoring.assignment, ends_on=datetime.date(2025, 12, 31), actor=coordinator
    )

    assert assign(coordinator, budi, regions.village_a, mentoring.programme).pk
    # But not one whose period would reach back into the first mentor's.
    other = VolunteerFactory(district=regions.district)
    with pytest.raises(ValidationError):
        assign(
            coordinator,
            other,
            regions.village_a,
            mentoring.programme,
            starts_on=datetime.date(2025, 6, 1),
            ends_on=datetime.date(2025, 7, 1),
        )


def test_an_assignment_cannot_end_before_it_starts(coordinator, mentoring, regions, budi):
    with pytest.raises(ValidationError) as error:
        assign(
            coordinator,
            budi,
            regions.village_a2,
            mentoring.programme,
            ends_on=START - datetime.timedelta(days=1),
        )

    assert list(error.value.message_dict) == ["ends_on"]


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_only_roster_managers_of_the_villages_kecamatan_assign(
    request, mentoring, regions, budi, persona
):
    with pytest.raises(PermissionDenied):
        assign(request.getfixturevalue(persona), budi, regions.village_a2, mentoring.programme)


@pytest.mark.django_db(transaction=True)
def test_two_officials_assigning_a_main_mentor_at_once_cannot_both_win(
    official, coordinator, mentoring, regions, budi
):
    """The first assignment holds the enrolment's lock until it commits; the second waits for it
    and then sees the first's main mentor."""
    other = VolunteerFactory(district=regions.district)
    first_locked, first_may_commit = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                assign(official, budi, regions.village_a2, mentoring.programme)
                first_locked.set()
                first_may_commit.wait(10)
        finally:
            connection.close()

    def second():
        try:
            assign(coordinator, other, regions.village_a2, mentoring.programme)
            outcome["second"] = "assigned"
        except ValidationError as error:
            outcome["second"] = list(error.message_dict)
        finally:
            connection.close()

    first_thread = threading.Thread(target=first)
    first_thread.start()
    assert first_locked.wait(10)
    second_thread = threading.Thread(target=second)
    second_thread.start()
    second_thread.join(1)
    waited = second_thread.is_alive()
    first_may_commit.set()
    first_thread.join(10)
    second_thread.join(10)

    assert waited, "the second assignment did not wait for the first's lock"
    assert outcome["second"] == ["role"]
    assert Assignment.objects.filter(village=regions.village_a2).count() == 1


# Ending, and what an assignment opens


def test_an_assigned_volunteer_sees_the_village_and_loses_it_when_the_assignment_ends(
    coordinator, volunteer, mentoring, regions
):
    assert Village.objects.visible_to(volunteer).filter(pk=regions.village_a.pk).exists()

    end_assignment(
        assignment=mentoring.assignment,
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
        actor=coordinator,
    )

    # A fresh user object: the roles of the old one are cached for its request.
    fresh = User.objects.get(pk=volunteer.pk)
    assert not Village.objects.visible_to(fresh).filter(pk=regions.village_a.pk).exists()


def test_an_assignment_ending_today_still_counts_today(coordinator, mentoring, regions):
    assignment = end_assignment(
        assignment=mentoring.assignment, ends_on=timezone.localdate(), actor=coordinator
    )
    assert assignment.is_current()


def test_an_end_before_the_start_is_refused_naming_the_field(coordinator, mentoring):
    with pytest.raises(ValidationError) as error:
        end_assignment(
            assignment=mentoring.assignment, ends_on=datetime.date(2020, 1, 1), actor=coordinator
        )
    assert list(error.value.message_dict) == ["ends_on"]


def test_an_assignment_that_has_ended_cannot_be_ended_again(coordinator, mentoring):
    end_assignment(
        assignment=mentoring.assignment, ends_on=datetime.date(2025, 1, 1), actor=coordinator
    )
    with pytest.raises(ValidationError, match="already ended"):
        end_assignment(
            assignment=mentoring.assignment, ends_on=datetime.date(2025, 6, 1), actor=coordinator
        )


def test_a_secretary_may_not_end_an_assignment(secretary, mentoring):
    with pytest.raises(PermissionDenied):
        end_assignment(
            assignment=mentoring.assignment, ends_on=timezone.localdate(), actor=secretary
        )


# Villages without a main mentor


def test_an_active_pilot_village_without_a_main_mentor_is_flagged(official, mentoring, regions):
    # Village A has Sri as main mentor, B has Dewi; A2 has nobody.
    assert unmentored_names(official) == {"Kelurahan Dua"}


def test_a_village_is_flagged_once_its_main_mentor_leaves_or_becomes_inactive(
    official, coordinator, mentoring, regions
):
    end_assignment(
        assignment=mentoring.assignment, ends_on=datetime.date(2025, 1, 1), actor=coordinator
    )
    mentoring.far.status = "inactive"
    mentoring.far.save()

    # A's supporting mentor does not count as its main mentor.
    assert unmentored_names(official) == {"Jaten", "Kelurahan Dua", "Bakung"}


def test_only_active_enrolments_are_flagged(official, mentoring, regions):
    Enrolment.objects.filter(village=regions.village_a2).update(status="candidate")
    assert unmentored_names(official) == set()


def test_the_flag_is_scoped_and_filtered_by_programme(
    official, secretary, officer, mentoring, regions
):
    other = ProgrammeFactory(regency=regions.regency)
    EnrolmentFactory(programme=other, village=regions.village_b)

    assert unmentored_names(officer) == {"Kelurahan Dua"}
    assert unmentored_names(secretary) == set()
    assert unmentored_names(official) == {"Kelurahan Dua", "Bakung"}
    assert unmentored_names(official, programme=other) == {"Bakung"}


def test_the_flag_costs_one_query(official, mentoring, django_assert_num_queries):
    fresh = User.objects.get(pk=official.pk)  # no cached roles: one query for them
    with django_assert_num_queries(2):
        assert unmentored_names(fresh) == {"Kelurahan Dua"}


# Pages


ASSIGNMENTS_SEEN = {
    "official": {"Sri Wahyuni", "Agus Salim", "Dewi Lestari"},
    "officer": {"Sri Wahyuni", "Agus Salim"},
    "coordinator": {"Sri Wahyuni", "Agus Salim"},
    "secretary": {"Sri Wahyuni", "Agus Salim"},
    "volunteer": {"Sri Wahyuni"},
    "outsider": {"Dewi Lestari"},
}


@pytest.mark.parametrize("persona", list(ASSIGNMENTS_SEEN))
def test_the_assignment_page_lists_the_current_assignments_in_the_users_area(
    as_persona, mentoring, persona
):
    response = as_persona(persona).get(reverse("volunteers:assignment-list"))

    assert response.status_code == 200
    seen = {a.volunteer.full_name for a in response.context["assignments"]}
    assert seen == ASSIGNMENTS_SEEN[persona]


def test_the_assignment_page_flags_villages_without_a_main_mentor(as_persona, mentoring):
    response = as_persona("officer").get(reverse("volunteers:assignment-list"))

    assert [e.village.name for e in response.context["unmentored"]] == ["Kelurahan Dua"]
    html = response.content.decode()
    assert "?village=35.05.01.1001&amp;programme=" in html


def test_the_assignment_page_filters_by_programme(as_persona, mentoring, regions, budi):
    other = ProgrammeFactory(regency=regions.regency)
    AssignmentFactory(volunteer=budi, village=regions.village_a2, programme=other)

    response = as_persona("official").get(
        reverse("volunteers:assignment-list"), {"programme": other.pk}
    )

    assert [a.volunteer.full_name for a in response.context["assignments"]] == ["Budi Santoso"]


def test_a_coordinator_assigns_through_the_page(as_persona, mentoring, regions, budi):
    response = as_persona("coordinator").post(
        reverse("volunteers:assignment-create"),
        {
            "volunteer": budi.pk,
            "village": regions.village_a2.code,
            "programme": mentoring.programme.pk,
            "role": "main",
            "starts_on": "2026-01-05",
        },
    )

    assert response.status_code == 302
    assert Assignment.objects.get(volunteer=budi).village == regions.village_a2


def test_the_assign_page_shows_a_second_main_mentor_on_the_role_field(
    as_persona, mentoring, regions, budi
):
    response = as_persona("coordinator").post(
        reverse("volunteers:assignment-create"),
        {
            "volunteer": budi.pk,
            "village": regions.village_a.code,
            "programme": mentoring.programme.pk,
            "role": "main",
            "starts_on": "2026-01-05",
        },
    )

    assert response.status_code == 200
    assert "role" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_those_who_do_not_manage_a_roster_get_403_on_the_assign_page(
    as_persona, mentoring, persona
):
    assert as_persona(persona).get(reverse("volunteers:assignment-create")).status_code == 403


def test_an_assignment_is_ended_through_the_page(as_persona, mentoring):
    url = reverse("volunteers:assignment-end", args=[mentoring.assignment.pk])
    client = as_persona("coordinator")

    assert client.get(url).status_code == 405
    response = client.post(url, {"ends_on": "2026-02-01"})

    assert response.status_code == 302
    mentoring.assignment.refresh_from_db()
    assert mentoring.assignment.ends_on == datetime.date(2026, 2, 1)


@pytest.mark.parametrize(("persona", "expected"), [("secretary", 403), ("outsider", 404)])
def test_ending_an_assignment_through_the_page_is_refused_to_others(
    as_persona, mentoring, persona, expected
):
    url = reverse("volunteers:assignment-end", args=[mentoring.assignment.pk])

    assert as_persona(persona).post(url, {"ends_on": "2026-02-01"}).status_code == expected
    mentoring.assignment.refresh_from_db()
    assert mentoring.assignment.ends_on is None


# API


@pytest.mark.parametrize("persona", list(ASSIGNMENTS_SEEN))
def test_the_assignment_api_lists_the_assignments_in_the_users_area(api_as, mentoring, persona):
    rows = api_as(persona).get("/api/assignments/").json()["results"]

    assert {row["volunteer_name"] for row in rows} == ASSIGNMENTS_SEEN[persona]


def test_the_assignment_api_filters_current_village_and_volunteer(
    api_as, coordinator, mentoring, regions
):
    end_assignment(
        assignment=mentoring.other_assignment, ends_on=datetime.date(2025, 1, 1), actor=coordinator
    )
    api = api_as("official")

    current = api.get("/api/assignments/", {"current": "true"}).json()["results"]
    in_a = api.get("/api/assignments/", {"village": regions.village_a.code}).json()["results"]
    of_dewi = api.get("/api/assignments/", {"volunteer": mentoring.far.pk}).json()["results"]

    assert {row["volunteer_name"] for row in current} == {"Sri Wahyuni", "Dewi Lestari"}
    assert {row["volunteer_name"] for row in in_a} == {"Sri Wahyuni", "Agus Salim"}
    assert [row["village"] for row in of_dewi] == [regions.village_b.code]


def test_the_outsider_gets_404_on_a_wonodadi_assignment(api_as, mentoring):
    api = api_as("outsider")
    url = f"/api/assignments/{mentoring.assignment.pk}/"

    assert api.get(url).status_code == 404
    assert api.post(f"{url}end/", {}, format="json").status_code == 404


def test_the_api_assigns_and_ends(api_as, mentoring, regions, budi):
    api = api_as("coordinator")

    created = api.post(
        "/api/assignments/",
        {
            "volunteer": budi.pk,
            "village": regions.village_a2.code,
            "programme": mentoring.programme.pk,
            "starts_on": "2026-01-05",
        },
        format="json",
    )
    ended = api.post(
        f"/api/assignments/{created.json()['id']}/end/", {"ends_on": "2026-03-01"}, format="json"
    )

    assert created.status_code == 201
    assert created.json()["role"] == "main"
    assert ended.status_code == 200
    assert ended.json()["ends_on"] == "2026-03-01"


def test_the_api_refuses_a_second_main_mentor_naming_the_field(api_as, mentoring, regions, budi):
    response = api_as("coordinator").post(
        "/api/assignments/",
        {
            "volunteer": budi.pk,
            "village": regions.village_a.code,
            "programme": mentoring.programme.pk,
            "starts_on": "2026-01-05",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["role"]


def test_a_secretary_creating_an_assignment_gets_403(api_as, mentoring, regions, budi):
    response = api_as("secretary").post(
        "/api/assignments/",
        {
            "volunteer": mentoring.other.pk,
            "village": regions.village_a.code,
            "programme": mentoring.programme.pk,
            "role": "supporting",
            "starts_on": "2027-01-05",
        },
        format="json",
    )

    assert response.status_code == 403


def test_the_api_refuses_a_village_the_user_does_not_see_naming_the_field(
    api_as, mentoring, regions, budi
):
    response = api_as("coordinator").post(
        "/api/assignments/",
        {
            "volunteer": budi.pk,
            "village": regions.far_village.code,
            "programme": mentoring.programme.pk,
            "starts_on": "2026-01-05",
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["village"]


def test_the_api_lists_the_unmentored_villages(api_as, mentoring, regions):
    api = api_as("official")

    rows = api.get("/api/assignments/unmentored-villages/").json()
    filtered = api.get(
        "/api/assignments/unmentored-villages/", {"programme": mentoring.programme.pk}
    ).json()
    unknown = api.get("/api/assignments/unmentored-villages/", {"programme": 999999})

    assert [(row["village"], row["village_name"]) for row in rows] == [
        (regions.village_a2.code, "Kelurahan Dua")
    ]
    assert filtered == rows
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["programme"]
    assert api_as("secretary").get("/api/assignments/unmentored-villages/").json() == []


# Query budgets: the same for one row and for fifty


@pytest.fixture(params=[1, 50], ids=["one-row", "fifty-rows"])
def many_assignments(request, regions):
    """`param` enrolled villages of Wonodadi, each with a main mentor, and as many enrolled
    villages without one."""
    programme = ProgrammeFactory(regency=regions.regency)
    for number in range(request.param):
        mentored = VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
        unmentored = VillageFactory(code=f"35.05.01.{2300 + number}", district=regions.district)
        EnrolmentFactory(programme=programme, village=mentored)
        EnrolmentFactory(programme=programme, village=unmentored)
        AssignmentFactory(
            volunteer=VolunteerFactory(district=regions.district),
            village=mentored,
            programme=programme,
        )
    return request.param


def test_the_assignment_page_query_budget(
    client, coordinator, many_assignments, django_assert_max_num_queries
):
    client.force_login(coordinator)
    # session, user, roles, programme choices, count, page, unmentored villages, managed
    # kecamatan (the navigation reuses the cached roles)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("volunteers:assignment-list"))
    assert len(response.context["assignments"]) == many_assignments
    assert len(response.context["unmentored"]) == many_assignments


def test_the_assignment_api_query_budget(
    coordinator, many_assignments, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(coordinator)
    # roles, count, page with volunteers, villages and programmes
    with django_assert_max_num_queries(3):
        response = api.get("/api/assignments/")
    assert len(response.json()["results"]) == many_assignments


def test_the_unmentored_villages_api_query_budget(
    coordinator, many_assignments, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(coordinator)
    # roles, villages
    with django_assert_max_num_queries(2):
        response = api.get("/api/assignments/unmentored-villages/")
    assert len(response.json()) == many_assignments
