"""Shared fixtures: a small region tree and one persona per role.

Blitar (35.05) holds kecamatan Wonodadi (35.05.01: villages A and A2) and Udanawu (35.05.02:
village B); Kediri (35.06) is another regency of the same province.
"""

import os
from types import SimpleNamespace

import pytest

from tests.factories import (
    AssignmentFactory,
    DistrictFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    ProvinceFactory,
    RegencyFactory,
    UserFactory,
    VillageFactory,
    VolunteerFactory,
    grant,
)
from villages.models import Role


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per run, so that runs side by side on one server (a developer and CI,
    two checkouts) never create or drop each other's database."""
    from django.conf import settings

    # Django has filled in TEST["NAME"] = None by now, so `setdefault` would not do.
    test = settings.DATABASES["default"].setdefault("TEST", {})
    if not test.get("NAME"):
        test["NAME"] = f"test_portal_{os.getpid()}"


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Production's PBKDF2 costs ~0.2 s a hash; tests hash passwords for every persona.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    jatim = ProvinceFactory(code="35", name="JAWA TIMUR")
    blitar = RegencyFactory(code="35.05", name="KABUPATEN BLITAR", province=jatim)
    kediri = RegencyFactory(code="35.06", name="KABUPATEN KEDIRI", province=jatim)
    wonodadi = DistrictFactory(code="35.05.01", name="Wonodadi", regency=blitar)
    udanawu = DistrictFactory(code="35.05.02", name="Udanawu", regency=blitar)
    mojo = DistrictFactory(code="35.06.01", name="Mojo", regency=kediri)
    return SimpleNamespace(
        province=jatim,
        regency=blitar,
        other_regency=kediri,
        district=wonodadi,
        other_district=udanawu,
        far_district=mojo,
        village_a=VillageFactory(code="35.05.01.2001", name="Jaten", district=wonodadi),
        village_a2=VillageFactory(code="35.05.01.1001", name="Kelurahan Dua", district=wonodadi),
        village_b=VillageFactory(code="35.05.02.2001", name="Bakung", district=udanawu),
        far_village=VillageFactory(code="35.06.01.2001", name="Mojo", district=mojo),
    )


@pytest.fixture
def as_persona(client, request):
    """`as_persona("secretary")`: the test client signed in as that persona's user."""

    def log_in(persona):
        client.force_login(request.getfixturevalue(persona))
        return client

    return log_in


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def official(regions):
    """A Dinas Kominfo official of Kabupaten Blitar."""
    user = UserFactory(username="official")
    grant(user, Role.DISTRICT_OFFICIAL, regions.regency)
    return user


@pytest.fixture
def officer(regions):
    """The kecamatan officer of Wonodadi."""
    user = UserFactory(username="officer")
    grant(user, Role.KECAMATAN_OFFICER, regions.district)
    return user


@pytest.fixture
def secretary(regions):
    """The village secretary of village A (Jaten, Wonodadi)."""
    user = UserFactory(username="secretary")
    grant(user, Role.VILLAGE_SECRETARY, regions.village_a)
    return user


@pytest.fixture
def volunteer(regions):
    user = UserFactory(username="volunteer")
    grant(user, Role.VOLUNTEER)
    return user


@pytest.fixture
def coordinator(regions):
    """The volunteer coordinator (Relawan TIK komisariat) of Wonodadi."""
    user = UserFactory(username="coordinator")
    grant(user, Role.VOLUNTEER_COORDINATOR, regions.district)
    return user


@pytest.fixture
def mentoring(regions, volunteer):
    """The `volunteer` persona's roster record (based in Wonodadi), main mentor of village A in a
    Blitar programme; a second volunteer with a login mentors the same village, and a third is
    based in Udanawu, mentoring village B."""
    programme = ProgrammeFactory(
        name="Pandu Digital 2021", slug="pandu-2021", regency=regions.regency
    )
    for village in (regions.village_a, regions.village_a2, regions.village_b):
        EnrolmentFactory(programme=programme, village=village)
    record = VolunteerFactory(full_name="Sri Wahyuni", user=volunteer, district=regions.district)
    other_user = UserFactory(username="volunteer2")
    grant(other_user, Role.VOLUNTEER)
    other = VolunteerFactory(full_name="Agus Salim", user=other_user, district=regions.district)
    far_user = UserFactory(username="volunteer3")
    grant(far_user, Role.VOLUNTEER)
    far = VolunteerFactory(full_name="Dewi Lestari", user=far_user, district=regions.other_district)
    return SimpleNamespace(
        programme=programme,
        volunteer=record,
        assignment=AssignmentFactory(
            volunteer=record, village=regions.village_a, programme=programme
        ),
        other=other,
        other_assignment=AssignmentFactory(
            volunteer=other, village=regions.village_a, programme=programme, role="supporting"
        ),
        far=far,
        far_assignment=AssignmentFactory(
            volunteer=far, village=regions.village_b, programme=programme
        ),
    )


@pytest.fixture
def outsider(regions):
    """The secretary of village B (Bakung, Udanawu): same regency, another kecamatan."""
    user = UserFactory(username="outsider")
    grant(user, Role.VILLAGE_SECRETARY, regions.village_b)
    return user
