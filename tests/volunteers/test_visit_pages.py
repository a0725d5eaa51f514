"""Mentoring visits, the pages: who sees which visit, the form (offline-tolerant script, photo
inputs), the review workflow through POST forms, photos served privately, and query budgets."""

import datetime
import io
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import AssignmentFactory, UserFactory, VisitFactory, VolunteerFactory, grant
from villages.models import Role
from volunteers.actions.visits import add_visit_photo
from volunteers.models import Visit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def visits(mentoring, regions):
    """The `volunteer` persona's draft and submitted visit to village A; volunteer2's submitted
    visit to the same village; volunteer3's submitted visit to village B."""
    own = mentoring.volunteer
    return {
        "own_draft": VisitFactory(volunteer=own, village=regions.village_a, status="draft"),
        "own": VisitFactory(volunteer=own, village=regions.village_a),
        "other": VisitFactory(volunteer=mentoring.other, village=regions.village_a),
        "far": VisitFactory(volunteer=mentoring.far, village=regions.village_b),
    }


# Who sees which visit

SEEN = {
    "volunteer": {"own_draft", "own"},
    "coordinator": {"own", "other"},
    "officer": {"own", "other"},
    "official": {"own", "other", "far"},
    "secretary": {"own", "other"},
    "outsider": {"far"},
    "admin_user": {"own_draft", "own", "other", "far"},
}


@pytest.mark.parametrize(("persona", "expected"), SEEN.items())
def test_the_visit_list_shows_each_persona_their_visits(as_persona, visits, persona, expected):
    response = as_persona(persona).get(reverse("volunteers:visit-list"))

    assert response.status_code == 200
    shown = {visit.pk for visit in response.context["page_obj"]}
    assert shown == {visits[name].pk for name in expected}


@pytest.mark.parametrize(("persona", "expected"), SEEN.items())
def test_a_visit_page_opens_only_for_those_who_see_it(as_persona, visits, persona, expected):
    client = as_persona(persona)
    for name, visit in visits.items():
        response = client.get(reverse("volunteers:visit-detail", args=[visit.pk]))
        assert response.status_code == (200 if name in expected else 404), name


def test_a_volunteer_cannot_read_another_volunteers_visit_to_the_same_village(as_persona, visits):
    client = as_persona("volunteer")
    other = visits["other"]
    assert client.get(reverse("volunteers:visit-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("volunteers:visit-update", args=[other.pk])).status_code == 404
    assert client.post(reverse("volunteers:visit-submit", args=[other.pk])).status_code == 404


def test_the_visit_list_filters_by_status_kecamatan_and_doubtful(as_persona, visits):
    visits["far"].position_check = "far"
    visits["far"].save()
    client = as_persona("official")
    url = reverse("volunteers:visit-list")

    by_district = client.get(url, {"district": "35.05.02"}).context["page_obj"]
    assert [v.pk for v in by_district] == [visits["far"].pk]
    doubtful = client.get(url, {"doubtful": "on", "status": "submitted"}).context["page_obj"]
    # Factory visits have no GPS (no_gps, doubtful) unless changed: all three submitted ones.
    assert {v.pk for v in doubtful} == {visits[n].pk for n in ("own", "other", "far")}
    visits["other"].position_check = "inside"
    visits["other"].save()
    doubtful = client.get(url, {"doubtful": "on"}).context["page_obj"]
    assert visits["other"].pk not in {v.pk for v in doubtful}


# My villages and visits


def test_my_visits_lists_current_assignments_with_the_last_visit_and_all_my_visits(
    as_persona, visits, mentoring
):
    response = as_persona("volunteer").get(reverse("volunteers:my-visits"))

    assert response.status_code == 200
    (assignment,) = response.context["assignments"]
    assert assignment.village.name == "Jaten"
    assert assignment.last_visited_on == visits["own"].visited_on
    assert {v.pk for v in response.context["page_obj"]} == {
        visits["own_draft"].pk,
        visits["own"].pk,
    }
    assert "Pandu Digital 2021" in response.content.decode()


def test_my_visits_explains_itself_to_a_user_without_a_roster_record(as_persona, regions):
    response = as_persona("secretary").get(reverse("volunteers:my-visits"))
    assert response.status_code == 200
    assert response.context["record"] is None


# The form


def test_the_form_offers_only_the_villages_of_current_assignments(as_persona, mentoring):
    response = as_persona("volunteer").get(reverse("volunteers:visit-create"))

    assert response.status_code == 200
    form = response.context["form"]
    assert [v.name for v in form.fields["village"].queryset] == ["Jaten"]


def test_the_form_loads_the_draft_script_and_has_camera_photo_inputs(as_persona, mentoring):
    html = as_persona("volunteer").get(reverse("volunteers:visit-create")).content.decode()

    assert '<script src="/static/js/visit-draft.js" defer></script>' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html
    for hidden in ("latitude", "longitude", "accuracy_m", "client_id"):
        assert f'type="hidden" name="{hidden}"' in html
    assert 'name="action" value="draft"' in html and 'name="action" value="submit"' in html
    assert 'type="checkbox" name="activities"' in html
    today = timezone.localdate().isoformat()
    assert f'type="date" name="visited_on" value="{today}"' in html


def test_the_draft_script_keeps_the_draft_and_resends_it_when_back_online():
    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/visit-draft.js")).read_text()
    for needed in ("crypto.randomUUID", "navigator.geolocation", "localStorage", '"online"'):
        assert needed in script


def test_a_user_without_a_roster_record_cannot_open_the_form(as_persona, regions):
    assert as_persona("coordinator").get(reverse("volunteers:visit-create")).status_code == 403


def form_data(mentoring, **overrides):
    data = {
        "village": mentoring.assignment.village_id,
        "visited_on": yesterday().isoformat(),
        "duration_minutes": "90",
        "activities": ["digital_literacy", "umkm_online"],
        "pillars": ["ekonomi"],
        "participants_female": "7",
        "participants_male": "5",
        "participants_youth": "4",
        "summary": "Mendampingi UMKM membuka toko daring.",
        "follow_ups": "Cek pesanan pertama minggu depan.",
        "latitude": "",
        "longitude": "",
        "accuracy_m": "",
        "client_id": str(uuid.uuid4()),
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_submitting_the_form_logs_and_submits_the_visit_and_confirms_the_draft(
    as_persona, mentoring
):
    client = as_persona("volunteer")
    photo = io.BytesIO(jpeg())
    photo.name = "kegiatan.jpg"
    data = form_data(mentoring, latitude="-8.01", longitude="111.96", accuracy_m="15")
    data["photos"] = photo

    response = client.post(reverse("volunteers:visit-create"), data, follow=True)

    visit = Visit.objects.get()
    assert (visit.status, visit.summary, visit.accuracy_m) == (
        "submitted",
        data["summary"],
        15,
    )
    assert visit.activities == ["digital_literacy", "umkm_online"]
    assert visit.photos.count() == 1
    assert f'data-saved-client-id="{data["client_id"]}"' in response.content.decode()


def test_the_same_form_posted_twice_makes_one_visit(as_persona, mentoring):
    client = as_persona("volunteer")
    data = form_data(mentoring, action="draft")
    first = client.post(reverse("volunteers:visit-create"), data)
    second = client.post(reverse("volunteers:visit-create"), data)

    visit = Visit.objects.get()
    assert first["Location"] == second["Location"] == f"/relawan/kunjungan/{visit.pk}/"
    assert visit.status == "draft"


def test_form_errors_name_the_field_and_keep_what_was_typed(as_persona, mentoring, regions):
    client = as_persona("volunteer")
    data = form_data(mentoring, participants_youth="40")

    response = client.post(reverse("volunteers:visit-create"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["participants_youth"]
    assert form["summary"].value() == data["summary"]
    assert not Visit.objects.exists()


def test_a_returned_visit_is_edited_and_resubmitted_through_the_form(as_persona, visits, mentoring):
    visit = visits["own"]
    Visit.objects.filter(pk=visit.pk).update(status="returned", return_reason="Kurang foto")
    client = as_persona("volunteer")
    page = client.get(reverse("volunteers:visit-update", args=[visit.pk]))
    assert "Kurang foto" in page.content.decode()

    data = form_data(mentoring, summary="Sudah dilengkapi.", client_id="")
    response = client.post(reverse("volunteers:visit-update", args=[visit.pk]), data)

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.summary) == ("submitted", "Sudah dilengkapi.")


def test_a_verified_visit_cannot_be_edited_through_the_form(as_persona, visits, mentoring):
    visit = visits["own"]
    Visit.objects.filter(pk=visit.pk).update(status="verified")
    client = as_persona("volunteer")
    response = client.post(
        reverse("volunteers:visit-update", args=[visit.pk]), form_data(mentoring)
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.summary != form_data(mentoring)["summary"]


def test_a_reviewer_cannot_open_a_volunteers_edit_form(as_persona, visits):
    url = reverse("volunteers:visit-update", args=[visits["own"].pk])
    assert as_persona("coordinator").get(url).status_code == 403


# Review through the pages


def test_the_coordinator_verifies_and_returns_visits_with_a_reason(as_persona, visits):
    client = as_persona("coordinator")
    own, other = visits["own"], visits["other"]

    page = client.get(reverse("volunteers:visit-detail", args=[own.pk]))
    assert page.context["can_review"]
    client.post(reverse("volunteers:visit-verify", args=[own.pk]))
    client.post(reverse("volunteers:visit-return", args=[other.pk]), {"reason": ""})
    other.refresh_from_db()
    assert other.status == "submitted"
    client.post(reverse("volunteers:visit-return", args=[other.pk]), {"reason": "Tanggal salah"})

    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == "verified"
    assert (other.status, other.return_reason) == ("returned", "Tanggal salah")


@pytest.mark.parametrize("persona", ["secretary", "volunteer"])
def test_those_who_see_a_visit_but_do_not_review_it_get_403(as_persona, visits, persona):
    url = reverse("volunteers:visit-verify", args=[visits["own"].pk])
    assert as_persona(persona).post(url).status_code == 403
    visits["own"].refresh_from_db()
    assert visits["own"].status == "submitted"


def test_the_outsider_gets_404_on_every_visit_url(as_persona, visits):
    client = as_persona("outsider")
    pk = visits["own"].pk
    for name in ("visit-detail", "visit-update"):
        assert client.get(reverse(f"volunteers:{name}", args=[pk])).status_code == 404
    for name in ("visit-submit", "visit-verify", "visit-return", "visit-photo-add"):
        assert client.post(reverse(f"volunteers:{name}", args=[pk])).status_code == 404


def test_the_review_queue_lists_submitted_visits_of_the_area_oldest_first(as_persona, visits):
    now = timezone.now()
    Visit.objects.filter(pk=visits["other"].pk).update(submitted_at=now - datetime.timedelta(2))
    Visit.objects.filter(pk=visits["own"].pk).update(submitted_at=now - datetime.timedelta(1))

    response = as_persona("coordinator").get(reverse("volunteers:visit-review"))

    assert response.status_code == 200
    assert [v.pk for v in response.context["page_obj"]] == [visits["other"].pk, visits["own"].pk]
    # Both have no GPS position: each row carries the doubtful flag.
    assert response.content.decode().count('class="flag"') == 2


@pytest.mark.parametrize("persona", ["volunteer", "secretary", "outsider"])
def test_the_review_queue_is_refused_to_those_who_review_nothing(as_persona, regions, persona):
    assert as_persona(persona).get(reverse("volunteers:visit-review")).status_code == 403


# Photos are served privately


def test_a_photo_is_served_to_those_who_see_the_visit_and_never_to_an_outsider(
    client, visits, volunteer, request
):
    draft = visits["own_draft"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = add_visit_photo(visit=draft, photo=SimpleUploadedFile("x.jpg", jpeg()), actor=volunteer)
    Visit.objects.filter(pk=draft.pk).update(status="submitted")
    url = reverse("volunteers:visit-photo", args=[draft.pk, photo.pk])

    for persona, expected in [("volunteer", 200), ("coordinator", 200), ("outsider", 404)]:
        client.force_login(request.getfixturevalue(persona))
        response = client.get(url)
        assert response.status_code == expected, persona
        if expected == 200:
            assert response["Content-Type"] == "image/jpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    client.logout()
    assert client.get(url).status_code == 302
    assert (
        photo.image.name
        not in client.get(reverse("volunteers:visit-detail", args=[draft.pk])).content.decode()
    )


def test_photos_are_added_and_removed_on_the_visit_page(as_persona, visits):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_persona("volunteer")
    draft = visits["own_draft"]
    add = reverse("volunteers:visit-photo-add", args=[draft.pk])

    client.post(add, {"photo": SimpleUploadedFile("ok.jpg", jpeg())})
    refused = client.post(add, {"photo": SimpleUploadedFile("x.gif", b"GIF89a...")}, follow=True)

    (photo,) = draft.photos.all()
    assert "x.gif: " in refused.content.decode()
    client.post(reverse("volunteers:visit-photo-remove", args=[draft.pk, photo.pk]))
    assert not draft.photos.exists()


# Query budgets


def many_visits(mentoring, regions, count: int):
    """`count` submitted visits by as many volunteers across Wonodadi, each with its own
    volunteer and assignment, so that any per-row query would show."""
    for index in range(count):
        user = UserFactory()
        grant(user, Role.VOLUNTEER)
        record = VolunteerFactory(user=user, district=regions.district)
        village = regions.village_a if index % 2 else regions.village_a2
        AssignmentFactory(volunteer=record, village=village, programme=mentoring.programme)
        VisitFactory(volunteer=record, village=village)


@pytest.mark.parametrize("rows", [1, 50])
def test_the_visit_list_page_costs_the_same_queries_for_1_and_50_rows(
    as_persona, mentoring, regions, django_assert_max_num_queries, rows
):
    many_visits(mentoring, regions, rows)
    client = as_persona("coordinator")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("volunteers:visit-list"), {"status": "submitted"})
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_review_queue_costs_the_same_queries_for_1_and_50_rows(
    as_persona, mentoring, regions, django_assert_max_num_queries, rows
):
    many_visits(mentoring, regions, rows)
    client = as_persona("coordinator")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("volunteers:visit-review"))
    assert len(response.context["page_obj"]) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_my_visits_costs_the_same_queries_for_1_and_50_rows(
    as_persona, mentoring, regions, django_assert_max_num_queries, rows
):
    for index in range(rows):
        village = regions.village_a if index % 2 else regions.village_a2
        if index < 2:
            AssignmentFactory(
                volunteer=mentoring.volunteer,
                village=village,
                programme=mentoring.programme,
                starts_on=datetime.date(2021, 4, 1),
            )
        VisitFactory(volunteer=mentoring.volunteer, village=village, status="draft")
    client = as_persona("volunteer")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("volunteers:my-visits"))
    assert len(response.context["page_obj"]) == rows
