"""Mentoring visits, the actions: the rules of logging one, the review workflow, the GPS check
against the real Blitar boundaries, photos and idempotent resubmission."""

import datetime
import io
import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from tests.factories import AssignmentFactory, VisitFactory
from tests.shared_data import shared_data_dir
from villages.actions.boundaries import import_boundaries
from volunteers.actions.visits import (
    add_visit_photo,
    create_visit,
    remove_visit_photo,
    return_visit,
    submit_visit,
    update_visit,
    verify_visit,
)
from volunteers.geo import NEAR_KM
from volunteers.models import PositionCheck, Visit, VisitEvent, VisitPhoto
from volunteers.photos import MAX_PHOTO_BYTES, process_photo


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English, whatever the .po files translate them to."""
    with translation.override("en"):
        yield


# Jaten (35.05.01.2001, Wonodadi): its inner point, and a point 1 km (0.009°) north of its
# northernmost vertex; Kauman (35.05.03.1009's neighbour in Srengat), about 15 km to the south-east.
JATEN_INSIDE = (-8.0099675, 111.96347391653008)
JATEN_NORTH_1KM = (-7.997738 + 0.009, 111.956739)
SRENGAT_KAUMAN = (-8.073288, 112.08078985308913)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def boundaries(regions, tmp_path):
    """The real outlines of the fixture villages that carry real codes (Jaten, and Jati in
    Udanawu as village B), imported from the shared Blitar file."""
    source = shared_data_dir("geo") / "blitar_villages.geojson"
    collection = json.loads(source.read_text())
    codes = {regions.village_a.code, regions.village_b.code}
    collection["features"] = [f for f in collection["features"] if f["properties"]["code"] in codes]
    path = tmp_path / "fixture_villages.geojson"
    path.write_text(json.dumps(collection))
    import_boundaries(source=path)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def log(mentoring, volunteer_user, **overrides):
    """create_visit with valid values for the `volunteer` persona's village A."""
    values = {
        "volunteer": mentoring.volunteer,
        "village": mentoring.assignment.village,
        "visited_on": days_ago(1),
        "duration_minutes": 90,
        "activities": ["digital_literacy", "website_social"],
        "pillars": ["masyarakat", "tata_kelola"],
        "participants_female": 8,
        "participants_male": 6,
        "participants_youth": 5,
        "summary": "Melatih perangkat desa mengisi profil desa di situs web.",
        "actor": volunteer_user,
    }
    values.update(overrides)
    return create_visit(**values)


def jpeg_bytes(size=(800, 600), exif=None, color="green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(
        buffer, "JPEG", **({"exif": exif} if exif is not None else {})
    )
    return buffer.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def gps_exif(latitude: float, longitude: float) -> Image.Exif:
    """EXIF with a GPS position (degrees, minutes, seconds) and a capture time."""
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)

    def dms(value):
        value = abs(value)
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4))

    gps[1], gps[2] = ("S" if latitude < 0 else "N"), dms(latitude)
    gps[3], gps[4] = ("W" if longitude < 0 else "E"), dms(longitude)
    exif.get_ifd(0x8769)[0x9003] = "2026:10:05 09:30:00"
    return exif


# Logging a visit


def test_a_volunteer_logs_a_draft_visit_under_their_assignment(mentoring, volunteer):
    visit = log(mentoring, volunteer)

    assert visit.status == "draft"
    assert visit.assignment == mentoring.assignment
    assert visit.position_check == PositionCheck.NO_GPS
    assert visit.is_doubtful
    assert list(visit.events.values_list("from_status", "to_status")) == [("", "draft")]


def test_submit_at_creation_sends_it_for_review_at_once(mentoring, volunteer):
    visit = log(mentoring, volunteer, submit=True)

    assert visit.status == "submitted"
    assert visit.submitted_at is not None
    assert list(visit.events.values_list("to_status", flat=True)) == ["draft", "submitted"]


def test_only_the_volunteers_own_login_logs_their_visits(mentoring, coordinator):
    other_user = mentoring.other.user
    with pytest.raises(PermissionDenied):
        log(mentoring, other_user)
    with pytest.raises(PermissionDenied):
        log(mentoring, coordinator)
    assert not Visit.objects.exists()


def error_fields(**kwargs) -> dict:
    with pytest.raises(ValidationError) as caught:
        log(**kwargs)
    assert not Visit.objects.exists()
    return caught.value.message_dict


def test_a_village_outside_the_volunteers_assignments_is_refused(mentoring, volunteer, regions):
    errors = error_fields(mentoring=mentoring, volunteer_user=volunteer, village=regions.village_b)
    assert list(errors) == ["village"]


def test_a_date_outside_the_assignment_period_is_refused(mentoring, volunteer, regions):
    # Assigned to A2 only from last week: a visit there a month ago was not under it.
    AssignmentFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a2,
        programme=mentoring.programme,
        starts_on=days_ago(7),
    )
    errors = error_fields(
        mentoring=mentoring,
        volunteer_user=volunteer,
        village=regions.village_a2,
        visited_on=days_ago(30),
    )
    assert list(errors) == ["village"]
    visit = log(mentoring, volunteer, village=regions.village_a2, visited_on=days_ago(2))
    assert visit.village == regions.village_a2


def test_a_visit_under_an_ended_assignment_is_accepted_for_a_date_within_it(
    mentoring, volunteer, regions
):
    ended = AssignmentFactory(
        volunteer=mentoring.volunteer,
        village=regions.village_a2,
        programme=mentoring.programme,
        starts_on=days_ago(60),
        ends_on=days_ago(20),
    )
    visit = log(mentoring, volunteer, village=regions.village_a2, visited_on=days_ago(30))
    assert visit.assignment == ended


def test_a_future_date_is_refused(mentoring, volunteer):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = error_fields(mentoring=mentoring, volunteer_user=volunteer, visited_on=tomorrow)
    assert "visited_on" in errors


def test_more_young_people_than_participants_is_refused(mentoring, volunteer):
    errors = error_fields(
        mentoring=mentoring,
        volunteer_user=volunteer,
        participants_female=2,
        participants_male=1,
        participants_youth=4,
    )
    assert list(errors) == ["participants_youth"]


def test_unknown_or_missing_activities_and_unknown_pillars_are_refused(mentoring, volunteer):
    errors = error_fields(
        mentoring=mentoring, volunteer_user=volunteer, activities=["dancing"], pillars=["moon"]
    )
    assert "dancing" in errors["activities"][0]
    assert "moon" in errors["pillars"][0]
    errors = error_fields(mentoring=mentoring, volunteer_user=volunteer, activities=[])
    assert list(errors) == ["activities"]


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [(-8.0, None, "longitude"), (None, 112.0, "latitude"), (-95.0, 112.0, "latitude")],
)
def test_half_a_position_or_one_out_of_range_is_refused(
    mentoring, volunteer, latitude, longitude, field
):
    errors = error_fields(
        mentoring=mentoring, volunteer_user=volunteer, latitude=latitude, longitude=longitude
    )
    assert list(errors) == [field]


def test_every_bad_field_is_named_at_once(mentoring, volunteer, regions):
    errors = error_fields(
        mentoring=mentoring,
        volunteer_user=volunteer,
        village=regions.village_b,
        activities=[],
        participants_youth=99,
    )
    assert set(errors) == {"village", "activities", "participants_youth"}


# Idempotent resubmission


def test_a_repeat_with_the_same_client_id_returns_the_visit_unchanged(mentoring, volunteer):
    client_id = uuid.uuid4()
    first = log(mentoring, volunteer, client_id=client_id, summary="Pertama")

    again = log(mentoring, volunteer, client_id=client_id, summary="Kedua", submit=True)

    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.summary, again.status) == ("Pertama", "draft")
    assert Visit.objects.count() == 1
    assert VisitEvent.objects.count() == 1


def test_another_volunteers_client_id_is_refused(mentoring, volunteer):
    client_id = uuid.uuid4()
    log(mentoring, volunteer, client_id=client_id)
    with pytest.raises(ValidationError) as caught:
        create_visit(
            volunteer=mentoring.other,
            village=mentoring.other_assignment.village,
            visited_on=days_ago(1),
            duration_minutes=30,
            activities=["training"],
            summary="x",
            client_id=client_id,
            actor=mentoring.other.user,
        )
    assert list(caught.value.message_dict) == ["client_id"]


# The workflow


@pytest.fixture
def draft(mentoring, volunteer):
    return log(mentoring, volunteer)


def test_the_whole_workflow_with_a_return_and_a_resubmission(draft, volunteer, coordinator):
    submit_visit(visit=draft, actor=volunteer)
    returned = return_visit(visit=draft, reason="Foto kegiatan belum ada.", actor=coordinator)
    assert (returned.status, returned.return_reason) == ("returned", "Foto kegiatan belum ada.")

    update_visit(visit=draft, summary="Dengan foto sekarang.", actor=volunteer)
    resubmitted = submit_visit(visit=draft, actor=volunteer)
    assert resubmitted.status == "submitted"
    assert resubmitted.return_reason == ""

    verified = verify_visit(visit=draft, actor=coordinator)
    assert (verified.status, verified.reviewed_by) == ("verified", coordinator)
    steps = list(draft.events.values_list("from_status", "to_status", "note"))
    assert steps == [
        ("", "draft", ""),
        ("draft", "submitted", ""),
        ("submitted", "returned", "Foto kegiatan belum ada."),
        ("returned", "returned", "Edited."),
        ("returned", "submitted", ""),
        ("submitted", "verified", ""),
    ]


@pytest.mark.parametrize("reviewer", ["coordinator", "officer", "official", "admin_user"])
def test_the_kecamatans_reviewers_verify_a_submitted_visit(draft, volunteer, request, reviewer):
    submit_visit(visit=draft, actor=volunteer)
    assert verify_visit(visit=draft, actor=request.getfixturevalue(reviewer)).status == "verified"


@pytest.mark.parametrize("persona", ["secretary", "outsider"])
def test_secretaries_do_not_review_visits(draft, volunteer, request, persona):
    submit_visit(visit=draft, actor=volunteer)
    with pytest.raises(PermissionDenied):
        verify_visit(visit=draft, actor=request.getfixturevalue(persona))


def test_a_volunteer_cannot_verify_their_own_visit_even_as_coordinator(draft, volunteer, regions):
    from tests.factories import grant
    from villages.models import Role

    grant(volunteer, Role.VOLUNTEER_COORDINATOR, regions.district)
    volunteer._role_areas = None
    submit_visit(visit=draft, actor=volunteer)
    with pytest.raises(PermissionDenied):
        verify_visit(visit=draft, actor=volunteer)


def test_a_draft_cannot_be_verified_and_the_error_names_its_status(draft, coordinator):
    with pytest.raises(ValidationError) as caught:
        verify_visit(visit=draft, actor=coordinator)
    assert "draft" in caught.value.messages[0]


def test_returning_needs_a_reason(draft, volunteer, coordinator):
    submit_visit(visit=draft, actor=volunteer)
    with pytest.raises(ValidationError) as caught:
        return_visit(visit=draft, reason="  ", actor=coordinator)
    assert list(caught.value.message_dict) == ["reason"]
    draft.refresh_from_db()
    assert draft.status == "submitted"


def test_a_verified_visit_cannot_be_verified_again_changed_returned_or_resubmitted(
    draft, volunteer, coordinator
):
    submit_visit(visit=draft, actor=volunteer)
    verify_visit(visit=draft, actor=coordinator)
    attempts = [
        lambda: verify_visit(visit=draft, actor=coordinator),
        lambda: return_visit(visit=draft, reason="x", actor=coordinator),
        lambda: update_visit(visit=draft, summary="Diubah", actor=volunteer),
        lambda: submit_visit(visit=draft, actor=volunteer),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "verified" in caught.value.messages[0]
    draft.refresh_from_db()
    assert draft.summary != "Diubah"


def test_a_submitted_visit_cannot_be_submitted_again(draft, volunteer):
    submit_visit(visit=draft, actor=volunteer)
    with pytest.raises(ValidationError, match="submitted"):
        submit_visit(visit=draft, actor=volunteer)


def test_another_volunteer_cannot_edit_or_submit_the_visit(draft, mentoring):
    with pytest.raises(PermissionDenied):
        update_visit(visit=draft, summary="x", actor=mentoring.other.user)
    with pytest.raises(PermissionDenied):
        submit_visit(visit=draft, actor=mentoring.other.user)


def test_an_update_with_a_bad_value_changes_nothing(draft, volunteer):
    with pytest.raises(ValidationError):
        update_visit(visit=draft, summary="Baru", participants_youth=999, actor=volunteer)
    draft.refresh_from_db()
    assert draft.summary != "Baru"
    assert draft.events.count() == 1


# The GPS check against the real Blitar boundaries


@pytest.mark.parametrize(
    ("position", "check", "doubtful"),
    [
        (JATEN_INSIDE, "inside", False),
        (JATEN_NORTH_1KM, "near", False),
        (SRENGAT_KAUMAN, "far", True),
        ((None, None), "no_gps", True),
    ],
)
def test_the_position_is_checked_against_the_village_outline(
    boundaries, mentoring, volunteer, position, check, doubtful
):
    latitude, longitude = position
    visit = log(mentoring, volunteer, latitude=latitude, longitude=longitude, accuracy_m=12)

    assert visit.position_check == check
    assert visit.is_doubtful is doubtful
    assert Visit.objects.doubtful().filter(pk=visit.pk).exists() is doubtful


def test_the_distance_is_measured_in_km_from_the_outline(boundaries, mentoring, volunteer):
    inside = log(mentoring, volunteer, latitude=JATEN_INSIDE[0], longitude=JATEN_INSIDE[1])
    near = log(mentoring, volunteer, latitude=JATEN_NORTH_1KM[0], longitude=JATEN_NORTH_1KM[1])
    far = log(mentoring, volunteer, latitude=SRENGAT_KAUMAN[0], longitude=SRENGAT_KAUMAN[1])

    assert inside.distance_km == 0
    assert 0.9 <= near.distance_km <= 1.01 < NEAR_KM
    assert 10 < far.distance_km < 16


def test_a_village_without_an_outline_is_reported_as_such(mentoring, volunteer):
    visit = log(mentoring, volunteer, latitude=JATEN_INSIDE[0], longitude=JATEN_INSIDE[1])
    assert (visit.position_check, visit.distance_km) == ("no_boundary", None)
    assert not visit.is_doubtful


def test_editing_the_position_checks_it_again(boundaries, draft, volunteer):
    visit = update_visit(
        visit=draft, latitude=SRENGAT_KAUMAN[0], longitude=SRENGAT_KAUMAN[1], actor=volunteer
    )
    assert visit.position_check == "far"
    visit.refresh_from_db()
    assert visit.position_check == "far"


# Photos


def test_a_photo_with_exif_gps_is_stored_without_exif_and_its_position_kept(draft, volunteer):
    original = jpeg_bytes(size=(3200, 2400), exif=gps_exif(*JATEN_INSIDE))
    assert b"Exif" in original

    photo = add_visit_photo(visit=draft, photo=upload(original), actor=volunteer)

    stored = photo.image.read()
    assert b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert max(image.size) == 1600
    assert photo.exif_latitude == pytest.approx(JATEN_INSIDE[0], abs=1e-5)
    assert photo.exif_longitude == pytest.approx(JATEN_INSIDE[1], abs=1e-5)
    assert timezone.localtime(photo.exif_taken_at).strftime("%Y-%m-%d %H:%M") == "2026-10-05 09:30"
    assert photo.image.name.startswith(f"visits/{draft.pk}/")
    assert photo.image.name.endswith(".jpg")


def test_a_png_with_transparency_becomes_a_jpeg(draft, volunteer):
    buffer = io.BytesIO()
    Image.new("RGBA", (40, 30), (255, 0, 0, 0)).save(buffer, "PNG")
    photo = add_visit_photo(visit=draft, photo=upload(buffer.getvalue(), "a.png"), actor=volunteer)
    with Image.open(photo.image) as image:
        assert (image.format, image.size, image.getpixel((0, 0))) == (
            "JPEG",
            (40, 30),
            (255, 255, 255),
        )


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<script>alert('x')</script>"),
        ("photo.jpg", b"<!doctype html><html><body>hi</body></html>"),
        ("report.pdf", b"%PDF-1.7\n" + b"0" * 200),
        ("animation.gif", gif_bytes()),
        ("cut.jpg", jpeg_bytes()[:400]),
    ],
)
def test_a_file_that_is_not_a_complete_jpeg_png_or_webp_is_refused(draft, volunteer, name, content):
    with pytest.raises(ValidationError) as caught:
        add_visit_photo(visit=draft, photo=upload(content, name), actor=volunteer)
    assert caught.value.message_dict["photo"] == [
        f"{name}: The file is not a JPEG, PNG or WebP photo."
    ]
    assert not VisitPhoto.objects.exists()


def test_a_photo_over_8_mb_is_refused(draft, volunteer):
    content = jpeg_bytes() + b"\x00" * MAX_PHOTO_BYTES
    with pytest.raises(ValidationError, match="8 MB"):
        add_visit_photo(visit=draft, photo=upload(content), actor=volunteer)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 megapixels in a few kB
    with pytest.raises(ValidationError, match="too many pixels"):
        process_photo(io.BytesIO(buffer.getvalue()))


def test_a_visit_has_at_most_six_photos(draft, volunteer):
    for _ in range(6):
        add_visit_photo(visit=draft, photo=upload(jpeg_bytes((20, 20))), actor=volunteer)
    with pytest.raises(ValidationError, match="at most 6"):
        add_visit_photo(visit=draft, photo=upload(jpeg_bytes((20, 20))), actor=volunteer)
    assert draft.photos.count() == 6


def test_photos_are_added_only_to_editable_visits_by_their_volunteer(
    draft, volunteer, mentoring, coordinator
):
    with pytest.raises(PermissionDenied):
        add_visit_photo(visit=draft, photo=upload(jpeg_bytes()), actor=mentoring.other.user)
    submit_visit(visit=draft, actor=volunteer)
    with pytest.raises(ValidationError, match="submitted"):
        add_visit_photo(visit=draft, photo=upload(jpeg_bytes()), actor=volunteer)


def test_a_bad_photo_at_creation_creates_no_visit(mentoring, volunteer):
    with pytest.raises(ValidationError) as caught:
        log(mentoring, volunteer, photos=[upload(jpeg_bytes()), upload(b"MZ\x90", "photo.jpg")])
    assert list(caught.value.message_dict) == ["photos"]
    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()


def test_a_removed_photo_loses_its_file(draft, volunteer, django_capture_on_commit_callbacks):
    photo = add_visit_photo(visit=draft, photo=upload(jpeg_bytes()), actor=volunteer)
    storage, name = photo.image.storage, photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        remove_visit_photo(photo=photo, actor=volunteer)
    assert not storage.exists(name)
    assert not draft.photos.exists()


def test_the_factory_default_visit_is_submitted(mentoring, regions):
    # Guards the other test files' assumption: VisitFactory makes submitted visits.
    assert VisitFactory(volunteer=mentoring.volunteer, village=regions.village_a).status == (
        "submitted"
    )
