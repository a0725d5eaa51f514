"""The public programme page: numbers for anyone, no personal data anywhere."""

import pytest
from django.urls import reverse

from portal.dashboard.actions import rebuild_rollups
from services.models import ServiceRequest
from tests.factories import ProgrammeFactory
from villages.models import VillageBoundary
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_anyone_sees_the_programme_in_numbers(three_areas, client):
    response = client.get(reverse("public:regency", args=["35.05"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-kpi="villages_enrolled">2<' in page
    assert 'data-kpi="requests_filed">8<' in page
    assert 'data-kpi="visits">4<' in page
    assert 'data-kpi="milestones_percent">67 %<' in page
    assert "Desa Cerdas Blitar" in page
    assert "Jaten" in page and "Bakung" in page  # the pilot villages' progress
    # The two public boxes of the services app.
    assert f'action="{reverse("tracking:lookup")}"' in page
    assert f'action="{reverse("letters:lookup")}"' in page


def test_the_index_lists_regencies_running_a_programme(three_areas, client):
    page = client.get(reverse("public:index")).content.decode()
    assert reverse("public:regency", args=["35.05"]) in page
    assert reverse("public:regency", args=["35.06"]) in page


def test_a_regency_without_a_programme_has_no_page(regions, client):
    assert client.get(reverse("public:regency", args=["35.05"])).status_code == 404
    assert client.get(reverse("public:regency-map", args=["35.05"])).status_code == 404
    assert client.get(reverse("public:regency", args=["35.05.01"])).status_code == 404


def test_no_personal_data_appears_on_the_public_page_or_its_map(three_areas, client, regions):
    square = [[[112.1, -8.1], [112.11, -8.1], [112.11, -8.09], [112.1, -8.09], [112.1, -8.1]]]
    VillageBoundary.objects.create(
        village=regions.village_a,
        geometry={"type": "Polygon", "coordinates": square},
        centroid_lat=-8.095,
        centroid_lng=112.105,
        inside_lat=-8.095,
        inside_lng=112.105,
        area_km2=1.2,
    )
    rebuild_rollups()
    page = client.get(reverse("public:regency", args=["35.05"])).content.decode()
    geojson = client.get(reverse("public:regency-map", args=["35.05"])).content.decode()
    assert '"progress": "p50"' in geojson.replace('":"', '": "')
    secrets = set()
    for volunteer in Volunteer.objects.all():
        secrets |= {
            volunteer.full_name,
            volunteer.whatsapp,
            volunteer.whatsapp[3:],
            volunteer.email,
        }
    for service_request in ServiceRequest.objects.all():
        secrets |= {
            service_request.applicant_name,
            service_request.nik,
            service_request.applicant_phone,
            service_request.applicant_phone[3:],
            service_request.tracking_code,
        }
    assert "Sri Wahyuni" in secrets and "Budi Santoso" in secrets
    for secret in secrets:
        assert secret not in page
        assert secret not in geojson


def test_the_public_numbers_follow_the_rollups(three_areas, client, regions):
    url = reverse("public:regency", args=["35.06"])
    assert 'data-kpi="requests_filed">4<' in client.get(url).content.decode()
    ProgrammeFactory(name="Kedua", slug="kedua", regency=regions.other_regency)
    ServiceRequest.objects.filter(village=regions.far_village).delete()
    rebuild_rollups(regency="35.06")
    assert 'data-kpi="requests_filed">0<' in client.get(url).content.decode()
