"""Village profiles and IDM: who may change them, what the history keeps, how status is set."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import IdmScoreFactory, UserFactory, VillageProfileFactory, grant
from villages.actions.profiles import record_idm_score, update_village_profile
from villages.models import IdmScore, IdmStatus, Role, VillageProfile
from villages.permissions import can_edit_village_profile

PERSONAS = ["official", "officer", "secretary", "volunteer", "outsider", "admin_user"]
# Village A (Jaten, Wonodadi): who sees its pages, and who may change its profile.
SEES_A = {"official", "officer", "secretary", "admin_user"}
EDITS_A = {"official", "officer", "secretary", "admin_user"}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def persona(request):
    return lambda name: request.getfixturevalue(name)


def profile_url(village):
    return reverse("villages:village-profile-update", args=[village.code])


def detail_url(village):
    return reverse("villages:village-detail", args=[village.code])


# Permissions


@pytest.mark.parametrize("name", PERSONAS)
def test_only_the_villages_secretary_officer_official_and_administrators_may_edit_its_profile(
    persona, regions, name
):
    assert can_edit_village_profile(persona(name), regions.village_a) == (name in EDITS_A)


def test_an_officer_may_not_edit_a_village_of_another_kecamatan(officer, regions):
    assert not can_edit_village_profile(officer, regions.village_b)


def test_an_official_may_not_edit_a_village_of_another_regency(official, regions):
    assert not can_edit_village_profile(official, regions.far_village)


def test_a_volunteer_role_never_gives_edit_rights_even_alongside_another_role(regions):
    user = UserFactory()
    grant(user, Role.VOLUNTEER)
    assert not can_edit_village_profile(user, regions.village_a)
    grant(user, Role.VILLAGE_SECRETARY, regions.village_b)
    user = type(user).objects.get(pk=user.pk)
    assert not can_edit_village_profile(user, regions.village_a)
    assert can_edit_village_profile(user, regions.village_b)


def test_an_inactive_official_may_edit_nothing(official, regions):
    official.is_active = False
    assert not can_edit_village_profile(official, regions.village_a)


# The profile action


def test_updating_a_profile_creates_it_and_records_who_changed_it(secretary, regions):
    profile = update_village_profile(
        village=regions.village_a, actor=secretary, population=4100, connectivity="4g"
    )
    assert profile.population == 4100
    assert profile.updated_by == secretary
    record = profile.history.latest()
    assert record.history_user == secretary
    assert record.history_type == "+"


def test_an_update_saves_only_the_changed_fields_and_adds_one_history_record(
    officer, secretary, regions
):
    VillageProfileFactory(village=regions.village_a, population=100, households=30)
    update_village_profile(village=regions.village_a, actor=officer, population=120, households=30)
    profile = VillageProfile.objects.get(village=regions.village_a)
    assert (profile.population, profile.households, profile.updated_by) == (120, 30, officer)
    latest, previous = profile.history.all()[:2]
    assert latest.history_user == officer
    assert [change.field for change in latest.diff_against(previous).changes] == [
        "population",
        "updated_by",
    ]


def test_an_update_that_changes_nothing_writes_nothing(secretary, regions):
    update_village_profile(village=regions.village_a, actor=secretary, population=100)
    update_village_profile(village=regions.village_a, actor=secretary, population=100)
    assert VillageProfile.history.filter(village_id=regions.village_a.pk).count() == 1


@pytest.mark.parametrize("name", ["volunteer", "outsider"])
def test_those_who_may_not_edit_are_refused_and_nothing_is_written(persona, regions, name):
    with pytest.raises(PermissionDenied):
        update_village_profile(village=regions.village_a, actor=persona(name), population=1)
    assert not VillageProfile.objects.filter(village=regions.village_a).exists()


def test_more_umkm_online_than_umkm_is_refused_on_the_online_count(secretary, regions):
    with pytest.raises(ValidationError) as raised:
        update_village_profile(
            village=regions.village_a, actor=secretary, umkm_count=5, umkm_online_count=6
        )
    assert list(raised.value.message_dict) == ["umkm_online_count"]
    assert not VillageProfile.objects.exists()


def test_a_bad_url_or_an_unknown_field_is_refused(secretary, regions):
    with pytest.raises(ValidationError) as raised:
        update_village_profile(village=regions.village_a, actor=secretary, website="not a url")
    assert "website" in raised.value.message_dict
    with pytest.raises(ValidationError):
        update_village_profile(village=regions.village_a, actor=secretary, updated_at=None)


# IDM status comes from the bands


@pytest.mark.parametrize(
    ("score", "status"),
    [
        ("0.4907", "Sangat Tertinggal"),
        ("0.4908", "Tertinggal"),
        ("0.5989", "Tertinggal"),
        ("0.7072", "Berkembang"),
        ("0.8155", "Maju"),
        ("0.8156", "Mandiri"),
        ("1", "Mandiri"),
        ("0", "Sangat Tertinggal"),
    ],
)
def test_an_idm_scores_status_is_the_band_it_falls_in(secretary, regions, score, status):
    idm_score = record_idm_score(village=regions.village_a, year=2024, score=score, actor=secretary)
    assert idm_score.status_name == status


def test_moving_a_bands_upper_bound_changes_the_status_of_existing_scores(secretary, regions):
    record_idm_score(village=regions.village_a, year=2024, score="0.5000", actor=secretary)
    assert IdmScore.objects.with_status().get().status_code == "tertinggal"
    IdmStatus.objects.filter(code="sangat_tertinggal").update(max_score=Decimal("0.5000"))
    assert IdmScore.objects.with_status().get().status_code == "sangat_tertinggal"


def test_recording_a_years_score_again_replaces_it(official, regions):
    record_idm_score(village=regions.village_a, year=2023, score="0.6", actor=official)
    record_idm_score(village=regions.village_a, year=2023, score="0.7", actor=official)
    assert list(IdmScore.objects.values_list("year", "score")) == [(2023, Decimal("0.7000"))]


@pytest.mark.parametrize(("year", "score"), [(2024, "1.0001"), (2024, "-0.1"), (2014, "0.5")])
def test_an_idm_score_outside_0_to_1_or_before_2015_is_refused(secretary, regions, year, score):
    with pytest.raises(ValidationError):
        record_idm_score(village=regions.village_a, year=year, score=score, actor=secretary)
    assert not IdmScore.objects.exists()


def test_the_outsider_may_not_record_village_as_idm_score(outsider, regions):
    with pytest.raises(PermissionDenied):
        record_idm_score(village=regions.village_a, year=2024, score="0.5", actor=outsider)


# The village page


@pytest.mark.parametrize("name", PERSONAS)
def test_the_village_page_opens_for_those_who_see_the_village_and_is_404_otherwise(
    client, persona, regions, name
):
    client.force_login(persona(name))
    response = client.get(detail_url(regions.village_a))
    assert response.status_code == (200 if name in SEES_A else 404)


def test_the_village_page_shows_the_profile_idm_history_and_an_edit_button(
    client, secretary, regions
):
    VillageProfileFactory(
        village=regions.village_a,
        population=4321,
        umkm_count=12,
        umkm_online_count=5,
        instagram="https://instagram.com/desajaten",
    )
    IdmScoreFactory(village=regions.village_a, year=2023, score="0.5500")
    IdmScoreFactory(village=regions.village_a, year=2024, score="0.8200")
    client.force_login(secretary)
    html = client.get(detail_url(regions.village_a)).content.decode()
    assert "4321" in html
    assert "https://instagram.com/desajaten" in html
    assert "12 (5 berjualan daring)" in html
    assert html.index("2024") < html.index("2023")
    assert "Mandiri" in html
    assert "Tertinggal" in html
    assert f'href="{profile_url(regions.village_a)}"' in html
    assert "Ubah profil" in html


def test_contact_phones_are_shown_to_those_who_may_edit(client, secretary, regions):
    VillageProfileFactory(village=regions.village_a, head_phone="081299990000")
    client.force_login(secretary)
    assert "081299990000" in client.get(detail_url(regions.village_a)).content.decode()


def test_contact_phones_and_the_edit_button_are_hidden_from_a_viewer_who_may_not_edit(
    client, secretary, regions, monkeypatch
):
    # No role sees a village without editing it today; the page must still hide personal data.
    VillageProfileFactory(village=regions.village_a, head_phone="081299990000", population=4321)
    monkeypatch.setattr("villages.views.can_edit_village_profile", lambda user, village: False)
    client.force_login(secretary)
    html = client.get(detail_url(regions.village_a)).content.decode()
    assert "4321" in html
    assert "081299990000" not in html
    assert profile_url(regions.village_a) not in html


def test_the_page_lists_who_changed_which_fields_and_when(client, officer, secretary, regions):
    update_village_profile(village=regions.village_a, actor=secretary, population=100)
    update_village_profile(village=regions.village_a, actor=officer, population=150, tourism="Goa")
    client.force_login(secretary)
    response = client.get(detail_url(regions.village_a))
    changes = response.context["profile_changes"]
    assert [(change.user, change.created) for change in changes] == [
        (officer, False),
        (secretary, True),
    ]
    assert {(c.label, c.old, c.new) for c in changes[0].changes} == {
        ("penduduk", 100, 150),
        ("wisata", None, "Goa"),
    }
    html = response.content.decode()
    assert str(officer) in html
    assert "100 → 150" in html


def test_the_page_shows_only_the_last_ten_changes(client, secretary, regions):
    for population in range(1, 14):
        update_village_profile(village=regions.village_a, actor=secretary, population=population)
    client.force_login(secretary)
    changes = client.get(detail_url(regions.village_a)).context["profile_changes"]
    assert len(changes) == 10
    assert [change.changes[0].new for change in changes] == list(range(13, 3, -1))


def test_phone_changes_are_left_out_of_the_history_for_those_who_may_not_edit(secretary, regions):
    from villages.selectors.profiles import profile_changes

    update_village_profile(village=regions.village_a, actor=secretary, head_phone="0811 111 1111")
    update_village_profile(village=regions.village_a, actor=secretary, head_phone="0822 222 2222")
    shown = profile_changes(village=regions.village_a, show_contacts=True)
    hidden = profile_changes(village=regions.village_a, show_contacts=False)
    assert "+628222222222" in [field.new for field in shown[0].changes]
    assert all("+62" not in str(field.new) for change in hidden for field in change.changes)


@pytest.fixture
def without_other_sections(monkeypatch):
    """The map, programme and scorecard sections have budgets of their own (their selectors')."""
    monkeypatch.setattr("villages.views.village_map_context", lambda **kwargs: {})
    monkeypatch.setattr("villages.views.village_programme_context", lambda **kwargs: {})


@pytest.mark.parametrize("extra_changes", [1, 30])
def test_the_village_page_query_budget_does_not_grow_with_history_or_idm_rows(
    client,
    official,
    regions,
    extra_changes,
    without_other_sections,
    django_assert_max_num_queries,
):
    for number in range(extra_changes):
        update_village_profile(village=regions.village_a, actor=official, population=number + 1)
        IdmScoreFactory(village=regions.village_a, year=2015 + number, score="0.5")
    client.force_login(official)
    # session, user, scope, village with its areas and profile, editor roles, IDM history,
    # profile changes, navigation roles
    with django_assert_max_num_queries(8):
        response = client.get(detail_url(regions.village_a))
    assert len(response.context["profile_changes"]) == min(extra_changes, 10)
    assert len(response.context["idm_scores"]) == extra_changes


# The profile edit page


@pytest.mark.parametrize("name", PERSONAS)
def test_the_profile_page_opens_for_editors_and_is_404_for_those_who_cannot_see_the_village(
    client, persona, regions, name
):
    client.force_login(persona(name))
    response = client.get(profile_url(regions.village_a))
    assert response.status_code == (200 if name in EDITS_A else 404)


def test_the_profile_page_is_403_for_a_viewer_who_may_not_edit(
    client, secretary, regions, monkeypatch
):
    # No role sees a village without editing it today; the page still answers 403 for that case.
    monkeypatch.setattr("villages.views.can_edit_village_profile", lambda user, village: False)
    client.force_login(secretary)
    assert client.get(profile_url(regions.village_a)).status_code == 403
    assert client.post(profile_url(regions.village_a), {}).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in_from_the_profile_page(client, regions):
    response = client.get(profile_url(regions.village_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def profile_post(**values):
    data = {f"profile-{name}": value for name, value in values.items()}
    return data


def test_saving_the_profile_form_updates_the_profile_and_returns_to_the_village(
    client, officer, regions
):
    client.force_login(officer)
    response = client.post(
        profile_url(regions.village_a),
        profile_post(population="5000", connectivity="fibre", website="https://jaten.desa.id"),
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(regions.village_a)
    profile = VillageProfile.objects.get(village=regions.village_a)
    assert (profile.population, profile.connectivity, profile.updated_by) == (
        5000,
        "fibre",
        officer,
    )
    assert profile.history.latest().history_user == officer


def test_the_profile_form_explains_in_indonesian_that_umkm_online_exceeds_umkm(
    client, secretary, regions
):
    client.force_login(secretary)
    response = client.post(
        profile_url(regions.village_a), profile_post(umkm_count="3", umkm_online_count="4")
    )
    assert response.status_code == 400
    assert "UMKM yang berjualan daring tidak boleh melebihi jumlah UMKM." in (
        response.content.decode()
    )
    assert not VillageProfile.objects.exists()


def test_the_idm_form_on_the_profile_page_records_a_score(client, secretary, regions):
    client.force_login(secretary)
    response = client.post(
        profile_url(regions.village_a), {"idm-year": "2024", "idm-score": "0.61"}
    )
    assert response.status_code == 302
    assert IdmScore.objects.get(village=regions.village_a, year=2024).score == Decimal("0.6100")


def test_the_idm_form_refuses_a_score_above_1_in_indonesian(client, secretary, regions):
    client.force_login(secretary)
    response = client.post(profile_url(regions.village_a), {"idm-year": "2024", "idm-score": "1.5"})
    assert response.status_code == 400
    assert "lebih kecil dari atau sama dengan 1" in response.content.decode()
    assert not IdmScore.objects.exists()


# The profile API


@pytest.mark.parametrize("name", PERSONAS)
def test_the_profile_api_reads_for_those_who_see_the_village_and_is_404_otherwise(
    api, persona, regions, name
):
    VillageProfileFactory(village=regions.village_a, population=77)
    api.force_authenticate(persona(name))
    response = api.get(f"/api/villages/{regions.village_a.code}/profile/")
    assert response.status_code == (200 if name in SEES_A else 404)
    if response.status_code == 200:
        assert response.json()["population"] == 77
        assert response.json()["head_phone"] == "081234567890"


@pytest.mark.parametrize("name", PERSONAS)
def test_patching_the_profile_is_allowed_for_editors_and_404_outside(api, persona, regions, name):
    api.force_authenticate(persona(name))
    response = api.patch(
        f"/api/villages/{regions.village_a.code}/profile/", {"population": 900}, format="json"
    )
    assert response.status_code == (200 if name in EDITS_A else 404)
    if name in EDITS_A:
        assert response.json()["population"] == 900
        record = VillageProfile.history.get(village_id=regions.village_a.pk)
        assert record.history_user == persona(name)


def test_patching_the_profile_is_403_for_a_viewer_who_may_not_edit(
    api, secretary, regions, monkeypatch
):
    monkeypatch.setattr(
        "villages.actions.profiles.can_edit_village_profile", lambda user, village: False
    )
    api.force_authenticate(secretary)
    response = api.patch(
        f"/api/villages/{regions.village_a.code}/profile/", {"population": 1}, format="json"
    )
    assert response.status_code == 403
    assert not VillageProfile.objects.exists()


def test_the_profile_api_hides_contacts_from_a_viewer_who_may_not_edit(
    api, secretary, regions, monkeypatch
):
    VillageProfileFactory(village=regions.village_a)
    monkeypatch.setattr(
        "villages.api.profiles.can_edit_village_profile", lambda user, village: False
    )
    api.force_authenticate(secretary)
    data = api.get(f"/api/villages/{regions.village_a.code}/profile/").json()
    assert "head_phone" not in data
    assert data["population"] == 4200


def test_patching_more_umkm_online_than_umkm_is_a_400_on_that_field(api, secretary, regions):
    api.force_authenticate(secretary)
    response = api.patch(
        f"/api/villages/{regions.village_a.code}/profile/",
        {"umkm_count": 2, "umkm_online_count": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "umkm_online_count" in response.json()


# The IDM score API


@pytest.mark.parametrize("name", PERSONAS)
def test_idm_scores_are_listed_only_for_visible_villages(api, persona, regions, name):
    IdmScoreFactory(village=regions.village_a, year=2024, score="0.82")
    IdmScoreFactory(village=regions.village_b, year=2024, score="0.40")
    api.force_authenticate(persona(name))
    rows = api.get("/api/idm-scores/").json()["results"]
    expected = {"35.05.01.2001"} if name in SEES_A else set()
    if name in {"official", "admin_user", "outsider"}:
        expected.add("35.05.02.2001")
    assert {row["village"] for row in rows} == expected


def test_idm_scores_filter_by_village_and_year_and_carry_their_status(api, official, regions):
    IdmScoreFactory(village=regions.village_a, year=2023, score="0.45")
    IdmScoreFactory(village=regions.village_a, year=2024, score="0.82")
    IdmScoreFactory(village=regions.village_b, year=2024, score="0.60")
    api.force_authenticate(official)
    rows = api.get("/api/idm-scores/", {"village": "35.05.01.2001", "year": 2024}).json()
    assert [(r["year"], r["score"], r["status"]) for r in rows["results"]] == [
        (2024, "0.8200", "mandiri")
    ]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("secretary", 201),
        ("officer", 201),
        ("official", 201),
        ("admin_user", 201),
        ("outsider", 404),
        ("volunteer", 404),
    ],
)
def test_recording_an_idm_score_through_the_api(api, persona, regions, name, status):
    api.force_authenticate(persona(name))
    response = api.post(
        "/api/idm-scores/",
        {"village": regions.village_a.code, "year": 2024, "score": "0.4908"},
        format="json",
    )
    assert response.status_code == status
    if status == 201:
        assert response.json()["status"] == "tertinggal"
    assert IdmScore.objects.exists() == (status == 201)


def test_the_openapi_schema_describes_the_profile_and_idm_endpoints(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "patch" in schema["paths"]["/api/villages/{code}/profile/"]
    assert "post" in schema["paths"]["/api/idm-scores/"]
    assert "PatchedUpdateVillageProfileInput" in schema["components"]["schemas"]
    parameters = {p["name"] for p in schema["paths"]["/api/villages/"]["get"]["parameters"]}
    assert {"q", "programme", "enrolment_status", "idm_status", "connectivity"} <= parameters


@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "0812 3456 7890", "62 812 3456 7890", "+62 812-3456-7890"]
)
def test_contact_phones_are_stored_in_one_form_however_they_are_typed(secretary, regions, typed):
    profile = update_village_profile(village=regions.village_a, actor=secretary, head_phone=typed)
    assert profile.head_phone == "+6281234567890"


@pytest.mark.parametrize("typed", ["0811", "12345", "halo"])
def test_a_phone_that_is_not_one_is_refused_naming_the_field(secretary, regions, typed):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        update_village_profile(village=regions.village_a, actor=secretary, secretary_phone=typed)
    assert f"{typed} is not a valid phone number" in caught.value.message_dict["secretary_phone"][0]
    assert not VillageProfile.objects.exists()
