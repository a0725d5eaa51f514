"""The service catalogue: officials edit it, villages switch types on and off; its pages and API,
scoped per persona."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from services.actions.catalogue import (
    choose_village_services,
    save_service_type,
    set_village_service,
)
from services.catalogue import offered_service_types
from services.models import ServiceType, VillageService
from tests.factories import ServiceTypeFactory

SEEDED = 10  # the default catalogue of migration 0002

NEW_TYPE = {
    "code": "izin-keramaian",
    "name": "Surat Pengantar Izin Keramaian",
    "required_documents": "KTP-el\nSurat permohonan",
    "handling_level": "agency",
    "agency": "Polres Blitar",
    "sla_working_days": 5,
    "issues_letter": True,
    "letter_code": "331",
    "letter_title": "SURAT PENGANTAR",
    "letter_body": "Menerangkan bahwa {applicant_name} untuk keperluan {purpose}.",
    "is_active": True,
    "order": 20,
}
API_TYPE = {**NEW_TYPE, "required_documents": ["KTP-el", "Surat permohonan"]}


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


@pytest.fixture
def mentor_of_a(mentoring, volunteer):
    """A volunteer who sees village A through a mentoring assignment (but has no say in it)."""
    return volunteer


def service(code: str) -> ServiceType:
    return ServiceType.objects.get(code=code)


# Actions: editing the catalogue


def test_an_official_creates_a_service_type_and_changes_its_deadline(official):
    created = save_service_type(actor=official, **NEW_TYPE)
    changed = save_service_type(service_type=created, sla_working_days=7, actor=official)

    created.refresh_from_db()
    assert created.sla_working_days == 7 == changed.sla_working_days
    assert created.document_list == ["KTP-el", "Surat permohonan"]
    assert created.agency == "Polres Blitar"


def test_a_service_that_issues_letters_needs_a_letter_code(official):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        save_service_type(actor=official, **{**NEW_TYPE, "letter_code": " "})
    assert caught.value.message_dict["letter_code"] == [
        "A service that issues a letter needs its letter code."
    ]
    assert not ServiceType.objects.filter(code="izin-keramaian").exists()


def test_a_service_without_a_letter_needs_no_letter_code(official):
    created = save_service_type(
        actor=official, **{**NEW_TYPE, "issues_letter": False, "letter_code": ""}
    )
    assert created.pk is not None


@pytest.mark.parametrize("days", [0, None])
def test_the_deadline_is_at_least_one_working_day(official, days):
    domisili = service("domisili")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        save_service_type(service_type=domisili, sla_working_days=days, actor=official)
    assert caught.value.message_dict["sla_working_days"] == [
        "The deadline is at least one working day."
    ]
    domisili.refresh_from_db()
    assert domisili.sla_working_days == 2


def test_a_code_already_in_the_catalogue_is_refused_on_the_code_field(official):
    with pytest.raises(ValidationError) as caught:
        save_service_type(actor=official, **{**NEW_TYPE, "code": "domisili"})
    assert "code" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["secretary", "officer", "volunteer", "coordinator"])
def test_only_officials_edit_the_catalogue(db, request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        save_service_type(actor=user, **NEW_TYPE)
    with pytest.raises(PermissionDenied):
        save_service_type(service_type=service("usaha"), is_active=False, actor=user)
    assert service("usaha").is_active
    assert not ServiceType.objects.filter(code="izin-keramaian").exists()


# Actions: what a village offers


def test_a_village_switching_a_type_off_no_longer_offers_it(regions, secretary):
    usaha = service("usaha")
    assert usaha in offered_service_types(regions.village_a)  # no row: offered

    set_village_service(
        village=regions.village_a, service_type=usaha, is_offered=False, actor=secretary
    )

    assert usaha not in offered_service_types(regions.village_a)
    assert offered_service_types(regions.village_a).count() == SEEDED - 1
    assert usaha in offered_service_types(regions.village_b)  # another village's choice stands

    set_village_service(
        village=regions.village_a, service_type=usaha, is_offered=True, actor=secretary
    )
    assert usaha in offered_service_types(regions.village_a)
    assert VillageService.objects.filter(village=regions.village_a).count() == 1


def test_an_inactive_type_is_offered_nowhere(regions, official):
    save_service_type(service_type=service("pindah"), is_active=False, actor=official)
    assert service("pindah") not in offered_service_types(regions.village_a)
    assert service("pindah") not in offered_service_types("35.05.02.2001")


def test_an_official_of_the_regency_chooses_a_villages_services(regions, official):
    set_village_service(
        village=regions.village_b, service_type=service("usaha"), is_offered=False, actor=official
    )
    assert service("usaha") not in offered_service_types(regions.village_b)


@pytest.mark.parametrize("persona", ["officer", "outsider", "volunteer", "mentor_of_a"])
def test_others_may_not_choose_a_villages_services(request, regions, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        set_village_service(
            village=regions.village_a, service_type=service("usaha"), is_offered=False, actor=user
        )
    assert not VillageService.objects.exists()


def test_choosing_the_offered_types_switches_the_others_off(regions, secretary):
    keep = [service("domisili"), service("usaha")]

    changed = choose_village_services(village=regions.village_a, offered=keep, actor=secretary)

    assert len(changed) == SEEDED - 2
    assert set(offered_service_types(regions.village_a)) == set(keep)
    again = choose_village_services(village=regions.village_a, offered=keep, actor=secretary)
    assert again == []


# Pages


@pytest.mark.parametrize(
    ("persona", "can_edit"),
    [
        ("official", True),
        ("admin_user", True),
        ("officer", False),
        ("secretary", False),
        ("outsider", False),
        ("volunteer", False),
    ],
)
def test_the_catalogue_page_lists_every_type_and_offers_editing_to_officials(
    as_persona, regions, official, persona, can_edit
):
    inactive = save_service_type(service_type=service("pindah"), is_active=False, actor=official)
    response = as_persona(persona).get(reverse("services:service-type-list"))

    assert response.status_code == 200
    assert len(response.context["service_types"]) == SEEDED
    html = response.content.decode()
    assert "Surat Keterangan Pindah" in html
    edit_url = reverse("services:service-type-update", args=[inactive.pk])
    assert (edit_url in html) is can_edit
    assert (reverse("services:service-type-create") in html) is can_edit


def test_a_secretary_finds_the_link_to_their_villages_services(as_persona, regions):
    html = as_persona("secretary").get(reverse("services:service-type-list")).content.decode()
    assert reverse("services:village-services", args=["35.05.01.2001"]) in html


def test_the_catalogue_page_needs_a_login(client, regions):
    response = client.get(reverse("services:service-type-list"))
    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


def test_an_official_creates_a_service_type_from_the_page(as_persona, regions):
    response = as_persona("official").post(reverse("services:service-type-create"), NEW_TYPE)

    assert response.status_code == 302
    assert response["Location"] == reverse("services:service-type-list")
    assert service("izin-keramaian").agency == "Polres Blitar"


def test_an_official_edits_a_service_type_from_the_page(as_persona, regions):
    domisili = service("domisili")
    url = reverse("services:service-type-update", args=[domisili.pk])
    client = as_persona("official")
    form = client.get(url).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "sla_working_days": 4}
    data = {k: v for k, v in data.items() if v is not False}  # unticked boxes are not posted

    response = client.post(url, data)

    assert response.status_code == 302
    domisili.refresh_from_db()
    assert domisili.sla_working_days == 4
    assert domisili.issues_letter and domisili.is_active


def test_the_page_shows_a_missing_letter_code_on_its_field(as_persona, regions):
    response = as_persona("official").post(
        reverse("services:service-type-create"),
        {**NEW_TYPE, "letter_code": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["letter_code"] == [
        "A service that issues a letter needs its letter code."
    ]
    assert not ServiceType.objects.filter(code="izin-keramaian").exists()


@pytest.mark.parametrize("persona", ["secretary", "officer", "volunteer", "outsider"])
def test_only_officials_open_the_catalogue_forms(as_persona, regions, persona):
    client = as_persona(persona)
    update_url = reverse("services:service-type-update", args=[service("usaha").pk])
    assert client.get(reverse("services:service-type-create")).status_code == 403
    assert client.get(update_url).status_code == 403
    assert client.post(reverse("services:service-type-create"), NEW_TYPE).status_code == 403
    assert not ServiceType.objects.filter(code="izin-keramaian").exists()


@pytest.mark.parametrize(
    ("persona", "expected", "can_choose"),
    [
        ("secretary", 200, True),
        ("official", 200, True),
        ("admin_user", 200, True),
        ("officer", 200, False),
        ("mentor_of_a", 200, False),
        ("outsider", 404, None),
        ("volunteer", 404, None),
    ],
)
def test_the_village_services_page_is_for_those_who_see_the_village(
    as_persona, regions, persona, expected, can_choose
):
    response = as_persona(persona).get(
        reverse("services:village-services", args=[regions.village_a.code])
    )
    assert response.status_code == expected
    if expected == 200:
        assert response.context["can_choose"] is can_choose
        assert (response.context["form"] is not None) is can_choose
        assert "Surat Keterangan Usaha (SKU)" in response.content.decode()


def test_the_secretary_switches_a_type_off_on_the_village_services_page(as_persona, regions):
    client = as_persona("secretary")
    url = reverse("services:village-services", args=[regions.village_a.code])
    offered = [t.pk for t in ServiceType.objects.exclude(code="usaha")]

    response = client.post(url, {"offered": offered})

    assert response.status_code == 302
    assert service("usaha") not in offered_service_types(regions.village_a)
    page = client.get(url)
    assert service("usaha").pk not in page.context["form"].fields["offered"].initial


def test_unticking_every_box_switches_every_type_off(as_persona, regions):
    url = reverse("services:village-services", args=[regions.village_a.code])
    assert as_persona("secretary").post(url, {}).status_code == 302
    assert not offered_service_types(regions.village_a).exists()


@pytest.mark.parametrize(("persona", "expected"), [("officer", 403), ("outsider", 404)])
def test_others_cannot_save_a_villages_services(as_persona, regions, persona, expected):
    url = reverse("services:village-services", args=[regions.village_a.code])
    assert as_persona(persona).post(url, {"offered": []}).status_code == expected
    assert offered_service_types(regions.village_a).count() == SEEDED


# API


@pytest.mark.parametrize("persona", ["official", "officer", "secretary", "outsider", "volunteer"])
def test_every_signed_in_user_reads_the_catalogue(api_as, regions, persona):
    api = api_as(persona)
    listing = api.get("/api/service-types/").json()
    one = api.get(f"/api/service-types/{service('domisili').pk}/").json()

    assert listing["count"] == SEEDED
    assert one["code"] == "domisili"
    assert one["required_documents"] == [
        "KTP-el pemohon",
        "Kartu Keluarga",
        "Surat pengantar RT/RW",
    ]


def test_the_catalogue_api_needs_a_login(regions):
    assert APIClient().get("/api/service-types/").status_code == 401


def test_the_catalogue_api_filters_active_types(api_as, regions, official):
    save_service_type(service_type=service("pindah"), is_active=False, actor=official)
    api = api_as("secretary")

    inactive = api.get("/api/service-types/?active=false").json()["results"]
    active = api.get("/api/service-types/?active=true").json()

    assert [row["code"] for row in inactive] == ["pindah"]
    assert active["count"] == SEEDED - 1


def test_the_catalogue_api_lists_what_a_visible_village_offers(api_as, regions, secretary):
    set_village_service(
        village=regions.village_a, service_type=service("usaha"), is_offered=False, actor=secretary
    )

    def codes(persona):
        rows = api_as(persona).get("/api/service-types/?village=35.05.01.2001").json()["results"]
        return {row["code"] for row in rows}

    assert len(codes("secretary")) == SEEDED - 1
    assert "usaha" not in codes("official")
    assert codes("outsider") == set()  # not their village: nothing, not even that it exists
    assert codes("volunteer") == set()


def test_an_official_creates_and_updates_a_type_through_the_api(api_as, regions):
    api = api_as("official")
    body = {**API_TYPE, "required_documents": ["KTP-el", " ", "Surat permohonan"]}

    created = api.post("/api/service-types/", body, format="json")
    changed = api.patch(
        f"/api/service-types/{created.json()['id']}/", {"sla_working_days": 6}, format="json"
    )

    assert created.status_code == 201, created.json()
    assert created.json()["required_documents"] == ["KTP-el", "Surat permohonan"]
    assert changed.status_code == 200
    assert changed.json()["sla_working_days"] == 6
    assert changed.json()["name"] == "Surat Pengantar Izin Keramaian"


def test_the_api_refuses_a_letter_service_without_a_code_naming_the_field(api_as, regions):
    response = api_as("official").post(
        "/api/service-types/",
        {**API_TYPE, "letter_code": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["letter_code"] == [
        "A service that issues a letter needs its letter code."
    ]


@pytest.mark.parametrize("persona", ["secretary", "officer", "volunteer", "outsider"])
def test_only_officials_create_or_update_types_through_the_api(api_as, regions, persona):
    api = api_as(persona)
    usaha = service("usaha")

    created = api.post("/api/service-types/", API_TYPE, format="json")
    updated = api.patch(f"/api/service-types/{usaha.pk}/", {"is_active": False}, format="json")

    assert (created.status_code, updated.status_code) == (403, 403)
    assert service("usaha").is_active
    assert not ServiceType.objects.filter(code="izin-keramaian").exists()


@pytest.mark.parametrize(
    ("persona", "village", "expected"),
    [
        ("secretary", "35.05.01.2001", 200),
        ("official", "35.05.02.2001", 200),
        ("officer", "35.05.01.2001", 403),
        ("outsider", "35.05.01.2001", 404),
        ("volunteer", "35.05.01.2001", 404),
    ],
)
def test_the_village_setting_endpoint_is_scoped(api_as, regions, persona, village, expected):
    usaha = service("usaha")
    response = api_as(persona).post(
        f"/api/service-types/{usaha.pk}/village-setting/",
        {"village": village, "is_offered": False},
        format="json",
    )

    assert response.status_code == expected
    assert (usaha not in offered_service_types(village)) is (expected == 200)
    if expected == 200:
        assert response.json() == {
            "village": village,
            "service_type": usaha.pk,
            "is_offered": False,
        }


def test_the_openapi_schema_lists_the_catalogue_endpoints():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    for path in (
        "/api/service-types/",
        "/api/service-types/{id}/",
        "/api/service-types/{id}/village-setting/",
    ):
        assert path in schema["paths"]
    assert "patch" in schema["paths"]["/api/service-types/{id}/"]
    assert "put" not in schema["paths"]["/api/service-types/{id}/"]
    components = str(schema["components"])
    assert "SaveServiceTypeInput" in components
    assert "SetVillageServiceInput" in components


# Query budgets: the same at 1 and at 50 types


@pytest.fixture
def catalogue_of(db):
    def build(count):
        ServiceType.objects.all().delete()
        for number in range(count):
            ServiceTypeFactory(
                code=f"layanan-{number}",
                required_documents="KTP-el\nKartu Keluarga",
                is_active=number % 5 != 0,
            )

    return build


@pytest.mark.parametrize("count", [1, 50])
def test_the_catalogue_page_costs_the_same_queries_for_1_and_50_types(
    as_persona, regions, catalogue_of, django_assert_max_num_queries, count
):
    catalogue_of(count)
    client = as_persona("secretary")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("services:service-type-list"))
    assert len(response.context["service_types"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_the_village_services_page_costs_the_same_queries_for_1_and_50_types(
    as_persona, regions, catalogue_of, django_assert_max_num_queries, count
):
    catalogue_of(count)
    client = as_persona("secretary")
    url = reverse("services:village-services", args=[regions.village_a.code])
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_catalogue_api_costs_the_same_queries_for_1_and_50_types(
    api_as, regions, catalogue_of, django_assert_max_num_queries, count
):
    catalogue_of(count)
    api = api_as("secretary")
    with django_assert_max_num_queries(4):
        response = api.get("/api/service-types/")
    assert response.json()["count"] == count
    with django_assert_max_num_queries(5):
        offered = api.get("/api/service-types/?village=35.05.01.2001")
    assert offered.json()["count"] == len([n for n in range(count) if n % 5 != 0])
