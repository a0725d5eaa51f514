"""The roster: who sees which volunteers and their contacts (pages and API), the volunteer,
membership and login actions, and the query budgets of the roster lists."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.accounts.models import User
from tests.factories import (
    AssignmentFactory,
    CorpsFactory,
    MembershipFactory,
    ProgrammeFactory,
    VolunteerFactory,
)
from villages.models import Role, RoleAssignment
from volunteers.actions.roster import (
    create_volunteer,
    create_volunteer_login,
    remove_membership,
    save_membership,
    update_volunteer,
)
from volunteers.models import CorpsLevel, Membership, Volunteer


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever the .po files translate them to."""
    with translation.override("en"):
        yield


ALL = {"Sri Wahyuni", "Agus Salim", "Dewi Lestari", "Budi Santoso", "Komang Kediri"}
VISIBLE = {
    "official": {"Sri Wahyuni", "Agus Salim", "Dewi Lestari", "Budi Santoso"},
    "officer": {"Sri Wahyuni", "Agus Salim", "Budi Santoso"},
    "coordinator": {"Sri Wahyuni", "Agus Salim", "Budi Santoso"},
    # Only the volunteers assigned to village A, not Budi who is merely based in its kecamatan.
    "secretary": {"Sri Wahyuni", "Agus Salim"},
    "volunteer": {"Sri Wahyuni"},
    "outsider": {"Dewi Lestari"},
    "admin_user": ALL,
}


@pytest.fixture
def roster(mentoring, regions):
    """The `mentoring` volunteers, plus Budi (Wonodadi, no assignment) and Komang (Kediri)."""
    return SimpleNamespace(
        sri=mentoring.volunteer,
        agus=mentoring.other,
        dewi=mentoring.far,
        budi=VolunteerFactory(full_name="Budi Santoso", district=regions.district),
        komang=VolunteerFactory(full_name="Komang Kediri", district=regions.far_district),
    )


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


def detail_url(volunteer):
    return reverse("volunteers:volunteer-detail", args=[volunteer.pk])


def api_url(volunteer):
    return f"/api/volunteers/{volunteer.pk}/"


# Who sees whom


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_roster_page_lists_the_volunteers_the_persona_may_see(as_persona, roster, persona):
    response = as_persona(persona).get(reverse("volunteers:volunteer-list"))

    assert response.status_code == 200
    assert {v.full_name for v in response.context["volunteers"]} == VISIBLE[persona]


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_the_volunteer_api_lists_the_volunteers_the_persona_may_see(api_as, roster, persona):
    response = api_as(persona).get("/api/volunteers/")

    assert response.status_code == 200
    assert {row["full_name"] for row in response.json()["results"]} == VISIBLE[persona]


@pytest.mark.parametrize("persona", list(VISIBLE))
def test_a_profile_opens_for_those_who_see_the_volunteer_and_is_404_for_the_others(
    as_persona, api_as, roster, persona
):
    for volunteer in (roster.sri, roster.dewi, roster.budi):
        expected = 200 if volunteer.full_name in VISIBLE[persona] else 404
        assert as_persona(persona).get(detail_url(volunteer)).status_code == expected
        assert api_as(persona).get(api_url(volunteer)).status_code == expected


def test_the_outsider_gets_404_on_a_wonodadi_volunteer_page_and_api(as_persona, api_as, roster):
    assert as_persona("outsider").get(detail_url(roster.sri)).status_code == 404
    assert api_as("outsider").get(api_url(roster.sri)).status_code == 404
    assert api_as("outsider").patch(api_url(roster.sri), {"skills": "x"}).status_code == 404


def test_a_volunteer_cannot_open_another_volunteers_profile(as_persona, roster):
    assert as_persona("volunteer").get(detail_url(roster.agus)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, roster):
    response = client.get(reverse("volunteers:volunteer-list"))
    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


def test_the_roster_filters_by_corps_kecamatan_and_search(as_persona, roster, regions):
    MembershipFactory(volunteer=roster.budi, corps=CorpsFactory(code="relawan-tik"))
    client = as_persona("official")
    url = reverse("volunteers:volunteer-list")

    by_corps = client.get(url, {"corps": "relawan-tik"}).context["volunteers"]
    by_district = client.get(url, {"district": regions.other_district.code}).context["volunteers"]
    by_name = client.get(url, {"q": "agus"}).context["volunteers"]

    assert [v.full_name for v in by_corps] == ["Budi Santoso"]
    assert [v.full_name for v in by_district] == ["Dewi Lestari"]
    assert [v.full_name for v in by_name] == ["Agus Salim"]


def test_the_kecamatan_filter_offers_only_the_users_kecamatan(as_persona, roster, regions):
    response = as_persona("officer").get(reverse("volunteers:volunteer-list"))

    choices = dict(response.context["filter"].form.fields["district"].choices)
    assert regions.district.code in choices
    assert regions.other_district.code not in choices
    assert regions.far_district.code not in choices


# Contacts


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("coordinator", True), ("volunteer", True), ("official", True), ("secretary", False)],
)
def test_contacts_on_a_profile_are_shown_only_to_the_volunteer_and_roster_managers(
    as_persona, api_as, roster, persona, shown
):
    html = as_persona(persona).get(detail_url(roster.sri)).content.decode()
    data = api_as(persona).get(api_url(roster.sri)).json()

    assert (roster.sri.whatsapp in html) is shown
    assert (roster.sri.email in html) is shown
    assert data["whatsapp"] == (roster.sri.whatsapp if shown else None)
    assert data["email"] == (roster.sri.email if shown else None)


def test_another_volunteer_never_gets_a_volunteers_contacts(api_as, roster):
    rows = api_as("volunteer").get("/api/volunteers/").json()["results"]

    assert [(row["full_name"], row["whatsapp"]) for row in rows] == [
        ("Sri Wahyuni", roster.sri.whatsapp)
    ]
    assert roster.agus.whatsapp not in str(rows)


def test_the_roster_shows_whatsapp_only_on_the_rows_whose_contacts_the_user_may_see(
    as_persona, api_as, roster, mentoring, regions
):
    # Dewi (based in Udanawu) also supports village A2 of Wonodadi: the officer sees her row
    # but does not look after her.
    AssignmentFactory(
        volunteer=roster.dewi,
        village=regions.village_a2,
        programme=mentoring.programme,
        role="supporting",
    )
    html = as_persona("officer").get(reverse("volunteers:volunteer-list")).content.decode()
    rows = {
        row["full_name"]: row["whatsapp"]
        for row in api_as("officer").get("/api/volunteers/").json()["results"]
    }

    assert "Dewi Lestari" in html
    assert roster.sri.whatsapp in html
    assert roster.dewi.whatsapp not in html
    assert rows["Sri Wahyuni"] == roster.sri.whatsapp
    assert rows["Dewi Lestari"] is None


# Creating and changing volunteers


def test_a_whatsapp_number_is_stored_as_e164(coordinator, regions):
    volunteer = create_volunteer(
        actor=coordinator,
        full_name="Rina Marlina",
        gender="female",
        district=regions.district,
        whatsapp="0812-3456-7890",
    )

    volunteer.refresh_from_db()
    assert volunteer.whatsapp == "+6281234567890"


def test_a_bad_whatsapp_number_is_refused_naming_the_field(coordinator, regions):
    with pytest.raises(ValidationError) as error:
        create_volunteer(
            actor=coordinator,
            full_name="Rina Marlina",
            gender="female",
            district=regions.district,
            whatsapp="12345",
        )

    assert list(error.value.message_dict) == ["whatsapp"]
    assert not Volunteer.objects.filter(full_name="Rina Marlina").exists()


def test_a_whatsapp_number_of_another_volunteer_is_refused_naming_the_field(
    coordinator, roster, regions
):
    with pytest.raises(ValidationError) as error:
        create_volunteer(
            actor=coordinator,
            full_name="Rina Marlina",
            gender="female",
            district=regions.district,
            whatsapp=roster.sri.whatsapp.replace("+62", "0"),
        )

    assert error.value.message_dict["whatsapp"] == ["Another volunteer has this WhatsApp number."]


def test_all_bad_fields_are_reported_at_once(coordinator, regions):
    with pytest.raises(ValidationError) as error:
        create_volunteer(
            actor=coordinator,
            full_name="",
            gender="other",
            district=regions.district,
            whatsapp="abc",
        )

    assert set(error.value.message_dict) == {"full_name", "gender", "whatsapp"}


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "outsider"])
def test_only_roster_managers_add_volunteers(request, regions, persona):
    with pytest.raises(PermissionDenied):
        create_volunteer(
            actor=request.getfixturevalue(persona),
            full_name="Rina Marlina",
            gender="female",
            district=regions.district,
        )


def test_a_coordinator_cannot_add_a_volunteer_to_another_kecamatan(coordinator, regions):
    with pytest.raises(PermissionDenied):
        create_volunteer(
            actor=coordinator,
            full_name="Rina Marlina",
            gender="female",
            district=regions.other_district,
        )


def test_moving_a_volunteer_to_another_kecamatan_needs_rights_over_both(
    officer, official, roster, regions
):
    with pytest.raises(PermissionDenied):
        update_volunteer(volunteer=roster.sri, actor=officer, district=regions.other_district)

    update_volunteer(volunteer=roster.sri, actor=official, district=regions.other_district)
    roster.sri.refresh_from_db()
    assert roster.sri.district_id == regions.other_district.code


def test_updating_a_volunteer_normalises_the_number_and_keeps_other_fields(coordinator, roster):
    update_volunteer(volunteer=roster.sri, actor=coordinator, whatsapp="62 813 1111 2222")

    roster.sri.refresh_from_db()
    assert roster.sri.whatsapp == "+6281311112222"
    assert roster.sri.full_name == "Sri Wahyuni"


def test_a_volunteer_cannot_leave_before_joining(coordinator, roster):
    with pytest.raises(ValidationError, match="leave before joining"):
        update_volunteer(volunteer=roster.sri, actor=coordinator, left_on=datetime.date(2020, 1, 1))


# Memberships


def test_a_membership_is_saved_once_per_corps_and_updated_in_place(coordinator, roster):
    pandu = CorpsFactory(code="pandu-digital")
    purwa, madya = CorpsLevel.objects.filter(corps=pandu).order_by("rank")[:2]

    first = save_membership(volunteer=roster.sri, corps=pandu, level=purwa, actor=coordinator)
    second = save_membership(volunteer=roster.sri, corps=pandu, level=madya, actor=coordinator)

    assert first.pk == second.pk
    assert Membership.objects.get(volunteer=roster.sri).level.name == madya.name


def test_a_level_of_another_corps_is_refused(coordinator, roster):
    pandu_level = CorpsLevel.objects.filter(corps__code="pandu-digital").first()

    with pytest.raises(ValidationError) as error:
        save_membership(
            volunteer=roster.sri,
            corps=CorpsFactory(code="relawan-tik"),
            level=pandu_level,
            actor=coordinator,
        )

    assert list(error.value.message_dict) == ["level"]
    assert not Membership.objects.filter(volunteer=roster.sri).exists()


def test_a_secretary_may_not_change_memberships(secretary, coordinator, roster):
    membership = MembershipFactory(volunteer=roster.sri)

    with pytest.raises(PermissionDenied):
        save_membership(volunteer=roster.sri, corps=membership.corps, actor=secretary)
    with pytest.raises(PermissionDenied):
        remove_membership(membership=membership, actor=secretary)
    remove_membership(membership=membership, actor=coordinator)
    assert not Membership.objects.filter(volunteer=roster.sri).exists()


# Logins


def test_a_volunteer_login_gets_the_volunteer_role_and_is_linked(coordinator, roster):
    user = create_volunteer_login(
        volunteer=roster.budi, username="budi", password="Kopi-Tubruk-2026", actor=coordinator
    )

    roster.budi.refresh_from_db()
    assert roster.budi.user == user
    assert user.check_password("Kopi-Tubruk-2026")
    assert RoleAssignment.objects.filter(user=user, role=Role.VOLUNTEER).exists()


def test_a_second_login_is_refused(coordinator, roster):
    with pytest.raises(ValidationError, match="already has a login"):
        create_volunteer_login(
            volunteer=roster.sri, username="sri2", password="Kopi-Tubruk-2026", actor=coordinator
        )


def test_a_weak_password_or_taken_username_is_refused_naming_the_field(coordinator, roster):
    with pytest.raises(ValidationError) as error:
        create_volunteer_login(
            volunteer=roster.budi, username="volunteer", password="12345678", actor=coordinator
        )

    assert set(error.value.message_dict) == {"username", "password"}
    assert not User.objects.filter(username="budi").exists()
    roster.budi.refresh_from_db()
    assert roster.budi.user is None


# Pages that write


def test_a_coordinator_adds_a_volunteer_through_the_page(as_persona, regions):
    response = as_persona("coordinator").post(
        reverse("volunteers:volunteer-create"),
        {
            "full_name": "Rina Marlina",
            "gender": "female",
            "district": regions.district.code,
            "whatsapp": "0812-3456-7890",
            "status": "active",
        },
    )

    volunteer = Volunteer.objects.get(full_name="Rina Marlina")
    assert response.status_code == 302
    assert response["Location"] == detail_url(volunteer)
    assert volunteer.whatsapp == "+6281234567890"


def test_the_add_page_shows_a_bad_number_next_to_its_field(as_persona, regions):
    response = as_persona("coordinator").post(
        reverse("volunteers:volunteer-create"),
        {
            "full_name": "Rina Marlina",
            "gender": "female",
            "district": regions.district.code,
            "whatsapp": "12345",
            "status": "active",
        },
    )

    assert response.status_code == 200
    assert "whatsapp" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["secretary", "volunteer"])
def test_those_who_see_but_do_not_manage_a_volunteer_get_403_on_the_forms(
    as_persona, roster, persona
):
    client = as_persona(persona)
    for name in ("volunteer-update", "membership-create", "volunteer-login"):
        assert client.get(reverse(f"volunteers:{name}", args=[roster.sri.pk])).status_code == 403
    assert client.get(reverse("volunteers:volunteer-create")).status_code == 403


def test_the_outsider_gets_404_on_the_forms_of_a_wonodadi_volunteer(as_persona, roster):
    client = as_persona("outsider")
    for name in ("volunteer-update", "membership-create", "volunteer-login"):
        assert client.get(reverse(f"volunteers:{name}", args=[roster.sri.pk])).status_code == 404


def test_an_officer_edits_a_volunteer_through_the_page(as_persona, roster, regions):
    response = as_persona("officer").post(
        reverse("volunteers:volunteer-update", args=[roster.budi.pk]),
        {
            "full_name": "Budi Santoso",
            "gender": "male",
            "district": regions.district.code,
            "whatsapp": "0813 2222 3333",
            "status": "inactive",
        },
    )

    assert response.status_code == 302
    roster.budi.refresh_from_db()
    assert (roster.budi.gender, roster.budi.status) == ("male", "inactive")
    assert roster.budi.whatsapp == "+6281322223333"


def test_a_membership_and_a_login_are_added_through_the_pages(as_persona, roster):
    client = as_persona("coordinator")
    madya = CorpsLevel.objects.get(corps__code="pandu-digital", name="Madya")

    membership = client.post(
        reverse("volunteers:membership-create", args=[roster.budi.pk]),
        {"corps": madya.corps_id, "level": madya.pk},
    )
    login = client.post(
        reverse("volunteers:volunteer-login", args=[roster.budi.pk]),
        {"username": "budi", "password": "Kopi-Tubruk-2026", "password_again": "Kopi-Tubruk-2026"},
    )

    assert membership.status_code == 302 and login.status_code == 302
    assert Membership.objects.get(volunteer=roster.budi).level == madya
    roster.budi.refresh_from_db()
    assert roster.budi.user.username == "budi"
    profile = client.get(detail_url(roster.budi)).content.decode()
    assert "Pandu Digital" in profile and "Madya" in profile


# API writes


def test_the_api_adds_a_volunteer_with_a_normalised_number(api_as, regions):
    response = api_as("coordinator").post(
        "/api/volunteers/",
        {
            "full_name": "Rina Marlina",
            "gender": "female",
            "district": regions.district.code,
            "whatsapp": "0812-3456-7890",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["whatsapp"] == "+6281234567890"
    assert response.json()["memberships"] == []


def test_the_api_refuses_a_bad_number_and_an_unseen_kecamatan_naming_the_fields(api_as, regions):
    api = api_as("coordinator")
    bad_number = api.post(
        "/api/volunteers/",
        {"full_name": "Rina", "gender": "female", "district": "35.05.01", "whatsapp": "1"},
        format="json",
    )
    far_district = api.post(
        "/api/volunteers/",
        {"full_name": "Rina", "gender": "female", "district": regions.far_district.code},
        format="json",
    )

    assert bad_number.status_code == 400
    assert list(bad_number.json()) == ["whatsapp"]
    assert far_district.status_code == 400
    assert list(far_district.json()) == ["district"]


def test_the_api_refuses_a_secretary_adding_or_changing_a_volunteer(api_as, roster, regions):
    api = api_as("secretary")
    created = api.post(
        "/api/volunteers/",
        {"full_name": "Rina", "gender": "female", "district": regions.village_a.district_id},
        format="json",
    )
    changed = api.patch(api_url(roster.sri), {"skills": "Canva"}, format="json")

    assert (created.status_code, changed.status_code) == (403, 403)


def test_the_api_changes_only_the_fields_sent(api_as, roster):
    response = api_as("official").patch(
        api_url(roster.sri), {"skills": "Canva, WordPress"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["skills"] == "Canva, WordPress"
    roster.sri.refresh_from_db()
    assert roster.sri.full_name == "Sri Wahyuni" and roster.sri.user is not None


def test_the_api_lists_memberships_with_corps_and_level(api_as, roster):
    madya = CorpsLevel.objects.get(corps__code="pandu-digital", name="Madya")
    MembershipFactory(volunteer=roster.sri, corps=madya.corps, level=madya)

    data = api_as("secretary").get(api_url(roster.sri)).json()

    assert [(m["corps"], m["level"]) for m in data["memberships"]] == [("pandu-digital", "Madya")]


def test_the_roster_endpoints_are_in_the_schema_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path in (
        "/api/volunteers/",
        "/api/volunteers/{id}/",
        "/api/assignments/",
        "/api/assignments/{id}/end/",
        "/api/assignments/unmentored-villages/",
    ):
        assert path in schema["paths"], path
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "roster" in m or "Assignment" in m or "Volunteer" in m] == []


# Query budgets: the same for one row and for fifty


@pytest.fixture(params=[1, 50], ids=["one-row", "fifty-rows"])
def many_volunteers(request, regions):
    """`param` volunteers of Wonodadi, each in two corps and mentoring village A."""
    programme = ProgrammeFactory(regency=regions.regency)
    pandu = CorpsFactory(code="pandu-digital")
    tik = CorpsFactory(code="relawan-tik")
    level = CorpsLevel.objects.filter(corps=pandu).first()
    for _number in range(request.param):
        volunteer = VolunteerFactory(district=regions.district)
        MembershipFactory(volunteer=volunteer, corps=pandu, level=level)
        MembershipFactory(volunteer=volunteer, corps=tik)
        AssignmentFactory(
            volunteer=volunteer, village=regions.village_a, programme=programme, role="supporting"
        )
    return request.param


def test_the_roster_page_query_budget(
    client, coordinator, many_volunteers, django_assert_max_num_queries
):
    client.force_login(coordinator)
    # session, user, roles, kecamatan choices, corps choices, count, page, memberships,
    # assignments, managed kecamatan (the navigation reuses the cached roles)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("volunteers:volunteer-list"))
    assert len(response.context["volunteers"]) == many_volunteers
    assert "Pandu Digital" in response.content.decode()


def test_the_volunteer_api_query_budget(
    coordinator, many_volunteers, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(coordinator)
    # roles, count, page, memberships with their corps and levels
    with django_assert_max_num_queries(4):
        response = api.get("/api/volunteers/")
    assert len(response.json()["results"]) == many_volunteers
