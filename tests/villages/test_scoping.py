"""`visible_to(user)` is the one door to regions: each role sees its area and the way up to it."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import AssignmentFactory, UserFactory, grant
from villages.models import District, Province, Regency, Role, RoleAssignment, Village


def codes(queryset):
    return set(queryset.values_list("code", flat=True))


def test_an_official_sees_every_village_of_their_regency_and_none_outside(official, regions):
    assert codes(Village.objects.visible_to(official)) == {
        "35.05.01.2001",
        "35.05.01.1001",
        "35.05.02.2001",
    }
    assert codes(District.objects.visible_to(official)) == {"35.05.01", "35.05.02"}
    assert codes(Regency.objects.visible_to(official)) == {"35.05"}
    assert codes(Province.objects.visible_to(official)) == {"35"}


def test_a_kecamatan_officer_sees_only_their_kecamatan(officer, regions):
    assert codes(Village.objects.visible_to(officer)) == {"35.05.01.2001", "35.05.01.1001"}
    assert codes(District.objects.visible_to(officer)) == {"35.05.01"}
    assert codes(Regency.objects.visible_to(officer)) == {"35.05"}


def test_a_secretary_sees_their_village_and_the_regions_above_it(secretary, regions):
    assert codes(Village.objects.visible_to(secretary)) == {"35.05.01.2001"}
    assert codes(District.objects.visible_to(secretary)) == {"35.05.01"}
    assert codes(Regency.objects.visible_to(secretary)) == {"35.05"}
    assert codes(Province.objects.visible_to(secretary)) == {"35"}


def test_the_outsider_does_not_see_village_a_or_its_kecamatan(outsider, regions):
    assert codes(Village.objects.visible_to(outsider)) == {"35.05.02.2001"}
    assert codes(District.objects.visible_to(outsider)) == {"35.05.02"}


def test_a_volunteer_without_assignments_sees_no_region(volunteer, regions):
    assert not Village.objects.visible_to(volunteer).exists()
    assert not Province.objects.visible_to(volunteer).exists()


def test_a_volunteer_sees_the_villages_they_currently_mentor_and_the_way_up(
    volunteer, mentoring, regions
):
    assert codes(Village.objects.visible_to(volunteer)) == {"35.05.01.2001"}
    assert codes(District.objects.visible_to(volunteer)) == {"35.05.01"}
    assert codes(Province.objects.visible_to(volunteer)) == {"35"}


def test_a_volunteer_loses_a_village_when_the_assignment_ends_or_has_not_started(
    volunteer, mentoring, regions
):
    mentoring.assignment.ends_on = datetime.date(2022, 1, 1)
    mentoring.assignment.save()
    AssignmentFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a2,
        programme=mentoring.programme,
        starts_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert not Village.objects.visible_to(volunteer).exists()


def test_an_inactive_volunteer_sees_no_village(volunteer, mentoring):
    mentoring.volunteer.status = "inactive"
    mentoring.volunteer.save()
    assert not Village.objects.visible_to(volunteer).exists()


def test_a_volunteer_coordinator_sees_their_kecamatan(coordinator, regions):
    assert codes(Village.objects.visible_to(coordinator)) == {"35.05.01.2001", "35.05.01.1001"}
    assert codes(District.objects.visible_to(coordinator)) == {"35.05.01"}


def test_an_administrator_sees_every_region(admin_user, regions):
    assert Village.objects.visible_to(admin_user).count() == Village.objects.count() == 4


def test_anonymous_and_inactive_users_see_nothing(official, regions):
    assert not Village.objects.visible_to(AnonymousUser()).exists()
    official.is_active = False
    official.save()
    official.refresh_from_db()
    assert not Village.objects.visible_to(official).exists()


def test_roles_add_up_for_a_user_holding_several(secretary, regions):
    grant(secretary, Role.KECAMATAN_OFFICER, regions.far_district)
    secretary.refresh_from_db()
    assert codes(Village.objects.visible_to(secretary)) == {"35.05.01.2001", "35.06.01.2001"}


def test_a_code_prefix_does_not_leak_into_a_sibling_area(regions):
    """`35.05.1` must not match `35.05.10`: scoping compares whole code parts."""
    sibling = District.objects.create(code="35.05.10", name="Kanigoro", regency=regions.regency)
    Village.objects.create(code="35.05.10.2001", name="Gaprang", district=sibling)
    user = UserFactory()
    grant(user, Role.KECAMATAN_OFFICER, regions.district)  # 35.05.01
    assert "35.05.10.2001" not in codes(Village.objects.visible_to(user))


@pytest.mark.parametrize(
    ("role", "area_name"),
    [
        (Role.DISTRICT_OFFICIAL, "district"),
        (Role.KECAMATAN_OFFICER, "village"),
        (Role.VILLAGE_SECRETARY, "regency"),
        (Role.VOLUNTEER, "village"),
        (Role.VOLUNTEER_COORDINATOR, "regency"),
    ],
)
def test_a_role_pointing_at_the_wrong_kind_of_area_is_refused(regions, role, area_name):
    area = {"regency": regions.regency, "district": regions.district, "village": regions.village_a}[
        area_name
    ]
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=UserFactory(), role=role, **{area_name: area})


def test_the_same_role_over_the_same_area_is_held_once(secretary, regions):
    with pytest.raises(IntegrityError):
        grant(secretary, Role.VILLAGE_SECRETARY, regions.village_a)
