"""Per-village compliance: the figures against hand-computed numbers, who may see the page and
what it shows them, and a query count that does not grow with the number of villages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import RequestStatus
from services.selectors import village_compliance
from tests.factories import ServiceRequestFactory, VillageFactory

JAKARTA = ZoneInfo("Asia/Jakarta")
YEAR_2026 = {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 12, 31)}


def at(year, month, day, hour=9, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def completed(village, filed, done, due_on):
    return ServiceRequestFactory(
        village=village,
        status=RequestStatus.COMPLETED,
        submitted_at=filed,
        completed_at=done,
        due_on=due_on,
    )


@pytest.fixture
def figures(regions):
    """Jaten (village A), filed in 2026:
    - filed 2 March 09:00, due 5 March, completed 3 March 09:00: 1 day, on time;
    - filed 2 March 09:00, due 5 March, completed 6 March 06:00 in Jakarta (still 5 March in
      UTC): 3.875 days, late;
    - filed 2 March 09:00, due 5 March, completed 9 March 09:00: 7 days, late;
    - filed 20 February, due 1 March, still in process: overdue now;
    - filed 1 January 00:30 in Jakarta (31 December in UTC), rejected: counted as filed only.
    Not counted: one filed 31 December 2025 23:30 in Jakarta, completed 2 January.
    So 5 filed, 3 completed, 1 on time (33 %), median 3.875 days, 1 overdue.

    Kelurahan Dua (A2): two completed on time, in 1 and 2 days: 100 %, median 1.5.
    Bakung (B, Udanawu): one completed on time in 2 days: 100 %, median 2.
    Mojo (Kediri) stands apart.
    """
    due = datetime.date(2026, 3, 5)
    completed(regions.village_a, at(2026, 3, 2), at(2026, 3, 3), due)
    completed(regions.village_a, at(2026, 3, 2), at(2026, 3, 6, 6), due)
    completed(regions.village_a, at(2026, 3, 2), at(2026, 3, 9), due)
    ServiceRequestFactory(
        village=regions.village_a,
        status=RequestStatus.IN_PROCESS,
        submitted_at=at(2026, 2, 20),
        due_on=datetime.date(2026, 3, 1),
    )
    ServiceRequestFactory(
        village=regions.village_a,
        status=RequestStatus.REJECTED,
        submitted_at=at(2026, 1, 1, 0, 30),
        due_on=datetime.date(2026, 1, 6),
    )
    completed(regions.village_a, at(2025, 12, 31, 23, 30), at(2026, 1, 2), due)
    completed(regions.village_a2, at(2026, 4, 6), at(2026, 4, 7), datetime.date(2026, 4, 9))
    completed(regions.village_a2, at(2026, 4, 6), at(2026, 4, 8), datetime.date(2026, 4, 9))
    completed(regions.village_b, at(2026, 5, 4), at(2026, 5, 6), datetime.date(2026, 5, 7))
    completed(regions.far_village, at(2026, 5, 4), at(2026, 5, 20), datetime.date(2026, 5, 7))


def summary(rows):
    return [
        (
            row.village_name,
            row.filed,
            row.completed,
            row.on_time,
            row.on_time_percent,
            row.median_days,
            row.overdue,
        )
        for row in rows
    ]


def test_compliance_figures_match_the_hand_computed_ones_worst_first(figures, official):
    rows = village_compliance(user=official, **YEAR_2026)

    assert summary(rows) == [
        ("Jaten", 5, 3, 1, 33, 3.875, 1),
        ("Bakung", 1, 1, 1, 100, 2.0, 0),
        ("Kelurahan Dua", 2, 2, 2, 100, 1.5, 0),
    ]


def test_the_period_is_counted_in_jakarta_time(figures, official):
    rows = village_compliance(
        user=official, start=datetime.date(2025, 12, 31), end=datetime.date(2025, 12, 31)
    )

    assert summary(rows) == [("Jaten", 1, 1, 1, 100, pytest.approx(1 + 9.5 / 24), 0)]


def test_a_village_without_completions_comes_after_those_with_a_share(regions, official):
    ServiceRequestFactory(village=regions.village_a2, submitted_at=at(2026, 6, 1))
    completed(regions.village_a, at(2026, 6, 1), at(2026, 6, 2), datetime.date(2026, 6, 4))

    rows = village_compliance(user=official, **YEAR_2026)

    assert [(row.village_name, row.on_time_percent, row.median_days) for row in rows] == [
        ("Jaten", 100, 1.0),
        ("Kelurahan Dua", None, None),
    ]


def test_the_kecamatan_filter_narrows_to_its_villages(figures, official, regions):
    rows = village_compliance(user=official, district=regions.other_district, **YEAR_2026)

    assert [row.village_name for row in rows] == ["Bakung"]


@pytest.mark.parametrize(
    ("persona", "villages"),
    [
        ("official", ["Jaten", "Bakung", "Kelurahan Dua"]),
        ("officer", ["Jaten", "Kelurahan Dua"]),
        ("admin_user", ["Mojo", "Jaten", "Bakung", "Kelurahan Dua"]),
    ],
)
def test_the_compliance_page_shows_the_villages_of_the_users_area(
    figures, client, request, persona, villages
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("services:compliance"), {"start": "2026-01-01"})

    assert response.status_code == 200
    assert [row.village_name for row in response.context["rows"]] == villages
    assert "33 %" in response.content.decode() or persona == "admin_user"


@pytest.mark.parametrize("persona", ["secretary", "outsider", "volunteer", "coordinator"])
def test_the_compliance_page_is_forbidden_to_others(figures, client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("services:compliance")).status_code == 403


def test_the_page_defaults_to_the_current_year(figures, official, client):
    client.force_login(official)

    form = client.get(reverse("services:compliance")).context["form"]

    today = timezone.localdate()
    assert form.cleaned_data["start"] == datetime.date(today.year, 1, 1)
    assert form.cleaned_data["end"] == datetime.date(today.year, 12, 31)


def test_an_official_filters_by_kecamatan_of_their_regency_only(figures, official, client):
    client.force_login(official)

    response = client.get(reverse("services:compliance"), {"district": "35.05.02"})
    assert [row.village_name for row in response.context["rows"]] == ["Bakung"]

    response = client.get(reverse("services:compliance"), {"district": "35.06.01"})
    assert response.context["form"].errors["district"]
    assert response.context["rows"] == []


def test_a_kecamatan_officer_has_no_kecamatan_filter(figures, officer, client):
    client.force_login(officer)

    response = client.get(reverse("services:compliance"), {"district": "35.05.02"})

    assert "district" not in response.context["form"].fields
    assert [row.village_name for row in response.context["rows"]] == ["Jaten", "Kelurahan Dua"]


def test_an_inverted_period_is_refused_on_its_field(official, client, regions):
    client.force_login(official)

    response = client.get(
        reverse("services:compliance"), {"start": "2026-06-01", "end": "2026-01-01"}
    )

    assert response.context["form"].errors["end"]


@pytest.mark.parametrize("villages", [1, 50])
def test_the_compliance_page_costs_the_same_queries_for_1_or_50_villages(
    regions, official, client, django_assert_max_num_queries, villages
):
    for number in range(villages):
        village = VillageFactory(code=f"35.05.01.{2100 + number}", district=regions.district)
        completed(village, at(2026, 3, 2), at(2026, 3, 3), datetime.date(2026, 3, 5))
    client.force_login(official)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("services:compliance"), {"start": "2026-01-01"})

    assert len(response.context["rows"]) == villages
