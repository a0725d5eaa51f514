"""Findings of the adversarial review of the volunteers app, each pinned by a test."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from tests.factories import (
    RegistrationFactory,
    TrainingFactory,
    VisitFactory,
    VolunteerFactory,
)
from volunteers.actions.roster_csv import COLUMNS, VolunteerImportError, import_volunteers

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# Date inputs: <input type="date"> shows only ISO values, whatever the page's language.


def test_the_volunteer_form_shows_the_saved_dates(client, regions, coordinator):
    volunteer = VolunteerFactory(
        district=regions.district,
        joined_on=datetime.date(2021, 1, 10),
        left_on=datetime.date(2024, 6, 30),
    )
    client.force_login(coordinator)

    response = client.get(reverse("volunteers:volunteer-update", args=[volunteer.pk]))

    html = response.content.decode()
    assert 'value="2021-01-10"' in html
    assert 'value="2024-06-30"' in html


def test_the_training_form_shows_the_saved_dates(client, regions, official):
    training = TrainingFactory(
        regency=regions.regency,
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2026, 9, 10),
    )
    client.force_login(official)

    response = client.get(reverse("volunteers:training-update", args=[training.pk]))

    html = response.content.decode()
    assert 'value="2026-09-01"' in html
    assert 'value="2026-09-10"' in html


def test_the_assignment_form_starts_today(client, regions, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("volunteers:assignment-create"))

    assert f'value="{TODAY.isoformat()}"' in response.content.decode()


# Editing a volunteer keeps what the editor's selects cannot show.


def test_editing_a_volunteer_keeps_a_home_village_outside_the_editors_kecamatan(
    client, regions, coordinator
):
    volunteer = VolunteerFactory(
        district=regions.district, home_village=regions.village_b, whatsapp="+6281234567001"
    )
    client.force_login(coordinator)
    url = reverse("volunteers:volunteer-update", args=[volunteer.pk])
    response = client.get(url)
    # The select shows the saved village, so that the browser sends it back.
    assert f'<option value="{regions.village_b.pk}" selected>' in response.content.decode()
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        name: getattr(value, "pk", "" if value is None else value) for name, value in data.items()
    }
    data["skills"] = "Canva"

    response = client.post(url, data)

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.skills == "Canva"
    assert volunteer.home_village_id == regions.village_b.pk


# The roster import is no phone-number directory of other kecamatan.


def _csv(**cells) -> io.BytesIO:
    values = dict.fromkeys(COLUMNS, "")
    values.update(full_name="Rina", gender="female", district_code="35.05.01", **cells)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([values[column] for column in COLUMNS])
    return io.BytesIO(out.getvalue().encode())


def test_the_import_does_not_name_a_volunteer_the_importer_cannot_see(regions, coordinator):
    VolunteerFactory(whatsapp="+6281234567001", full_name="Dewi", district=regions.far_district)

    with translation.override("en"), pytest.raises(VolunteerImportError) as caught:
        import_volunteers(file=_csv(whatsapp="081234567001"), actor=coordinator, dry_run=True)

    (message,) = caught.value.messages
    assert "Dewi" not in message
    assert "Mojo" not in message
    assert message == (
        "Row 2, whatsapp: +6281234567001 belongs to a volunteer whose roster you do not manage."
    )


def test_the_import_refuses_a_village_the_importer_cannot_see(regions, coordinator):
    with translation.override("en"), pytest.raises(VolunteerImportError) as caught:
        import_volunteers(
            file=_csv(whatsapp="081234567001", home_village_code=regions.far_village.pk),
            actor=coordinator,
        )

    assert caught.value.messages == [
        "Row 2, home_village_code: 35.06.01.2001 is not a known village code."
    ]


# API


def test_patching_one_field_of_a_visit_keeps_the_others(mentoring, regions, volunteer):
    visit = VisitFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a,
        assignment=mentoring.assignment,
        visited_on=TODAY - DAY,
        status="draft",
    )
    api = APIClient()
    api.force_authenticate(volunteer)

    response = api.patch(f"/api/visits/{visit.pk}/", {"summary": "Baru"}, format="json")

    assert response.status_code == 200, response.json()
    visit.refresh_from_db()
    assert (visit.summary, visit.participants_female, visit.pillars) == ("Baru", 12, ["masyarakat"])


# Registrations: an officer or coordinator sees their kecamatan's volunteers' only.


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", {"Sri Wahyuni", "Dewi Lestari"}),
        ("officer", {"Sri Wahyuni"}),
        ("coordinator", {"Sri Wahyuni"}),
        ("secretary", set()),
        ("outsider", set()),
    ],
)
def test_registrations_of_a_regency_training_are_seen_within_each_users_area(
    request, regions, mentoring, persona, expected
):
    from volunteers.models import Registration

    training = TrainingFactory(regency=regions.regency)
    RegistrationFactory(training=training, volunteer=mentoring.volunteer)  # Wonodadi
    RegistrationFactory(training=training, volunteer=mentoring.far)  # Udanawu
    user = request.getfixturevalue(persona)

    visible = Registration.objects.visible_to(user)

    assert {registration.volunteer.full_name for registration in visible} == expected


def test_an_inactive_volunteer_cannot_log_a_visit(mentoring, regions, volunteer):
    from django.core.exceptions import ValidationError

    from volunteers.actions.visits import create_visit

    mentoring.volunteer.status = "inactive"
    mentoring.volunteer.save()
    with translation.override("en"), pytest.raises(ValidationError, match="no longer an active"):
        create_visit(
            volunteer=mentoring.volunteer,
            village=regions.village_a,
            visited_on=TODAY,
            duration_minutes=60,
            activities=["digital_literacy"],
            summary="Literasi digital",
            actor=volunteer,
        )
