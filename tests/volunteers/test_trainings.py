"""Trainings, registrations, attendance and certificates: the actions, the PDF, the pages and the
public certificate check."""

import base64
import datetime
import re
import threading
import zlib
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CorpsFactory,
    MembershipFactory,
    RegistrationFactory,
    TrainingFactory,
    UserFactory,
    VolunteerFactory,
    grant,
)
from villages.models import Role
from volunteers.actions.trainings import (
    CODE_ALPHABET,
    cancel_registration,
    create_training,
    issue_certificate,
    normalise_certificate_code,
    record_attendance,
    record_training_attendance,
    register_for_training,
    update_training,
)
from volunteers.certificates import certificate_pdf
from volunteers.models import CorpsLevel, Membership, Registration, Training

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def pandu_levels():
    """The Pandu Digital corps and its levels by name (seeded by a migration; made if missing)."""
    corps = CorpsFactory(code="pandu-digital", name="Pandu Digital")
    levels = {
        name: CorpsLevel.objects.get_or_create(corps=corps, name=name, defaults={"rank": rank})[0]
        for rank, name in enumerate(["Purwa", "Madya", "Utama"], start=1)
    }
    return corps, levels


@pytest.fixture
def kediri_official(regions):
    user = UserFactory(username="kediri")
    grant(user, Role.DISTRICT_OFFICIAL, regions.other_regency)
    return user


@pytest.fixture
def volunteer2(mentoring):
    """Agus Salim's login: another volunteer mentoring the same village."""
    return mentoring.other.user


@pytest.fixture
def setup(regions, mentoring):
    """In Blitar: an upcoming Bimtek (3 places) and a running workshop that raises Pandu Digital
    members to Madya, where Sri Wahyuni (the `volunteer` persona) and Agus Salim are registered.
    In Kediri: a seminar."""
    corps, levels = pandu_levels()
    upcoming = TrainingFactory(
        title="Bimtek Kader Digital",
        regency=regions.regency,
        starts_on=TODAY + 10 * DAY,
        ends_on=TODAY + 19 * DAY,
        capacity=3,
    )
    running = TrainingFactory(
        title="Workshop Pandu Digital Madya",
        kind="workshop",
        organiser="Kominfo",
        regency=regions.regency,
        corps=corps,
        awards_level=levels["Madya"],
        starts_on=TODAY - 2 * DAY,
        ends_on=TODAY,
        capacity=None,
    )
    kediri = TrainingFactory(
        title="Seminar Desa Digital Kediri",
        kind="seminar",
        regency=regions.other_regency,
        starts_on=TODAY + 5 * DAY,
        ends_on=TODAY + 5 * DAY,
    )
    return SimpleNamespace(
        corps=corps,
        levels=levels,
        upcoming=upcoming,
        running=running,
        kediri=kediri,
        sri=RegistrationFactory(training=running, volunteer=mentoring.volunteer),
        agus=RegistrationFactory(training=running, volunteer=mentoring.other),
    )


def attended(registration, official):
    return record_attendance(registration=registration, attendance="attended", actor=official)


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's page content streams, decoded (reportlab writes ASCII85 over Flate)."""
    decoded = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            decoded.append(zlib.decompress(base64.a85decode(raw.strip(), adobe=True)))
        except (ValueError, zlib.error):
            decoded.append(raw)
    return b"\n".join(decoded)


# Creating and changing trainings


def test_an_official_creates_a_training_in_their_regency(regions, official):
    corps, levels = pandu_levels()

    training = create_training(
        title="Bimtek Pandu Digital",
        kind="bimtek",
        organiser="Kominfo",
        regency=regions.regency,
        corps=corps,
        awards_level=levels["Madya"],
        starts_on=datetime.date(2027, 2, 1),
        ends_on=datetime.date(2027, 2, 10),
        place="Aula Kantor Bupati Blitar",
        capacity=45,
        actor=official,
    )

    assert Training.objects.get(pk=training.pk).awards_level == levels["Madya"]


@pytest.mark.parametrize("persona", ["kediri_official", "officer", "coordinator", "volunteer"])
def test_only_the_regencys_officials_create_its_trainings(request, regions, persona):
    with pytest.raises(PermissionDenied):
        create_training(
            title="Bimtek",
            kind="bimtek",
            organiser="Kominfo",
            regency=regions.regency,
            starts_on=datetime.date(2027, 2, 1),
            ends_on=datetime.date(2027, 2, 1),
            place="Blitar",
            actor=request.getfixturevalue(persona),
        )
    assert not Training.objects.exists()


def test_a_training_refuses_an_end_before_its_start_and_a_level_of_another_corps(regions, official):
    _corps, levels = pandu_levels()
    kader = CorpsFactory(code="kader-digital", name="Kader Digital")

    with pytest.raises(ValidationError) as error:
        create_training(
            title="Bimtek",
            kind="bimtek",
            organiser="Kemendes",
            regency=regions.regency,
            corps=kader,
            awards_level=levels["Madya"],
            starts_on=datetime.date(2027, 2, 10),
            ends_on=datetime.date(2027, 2, 1),
            place="Blitar",
            actor=official,
        )

    assert set(error.value.message_dict) == {"ends_on", "awards_level"}


def test_the_capacity_cannot_drop_below_the_registrations(setup, official):
    with pytest.raises(ValidationError) as error:
        update_training(training=setup.running, capacity=1, actor=official)

    assert "capacity" in error.value.message_dict
    update_training(training=setup.running, capacity=2, place="Pendopo", actor=official)
    setup.running.refresh_from_db()
    assert (setup.running.capacity, setup.running.place) == (2, "Pendopo")


def test_an_official_cannot_move_a_training_to_another_regency(setup, regions, official):
    with pytest.raises(PermissionDenied):
        update_training(training=setup.upcoming, regency=regions.other_regency, actor=official)


# Registering


def test_a_volunteer_registers_themself(setup, mentoring, volunteer):
    registration = register_for_training(
        training=setup.upcoming, volunteer=mentoring.volunteer, actor=volunteer
    )
    assert registration.attendance == "registered"


def test_a_volunteer_cannot_register_another_volunteer(setup, mentoring, volunteer):
    with pytest.raises(PermissionDenied):
        register_for_training(training=setup.upcoming, volunteer=mentoring.other, actor=volunteer)


def test_a_full_training_refuses_another_registration(setup, regions, mentoring, official):
    for _ in range(3):
        register_for_training(
            training=setup.upcoming,
            volunteer=VolunteerFactory(district=regions.district),
            actor=official,
        )

    with pytest.raises(ValidationError) as error:
        register_for_training(
            training=setup.upcoming, volunteer=mentoring.volunteer, actor=official
        )

    assert "training" in error.value.message_dict
    assert setup.upcoming.registrations.count() == 3


def test_a_second_registration_of_the_same_volunteer_is_refused(setup, mentoring, volunteer):
    with pytest.raises(ValidationError) as error:
        register_for_training(
            training=setup.running, volunteer=mentoring.volunteer, actor=volunteer
        )
    assert "Sri Wahyuni" in error.value.message_dict["volunteer"][0]


def test_an_inactive_volunteer_or_an_ended_training_refuses_registration(
    setup, regions, mentoring, official, volunteer
):
    mentoring.far.status = "inactive"
    mentoring.far.save()
    with pytest.raises(ValidationError) as error:
        register_for_training(training=setup.upcoming, volunteer=mentoring.far, actor=official)
    assert "volunteer" in error.value.message_dict

    ended = TrainingFactory(regency=regions.regency, starts_on=TODAY - 9 * DAY, ends_on=TODAY - DAY)
    with pytest.raises(ValidationError) as error:
        register_for_training(training=ended, volunteer=mentoring.volunteer, actor=volunteer)
    assert "training" in error.value.message_dict


def test_an_official_may_enter_a_paper_attendance_list_after_the_training(
    regions, mentoring, official
):
    ended = TrainingFactory(regency=regions.regency, starts_on=TODAY - 9 * DAY, ends_on=TODAY - DAY)
    registration = register_for_training(
        training=ended, volunteer=mentoring.volunteer, actor=official
    )
    assert attended(registration, official).attendance == "attended"


def test_after_the_end_the_page_offers_registration_to_officials_only(
    regions, mentoring, as_persona
):
    ended = TrainingFactory(regency=regions.regency, starts_on=TODAY - 9 * DAY, ends_on=TODAY - DAY)
    url = reverse("volunteers:training-detail", args=[ended.pk])
    assert "register_form" in as_persona("official").get(url).context
    volunteer_page = as_persona("volunteer").get(url)
    assert not volunteer_page.context["can_register_self"]
    assert "register_form" not in volunteer_page.context


@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_once_cannot_overfill_the_last_place(regions, official):
    training = TrainingFactory(
        regency=regions.regency, starts_on=TODAY + DAY, ends_on=TODAY + DAY, capacity=1
    )
    volunteers = [VolunteerFactory(district=regions.district) for _ in range(2)]
    start = threading.Barrier(2)
    outcomes = []

    def register(volunteer):
        start.wait()
        try:
            register_for_training(training=training, volunteer=volunteer, actor=official)
            outcomes.append("registered")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "registered"]
    assert Registration.objects.filter(training=training).count() == 1


def test_a_volunteer_cancels_their_registration_until_attendance_is_recorded(
    setup, volunteer, official
):
    cancel_registration(registration=setup.sri, actor=volunteer)
    assert not Registration.objects.filter(pk=setup.sri.pk).exists()

    attended(setup.agus, official)
    with pytest.raises(ValidationError):
        cancel_registration(registration=setup.agus, actor=official)


# Attendance


def test_only_the_trainings_managers_record_attendance(setup, officer, coordinator, volunteer):
    for user in (officer, coordinator, volunteer):
        with pytest.raises(PermissionDenied):
            record_attendance(registration=setup.sri, attendance="attended", actor=user)
    setup.sri.refresh_from_db()
    assert setup.sri.attendance == "registered"


def test_attendance_waits_for_the_training_to_start(setup, mentoring, official):
    registration = register_for_training(
        training=setup.upcoming, volunteer=mentoring.volunteer, actor=official
    )
    with pytest.raises(ValidationError) as error:
        record_attendance(registration=registration, attendance="attended", actor=official)
    assert "attendance" in error.value.message_dict


def test_the_attendance_of_all_rows_is_saved_together_or_not_at_all(
    setup, regions, mentoring, official
):
    changed = record_training_attendance(
        training=setup.running,
        attendance={setup.sri.pk: "attended", setup.agus.pk: "absent"},
        actor=official,
    )
    assert changed == 2
    issue_certificate(registration=setup.sri, actor=official)

    # Taking back Sri's attendance (she holds a certificate) refuses the whole form.
    with pytest.raises(ValidationError):
        record_training_attendance(
            training=setup.running,
            attendance={setup.agus.pk: "attended", setup.sri.pk: "absent"},
            actor=official,
        )
    setup.agus.refresh_from_db()
    assert setup.agus.attendance == "absent"


# Certificates


def test_a_certificate_is_refused_without_attendance(setup, official):
    with pytest.raises(ValidationError) as error:
        issue_certificate(registration=setup.sri, actor=official)

    assert "attendance" in error.value.message_dict
    setup.sri.refresh_from_db()
    assert setup.sri.certificate_code is None


def test_a_certificate_gets_an_unguessable_code_once(setup, official):
    attended(setup.sri, official)

    first = issue_certificate(registration=setup.sri, actor=official)
    again = issue_certificate(registration=setup.sri, actor=official)

    assert re.fullmatch(
        f"[{CODE_ALPHABET}]{{4}}(-[{CODE_ALPHABET}]{{4}}){{2}}", first.certificate_code
    )
    assert again.certificate_code == first.certificate_code
    assert again.completed_at == first.completed_at


def test_only_managers_issue_certificates(setup, officer, volunteer, official):
    attended(setup.sri, official)
    for user in (officer, volunteer):
        with pytest.raises(PermissionDenied):
            issue_certificate(registration=setup.sri, actor=user)


def test_completing_the_training_raises_purwa_to_madya(setup, mentoring, official):
    membership = MembershipFactory(
        volunteer=mentoring.volunteer, corps=setup.corps, level=setup.levels["Purwa"]
    )
    attended(setup.sri, official)

    issue_certificate(registration=setup.sri, actor=official)

    membership.refresh_from_db()
    assert membership.level == setup.levels["Madya"]


def test_completing_the_training_never_lowers_a_level(setup, mentoring, official):
    membership = MembershipFactory(
        volunteer=mentoring.volunteer, corps=setup.corps, level=setup.levels["Utama"]
    )
    attended(setup.sri, official)

    issue_certificate(registration=setup.sri, actor=official)

    membership.refresh_from_db()
    assert membership.level == setup.levels["Utama"]


def test_completing_the_training_makes_a_non_member_a_member_at_its_level(
    setup, mentoring, official
):
    attended(setup.agus, official)

    issue_certificate(registration=setup.agus, actor=official)

    membership = Membership.objects.get(volunteer=mentoring.other, corps=setup.corps)
    assert membership.level == setup.levels["Madya"]


@pytest.mark.parametrize("typed", ["7kq2m9xdp3ht", " 7KQ2-m9xd-P3HT ", "7KQ2 M9XD P3HT"])
def test_a_typed_code_is_read_in_any_case_with_or_without_dashes(typed):
    assert normalise_certificate_code(typed) == "7KQ2-M9XD-P3HT"


@pytest.mark.parametrize("typed", ["", "7KQ2-M9XD", "0KQ2-M9XD-P3HT", "../../etc/passwd"])
def test_text_that_cannot_be_a_code_is_rejected(typed):
    assert normalise_certificate_code(typed) is None


def test_the_certificate_is_a_pdf_with_the_name_title_code_and_address(setup, official):
    attended(setup.sri, official)
    registration = issue_certificate(registration=setup.sri, actor=official)
    url = f"https://desa.example.org/sertifikat/{registration.certificate_code}/"

    pdf = certificate_pdf(registration=registration, verify_url=url)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (registration.certificate_code, "Sri Wahyuni", setup.running.title, url):
        assert expected.encode() in text


# Pages: trainings


PAGE_PERSONAS = ["official", "officer", "coordinator", "secretary", "volunteer", "outsider"]


@pytest.mark.parametrize("persona", PAGE_PERSONAS)
def test_the_training_list_shows_the_trainings_of_the_users_regency(setup, as_persona, persona):
    response = as_persona(persona).get(reverse("volunteers:training-list"))

    assert response.status_code == 200
    titles = {t.title for t in response.context["upcoming"]}
    assert titles == {"Bimtek Kader Digital", "Workshop Pandu Digital Madya"}
    assert "Seminar Desa Digital Kediri" not in response.content.decode()


def test_a_kediri_official_sees_only_kediri_trainings(setup, as_persona):
    client = as_persona("kediri_official")

    response = client.get(reverse("volunteers:training-list"))
    assert {t.title for t in response.context["upcoming"]} == {"Seminar Desa Digital Kediri"}

    for training in (setup.upcoming, setup.running):
        assert (
            client.get(reverse("volunteers:training-detail", args=[training.pk])).status_code == 404
        )


@pytest.mark.parametrize("persona", PAGE_PERSONAS)
def test_a_training_of_another_regency_is_404(setup, as_persona, persona):
    response = as_persona(persona).get(
        reverse("volunteers:training-detail", args=[setup.kediri.pk])
    )
    assert response.status_code == 404


def test_the_list_counts_registrations_and_attendance(setup, as_persona, official):
    attended(setup.sri, official)

    response = as_persona("official").get(reverse("volunteers:training-list"))

    running = next(t for t in response.context["upcoming"] if t.pk == setup.running.pk)
    assert (running.registered_count, running.attended_count) == (2, 1)


def test_past_trainings_are_listed_after_the_upcoming_ones(setup, regions, as_persona):
    TrainingFactory(
        title="Bimtek 2025",
        regency=regions.regency,
        starts_on=TODAY - 90 * DAY,
        ends_on=TODAY - 89 * DAY,
    )
    response = as_persona("official").get(reverse("volunteers:training-list"))

    assert [t.title for t in response.context["past_page"]] == ["Bimtek 2025"]
    html = response.content.decode()
    assert html.index("Workshop Pandu Digital Madya") < html.index("Bimtek 2025")


@pytest.mark.parametrize("rows", [1, 50])
def test_the_training_list_costs_the_same_queries_for_1_or_50_trainings(
    regions, mentoring, as_persona, django_assert_max_num_queries, rows
):
    for i in range(rows):
        training = TrainingFactory(
            regency=regions.regency,
            starts_on=TODAY + (i - 25) * DAY,
            ends_on=TODAY + (i - 25) * DAY,
        )
        RegistrationFactory(training=training, volunteer=mentoring.volunteer)
    client = as_persona("volunteer")

    with django_assert_max_num_queries(7):
        response = client.get(reverse("volunteers:training-list"))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_the_training_page_costs_the_same_queries_for_1_or_50_registrations(
    regions, as_persona, django_assert_max_num_queries, rows
):
    training = TrainingFactory(
        regency=regions.regency, starts_on=TODAY - DAY, ends_on=TODAY + DAY, capacity=None
    )
    for _ in range(rows):
        RegistrationFactory(training=training, volunteer__district=regions.district)
    client = as_persona("official")

    with django_assert_max_num_queries(7):
        response = client.get(reverse("volunteers:training-detail", args=[training.pk]))

    assert len(response.context["registrations"]) == rows


def test_an_official_creates_a_training_with_the_form(regions, as_persona):
    corps, levels = pandu_levels()
    response = as_persona("official").post(
        reverse("volunteers:training-create"),
        {
            "title": "Bimtek Kader Digital Kudus",
            "kind": "bimtek",
            "organiser": "Kemendes PDTT",
            "regency": regions.regency.pk,
            "corps": corps.pk,
            "awards_level": levels["Madya"].pk,
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-10",
            "place": "Hotel Santika",
            "capacity": "45",
        },
    )

    training = Training.objects.get(title="Bimtek Kader Digital Kudus")
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:training-detail", args=[training.pk])


def test_the_training_form_shows_an_end_before_the_start_on_its_field(regions, as_persona):
    response = as_persona("official").post(
        reverse("volunteers:training-create"),
        {
            "title": "Bimtek",
            "kind": "bimtek",
            "organiser": "Kominfo",
            "regency": regions.regency.pk,
            "starts_on": "2027-03-10",
            "ends_on": "2027-03-01",
            "place": "Blitar",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]


@pytest.mark.parametrize("persona", ["officer", "coordinator", "secretary", "volunteer"])
def test_only_officials_open_the_training_forms(setup, as_persona, persona):
    client = as_persona(persona)
    assert client.get(reverse("volunteers:training-create")).status_code == 403
    response = client.get(reverse("volunteers:training-update", args=[setup.upcoming.pk]))
    assert response.status_code == 403


def test_an_official_edits_a_training(setup, as_persona):
    url = reverse("volunteers:training-update", args=[setup.upcoming.pk])
    client = as_persona("official")
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    data["place"] = "Pendopo Kabupaten"

    response = client.post(url, data)

    assert response.status_code == 302
    setup.upcoming.refresh_from_db()
    assert setup.upcoming.place == "Pendopo Kabupaten"


# Pages: registrations, attendance, certificates


def test_a_volunteer_sees_their_registration_and_a_register_button(setup, as_persona):
    client = as_persona("volunteer")

    running = client.get(reverse("volunteers:training-detail", args=[setup.running.pk]))
    upcoming = client.get(reverse("volunteers:training-detail", args=[setup.upcoming.pk]))

    assert running.context["own_registration"] == setup.sri
    assert running.context["registrations"] == []  # not Agus Salim's
    assert "Agus Salim" not in running.content.decode()
    assert upcoming.context["can_register_self"]
    assert reverse("volunteers:training-register", args=[setup.upcoming.pk]) in (
        upcoming.content.decode()
    )


def test_a_volunteer_registers_with_the_button(setup, mentoring, as_persona):
    response = as_persona("volunteer").post(
        reverse("volunteers:training-register", args=[setup.upcoming.pk])
    )
    assert response.status_code == 302
    assert setup.upcoming.registrations.get().volunteer == mentoring.volunteer


@pytest.mark.parametrize("persona", ["volunteer", "secretary"])
def test_registering_someone_else_without_managing_the_training_is_403(
    setup, mentoring, as_persona, persona
):
    response = as_persona(persona).post(
        reverse("volunteers:training-register", args=[setup.upcoming.pk]),
        {"volunteer": mentoring.other.pk},
    )
    assert response.status_code == 403
    assert not setup.upcoming.registrations.exists()


def test_an_official_registers_a_volunteer_and_sees_a_full_training_refused(
    setup, regions, mentoring, as_persona
):
    client = as_persona("official")
    url = reverse("volunteers:training-register", args=[setup.upcoming.pk])
    for volunteer in (mentoring.volunteer, mentoring.other, mentoring.far):
        assert client.post(url, {"volunteer": volunteer.pk}).status_code == 302
    late = VolunteerFactory(district=regions.district, full_name="Budi Santoso")

    response = client.post(url, {"volunteer": late.pk}, follow=True)

    assert setup.upcoming.registrations.count() == 3
    assert any("3" in str(m) for m in response.context["messages"])


def test_a_manager_sees_every_registration_with_attendance_choices(setup, as_persona):
    response = as_persona("official").get(
        reverse("volunteers:training-detail", args=[setup.running.pk])
    )
    html = response.content.decode()
    assert {r.volunteer.full_name for r in response.context["registrations"]} == {
        "Sri Wahyuni",
        "Agus Salim",
    }
    assert f'name="attendance_{setup.sri.pk}"' in html
    assert 'form="attendance-form"' in html


def test_an_official_saves_the_attendance_of_all_rows_in_one_post(setup, as_persona):
    response = as_persona("official").post(
        reverse("volunteers:registration-attendance", args=[setup.running.pk]),
        {f"attendance_{setup.sri.pk}": "attended", f"attendance_{setup.agus.pk}": "absent"},
    )
    assert response.status_code == 302
    attendance = dict(setup.running.registrations.values_list("volunteer__full_name", "attendance"))
    assert attendance == {"Sri Wahyuni": "attended", "Agus Salim": "absent"}


@pytest.mark.parametrize(("persona", "status"), [("officer", 403), ("volunteer", 403)])
def test_attendance_by_others_than_managers_is_refused(setup, as_persona, persona, status):
    response = as_persona(persona).post(
        reverse("volunteers:registration-attendance", args=[setup.running.pk]),
        {f"attendance_{setup.sri.pk}": "attended", f"attendance_{setup.agus.pk}": "attended"},
    )
    assert response.status_code == status
    assert not setup.running.registrations.filter(attendance="attended").exists()


def test_the_kediri_official_gets_404_for_blitar_attendance(setup, as_persona):
    response = as_persona("kediri_official").post(
        reverse("volunteers:registration-attendance", args=[setup.running.pk]),
        {f"attendance_{setup.sri.pk}": "attended"},
    )
    assert response.status_code == 404


def test_an_official_issues_a_certificate_and_the_holder_downloads_it(
    setup, as_persona, official, client
):
    attended(setup.sri, official)
    response = as_persona("official").post(
        reverse("volunteers:certificate-issue", args=[setup.sri.pk])
    )
    assert response.status_code == 302
    setup.sri.refresh_from_db()
    code = setup.sri.certificate_code

    pdf = as_persona("volunteer").get(reverse("volunteers:certificate-pdf", args=[code]))

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert code.encode() in pdf_text(pdf.content)
    assert f"/sertifikat/{code}/".encode() in pdf_text(pdf.content)


def test_a_certificate_is_refused_on_the_page_without_attendance(setup, as_persona):
    response = as_persona("official").post(
        reverse("volunteers:certificate-issue", args=[setup.sri.pk]), follow=True
    )
    assert response.status_code == 200
    assert list(response.context["messages"])
    setup.sri.refresh_from_db()
    assert setup.sri.certificate_code is None


@pytest.mark.parametrize(
    ("persona", "status"),
    [("volunteer2", 404), ("outsider", 404), ("kediri_official", 404), ("officer", 403)],
)
def test_a_certificate_pdf_is_for_its_holder_and_the_managers_only(
    setup, official, as_persona, persona, status
):
    attended(setup.sri, official)
    code = issue_certificate(registration=setup.sri, actor=official).certificate_code

    response = as_persona(persona).get(reverse("volunteers:certificate-pdf", args=[code]))

    assert response.status_code == status


# The public certificate check


def test_the_public_page_shows_the_holder_and_training_but_no_contacts(setup, official, client):
    attended(setup.sri, official)
    registration = issue_certificate(registration=setup.sri, actor=official)
    typed = registration.certificate_code.replace("-", "").lower()

    response = client.get(reverse("certificates:verify", args=[typed]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sri Wahyuni" in html
    assert "Workshop Pandu Digital Madya" in html
    assert "Kominfo" in html
    volunteer = registration.volunteer
    for private in (volunteer.whatsapp, volunteer.whatsapp[3:], volunteer.email):
        assert private not in html
    assert response["X-Robots-Tag"] == "noindex"


def test_an_unknown_code_is_404_with_a_clear_message(db, client):
    response = client.get(reverse("certificates:verify", args=["7KQ2-M9XD-P3HT"]))

    assert response.status_code == 404
    assert response.context["registration"] is None
    assert "7KQ2-M9XD-P3HT" in response.content.decode()


def test_the_lookup_box_sends_a_typed_code_to_its_page(db, client):
    response = client.get(reverse("certificates:lookup"), {"code": "7kq2 m9xd p3ht"})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify", args=["7KQ2-M9XD-P3HT"])

    response = client.get(reverse("certificates:lookup"), {"code": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_a_volunteer_cancels_on_the_page_but_not_someone_elses_registration(setup, as_persona):
    client = as_persona("volunteer")

    others = client.post(reverse("volunteers:registration-cancel", args=[setup.agus.pk]))
    own = client.post(reverse("volunteers:registration-cancel", args=[setup.sri.pk]))

    assert others.status_code == 404
    assert own.status_code == 302
    assert list(setup.running.registrations.all()) == [setup.agus]
