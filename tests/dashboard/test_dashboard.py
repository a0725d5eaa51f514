"""The dashboard pages and API: who sees which area, every KPI counted within it, filters, the
attention list, and a fixed number of queries whatever the data size."""

import datetime

import pytest
from django.urls import reverse

from portal.dashboard.actions import bump_cache_versions, rebuild_rollups
from portal.dashboard.models import EnrolmentSnapshot
from tests.dashboard.conftest import ONE_VILLAGE, ONE_VILLAGE_RATES, activity, today
from tests.factories import (
    MilestoneFactory,
    ProgrammeFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
API = reverse("api:dashboard")


def kpis_of(client, url=API, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["kpis"]


# Scoping of every number


def test_a_kecamatan_officers_kpis_count_only_their_kecamatan(three_areas, as_persona):
    kpis = kpis_of(as_persona("officer"))
    assert {name: kpis[name] for name in ONE_VILLAGE} == ONE_VILLAGE
    assert {name: kpis[name] for name in ONE_VILLAGE_RATES} == ONE_VILLAGE_RATES


def test_an_officials_kpis_count_their_regency_and_not_the_next_one(three_areas, as_persona):
    kpis = kpis_of(as_persona("official"))
    assert {name: kpis[name] for name in ONE_VILLAGE} == {
        name: 2 * value for name, value in ONE_VILLAGE.items()
    }
    assert {name: kpis[name] for name in ONE_VILLAGE_RATES} == ONE_VILLAGE_RATES


def test_an_administrator_sees_the_whole_country(three_areas, as_persona):
    kpis = kpis_of(as_persona("admin_user"))
    assert kpis["requests_filed"] == 3 * ONE_VILLAGE["requests_filed"]
    assert kpis["visits"] == 3 * ONE_VILLAGE["visits"]


def test_the_page_shows_the_same_figures_as_the_api(three_areas, as_persona):
    client = as_persona("officer")
    response = client.get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-kpi="requests_filed">4<' in page
    assert 'data-kpi="visits">2<' in page
    assert 'data-kpi="requests_overdue">1<' in page
    assert "Bakung" not in page  # village B, in the other kecamatan
    assert reverse("dashboard:village", args=["35.05.01.2001"]) in page


def test_the_official_drills_down_to_a_kecamatan_and_a_village(three_areas, as_persona, regions):
    client = as_persona("official")
    district = client.get(reverse("dashboard:district", args=[regions.district.code]))
    village = client.get(reverse("dashboard:village", args=[regions.village_b.code]))
    assert district.status_code == village.status_code == 200
    assert 'data-kpi="requests_filed">4<' in district.content.decode()
    assert 'data-kpi="requests_filed">4<' in village.content.decode()
    assert "<h1>Bakung</h1>" in village.content.decode()


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("outsider", reverse("dashboard:district", args=["35.05.01"])),
        ("outsider", reverse("dashboard:village", args=["35.05.02.2001"])),
        ("officer", reverse("dashboard:regency", args=["35.05"])),
        ("officer", reverse("dashboard:district", args=["35.05.02"])),
        ("officer", reverse("dashboard:village", args=["35.05.02.2001"])),
        ("official", reverse("dashboard:regency", args=["35.06"])),
        ("official", reverse("dashboard:village", args=["35.06.01.2001"])),
        ("official", reverse("dashboard:district", args=["35.05"])),  # a regency code
    ],
)
def test_an_area_outside_the_users_is_not_found(three_areas, as_persona, persona, url):
    assert as_persona(persona).get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "area"),
    [("outsider", "35.05.01"), ("officer", "35.05"), ("official", "35.06.01")],
)
def test_the_api_hides_other_areas_too(three_areas, as_persona, persona, area):
    client = as_persona(persona)
    assert client.get(API, {"area": area}).status_code in (403, 404)
    if persona != "outsider":
        assert client.get(API, {"area": area}).status_code == 404


@pytest.mark.parametrize("persona", ["secretary", "volunteer", "coordinator", "outsider"])
def test_roles_without_a_dashboard_are_refused(three_areas, as_persona, persona):
    client = as_persona(persona)
    assert client.get(HOME).status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(three_areas, client):
    assert client.get(HOME).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_the_menu_and_home_page_link_the_dashboard_for_those_who_have_one(three_areas, as_persona):
    assert HOME in as_persona("official").get(reverse("home")).content.decode()
    assert HOME not in as_persona("secretary").get(reverse("home")).content.decode()


# Filters


def test_the_programme_filter_counts_only_its_villages(three_areas, as_persona, regions):
    other = ProgrammeFactory(name="Pandu Digital", slug="pandu", regency=regions.regency)
    village = VillageFactory(code="35.05.01.2009", name="Tawangrejo", district=regions.district)
    activity(village, other, [MilestoneFactory(programme=other)], serial=9)
    rebuild_rollups()
    client = as_persona("official")
    everything = kpis_of(client)
    narrowed = kpis_of(client, programme=other.pk)
    assert everything["requests_filed"] == 12
    assert narrowed["requests_filed"] == 4
    assert narrowed["villages_enrolled"] == 1
    assert narrowed["milestones_total"] == 1


def test_the_period_filter_leaves_out_months_outside_it(three_areas, as_persona):
    client = as_persona("officer")
    last_year = (today().replace(day=1) - datetime.timedelta(days=365)).strftime("%Y-%m")
    kpis = kpis_of(client, start=last_year, end=last_year)
    assert kpis["requests_filed"] == kpis["visits"] == 0
    # What holds today stays: overdue requests and milestones are not of a month.
    assert kpis["requests_overdue"] == 1
    assert kpis["milestones_done"] == 2
    response = client.get(API, {"start": last_year, "end": last_year})
    assert [row["month"][:7] for row in response.json()["trend"]] == [last_year]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13"}, "start"),
        ({"start": "kemarin"}, "start"),
        ({"start": "2026-06", "end": "2026-01"}, "end"),
        ({"start": "2020-01", "end": "2026-01"}, "start"),
        ({"programme": "999999"}, "programme"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(three_areas, as_persona, params, field):
    client = as_persona("official")
    response = client.get(API, params)
    assert response.status_code == 400
    assert field in response.json()
    page = client.get(HOME, params)
    assert page.status_code == 400
    assert f'id="id_{field}_error"' in page.content.decode() or "errorlist" in page.content.decode()


def test_another_regencys_programme_cannot_be_chosen(three_areas, as_persona):
    response = as_persona("official").get(API, {"programme": three_areas.kediri.pk})
    assert response.status_code == 400
    assert "programme" in response.json()


def test_the_kecamatan_filter_leads_to_its_drill_down_keeping_the_period(
    three_areas, as_persona, regions
):
    response = as_persona("official").get(
        HOME, {"kecamatan": regions.district.code, "start": "2026-01"}
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("dashboard:district", args=[regions.district.code]) + "?start=2026-01"
    )
    kpis = kpis_of(as_persona("official"), kecamatan=regions.district.code)
    assert kpis["requests_filed"] == 4


# The attention list


def attention(client, **params):
    response = client.get(API, params)
    return {row["code"]: row["reasons"] for row in response.json()["attention"]}


def test_attention_names_each_reason(three_areas, as_persona, regions):
    client = as_persona("officer")
    assert attention(client) == {regions.village_a.code: ["overdue"]}

    snapshot = EnrolmentSnapshot.objects.get(village=regions.village_a)
    # Mentor gone, milestones untouched for 91 days, last visit 31 days ago.
    EnrolmentSnapshot.objects.filter(pk=snapshot.pk).update(
        has_main_mentor=False, progress_changed_on=today() - datetime.timedelta(days=91)
    )
    from portal.dashboard.models import VillageSnapshot

    VillageSnapshot.objects.filter(village=regions.village_a).update(
        last_visit_on=today() - datetime.timedelta(days=31), requests_overdue=0
    )
    bump_cache_versions(["35.05"])
    assert attention(client) == {regions.village_a.code: ["no_visit", "no_mentor", "stalled"]}
    page = client.get(HOME).content.decode()
    assert "no visit for 31 days" in page
    assert reverse("villages:village-detail", args=[regions.village_a.code]) in page


def test_a_village_visited_recently_with_a_mentor_and_nothing_late_needs_no_attention(
    three_areas, as_persona, regions
):
    from portal.dashboard.models import VillageSnapshot

    VillageSnapshot.objects.filter(village=regions.village_a).update(
        last_visit_on=today() - datetime.timedelta(days=29), requests_overdue=0
    )
    bump_cache_versions(["35.05"])
    assert attention(as_persona("officer")) == {}


def test_a_village_not_enrolled_is_listed_only_for_overdue_requests(
    three_areas, as_persona, regions
):
    from portal.dashboard.models import VillageSnapshot

    EnrolmentSnapshot.objects.filter(village=regions.village_a).delete()
    VillageSnapshot.objects.filter(village=regions.village_a).update(last_visit_on=None)
    bump_cache_versions(["35.05"])
    assert attention(as_persona("officer")) == {regions.village_a.code: ["overdue"]}


# Cost


def more_villages(regions, programme, count):
    milestones = [MilestoneFactory(programme=programme) for _ in range(3)]
    for number in range(count):
        village = VillageFactory(
            code=f"35.05.01.{2100 + number}", name=f"Desa {number}", district=regions.district
        )
        activity(village, programme, milestones, serial=100 + number, volunteer_name=f"R {number}")
    rebuild_rollups()


@pytest.mark.parametrize("extra_villages", [0, 30])
def test_the_dashboard_costs_the_same_queries_for_one_village_as_for_many(
    three_areas, as_persona, regions, django_assert_max_num_queries, extra_villages
):
    if extra_villages:
        more_villages(regions, three_areas.blitar, extra_villages)
    client = as_persona("official")
    for url, params in [
        (HOME, {}),
        (HOME, {"programme": three_areas.blitar.pk}),
        (reverse("dashboard:district", args=[regions.district.code]), {}),
        (reverse("dashboard:village", args=[regions.village_a.code]), {}),
        (API, {}),
        (reverse("api:dashboard-map-layers"), {"area": regions.regency.code}),
    ]:
        bump_cache_versions(["35.05"])  # cold: the figures are computed from the rollups
        with django_assert_max_num_queries(14):
            assert client.get(url, params).status_code == 200


def test_a_second_look_reads_the_cached_figures(
    three_areas, as_persona, django_assert_max_num_queries, settings
):
    settings.API_READ_CACHE = False
    client = as_persona("official")
    client.get(HOME)
    # The user, their roles and the latest report; the session and figures come from the cache
    # (this is the page rendered again: the stored page is off here, see test_page_cache.py).
    with django_assert_max_num_queries(3):
        assert client.get(HOME).status_code == 200


def test_map_layers_band_visits_and_backlog_per_village(three_areas, as_persona, regions):
    response = as_persona("official").get(
        reverse("api:dashboard-map-layers"), {"area": regions.regency.code}
    )
    villages = response.json()["villages"]
    assert villages[regions.village_a.code] == {"visits_period": "v1", "request_backlog": "overdue"}
    assert regions.far_village.code not in villages
    assert response.json()["labels"]["request_backlog"]["overdue"] == "Overdue requests"


def test_the_rollups_move_the_dashboard_after_a_write(
    three_areas, as_persona, regions, django_capture_on_commit_callbacks
):
    from services.actions.requests import cancel_request
    from services.models import ServiceRequest

    client = as_persona("officer")
    assert kpis_of(client)["requests_overdue"] == 1
    late = ServiceRequest.objects.get(tracking_code="OVERDU000001")
    from tests.factories import UserFactory, grant
    from villages.models import Role

    clerk = UserFactory(username="sekdes2")
    grant(clerk, Role.VILLAGE_SECRETARY, regions.village_a)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(service_request=late, reason="Pemohon pindah.", actor=clerk)
    assert kpis_of(client)["requests_overdue"] == 0
