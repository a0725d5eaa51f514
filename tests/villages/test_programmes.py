"""Programmes, cohorts, enrolments and milestone progress: scoping, permissions, computed
progress, evidence uploads, the pages and the API."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import (
    AssessmentFactory,
    CohortFactory,
    DistrictFactory,
    EnrolmentFactory,
    MilestoneFactory,
    MilestoneProgressFactory,
    ProgrammeFactory,
    VillageFactory,
)
from villages.actions.programmes import (
    MAX_EVIDENCE_BYTES,
    add_milestone,
    change_enrolment_status,
    enrol_village,
    update_milestone_progress,
)
from villages.models import Enrolment, Milestone, MilestoneProgress, Programme
from villages.selectors.programmes import (
    percent,
    programme_detail_context,
    village_programme_context,
)

PERSONAS = ["official", "officer", "secretary", "volunteer", "outsider", "admin_user"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def setup(regions):
    """A Blitar programme with seven milestones: Jaten (village A) has 3 done and Kelurahan Dua
    (A2) all 7, both in cohort "Angkatan I"; Bakung (B) none, in "Angkatan II". A Kediri
    programme stands apart."""
    programme = ProgrammeFactory(
        name="Pandu Digital", slug="pandu-digital", regency=regions.regency
    )
    milestones = [MilestoneFactory(programme=programme, order=i) for i in range(7)]
    first = CohortFactory(programme=programme, name="Angkatan I")
    second = CohortFactory(programme=programme, name="Angkatan II")
    jaten = EnrolmentFactory(programme=programme, village=regions.village_a, cohort=first)
    dua = EnrolmentFactory(programme=programme, village=regions.village_a2, cohort=first)
    bakung = EnrolmentFactory(programme=programme, village=regions.village_b, cohort=second)
    for milestone in milestones[:3]:
        MilestoneProgressFactory(enrolment=jaten, milestone=milestone)
    MilestoneProgressFactory(
        enrolment=jaten, milestone=milestones[3], state="in_progress", completed_on=None
    )
    for milestone in milestones:
        MilestoneProgressFactory(enrolment=dua, milestone=milestone)
    other = ProgrammeFactory(name="Kediri Digital", slug="kediri", regency=regions.other_regency)
    EnrolmentFactory(programme=other, village=regions.far_village)
    return SimpleNamespace(
        programme=programme,
        milestones=milestones,
        first=first,
        second=second,
        jaten=jaten,
        dua=dua,
        bakung=bakung,
        other=other,
    )


@pytest.fixture
def api_as(request):
    def log_in(persona):
        api = APIClient()
        api.force_authenticate(request.getfixturevalue(persona))
        return api

    return log_in


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


# Computed progress


def test_three_of_seven_milestones_done_is_43_percent():
    assert percent(3, 7) == 43
    assert percent(1, 2) == 50
    assert percent(0, 0) == 0


def test_the_programme_page_computes_each_enrolments_progress_and_the_cohort_averages(
    setup, official
):
    context = programme_detail_context(user=official, programme=setup.programme)

    progress = {
        e.village.name: (e.milestones_done, e.progress_percent) for e in context["enrolments"]
    }
    assert progress == {"Jaten": (3, 43), "Kelurahan Dua": (7, 100), "Bakung": (0, 0)}
    cohorts = {row.cohort.name: row.summary for row in context["cohort_summaries"]}
    assert cohorts["Angkatan I"].average_percent == 71  # (3 + 7) of 14
    assert cohorts["Angkatan II"].average_percent == 0
    assert context["summary"].average_percent == 48  # 10 of 21
    assert context["summary"].by_status == {"active": 3}


def test_a_withdrawn_enrolment_is_counted_under_its_status(setup, official):
    change_enrolment_status(enrolment=setup.bakung, status="withdrawn", actor=official)

    summary = programme_detail_context(user=official, programme=setup.programme)["summary"]

    assert summary.by_status == {"active": 2, "withdrawn": 1}
    with translation.override("en"):
        assert summary.status_text == "active 2, withdrawn 1"
    assert {s: n for s, _label, n in summary.status_counts}["withdrawn"] == 1


# Pages: scoping and permissions


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_programme_list_shows_the_programmes_of_the_users_regency(as_persona, setup, persona):
    response = as_persona(persona).get(reverse("programmes:programme-list"))

    assert response.status_code == 200
    names = {programme.name for programme in response.context["programmes"]}
    expected = {
        "volunteer": set(),
        "admin_user": {"Pandu Digital", "Kediri Digital"},
    }.get(persona, {"Pandu Digital"})
    assert names == expected


@pytest.mark.parametrize(
    ("persona", "villages"),
    [
        ("official", {"Jaten", "Kelurahan Dua", "Bakung"}),
        ("officer", {"Jaten", "Kelurahan Dua"}),
        ("secretary", {"Jaten"}),
        ("outsider", {"Bakung"}),
        ("admin_user", {"Jaten", "Kelurahan Dua", "Bakung"}),
    ],
)
def test_the_programme_page_lists_only_the_enrolled_villages_in_the_users_area(
    as_persona, setup, persona, villages
):
    response = as_persona(persona).get(
        reverse("programmes:programme-detail", args=["pandu-digital"])
    )

    assert response.status_code == 200
    assert {e.village.name for e in response.context["enrolments"]} == villages
    html = response.content.decode()
    assert (
        'data-geojson-url="/api/village-boundaries/?regency=35.05&amp;programme=pandu-digital'
        in html
    )


@pytest.mark.parametrize("persona", ["official", "officer", "secretary", "outsider", "volunteer"])
def test_a_programme_of_another_regency_is_404(as_persona, setup, persona):
    response = as_persona(persona).get(reverse("programmes:programme-detail", args=["kediri"]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, setup):
    response = client.get(reverse("programmes:programme-detail", args=["pandu-digital"]))
    assert response.status_code == 302
    assert "/akun/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["officer", "secretary", "outsider"])
def test_only_officials_may_add_a_milestone_others_who_see_the_programme_get_403(
    as_persona, setup, persona
):
    client = as_persona(persona)
    url = reverse("programmes:milestone-create", args=["pandu-digital"])

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Sembarang"}).status_code == 403
    assert not Milestone.objects.filter(name="Sembarang").exists()


def test_an_official_adds_a_milestone_after_the_last_one(as_persona, setup):
    response = as_persona("official").post(
        reverse("programmes:milestone-create", args=["pandu-digital"]),
        {"name": "Katalog layanan digital terbit", "target_count": ""},
    )

    assert response.status_code == 302
    milestone = Milestone.objects.get(name="Katalog layanan digital terbit")
    assert milestone.order == 7


def test_an_official_enrols_a_village_in_a_new_cohort(as_persona, setup, regions):
    village = VillageFactory(
        code="35.05.02.2002", name="Karangrejo", district=regions.other_district
    )

    response = as_persona("official").post(
        reverse("programmes:enrolment-create", args=["pandu-digital"]),
        {
            "village": village.code,
            "new_cohort": "Angkatan III",
            "status": "candidate",
            "enrolled_on": "2021-04-01",
        },
    )

    assert response.status_code == 302
    enrolment = Enrolment.objects.get(village=village)
    assert (enrolment.cohort.name, enrolment.status) == ("Angkatan III", "candidate")


def test_an_official_changes_an_enrolments_status_and_a_secretary_may_not(as_persona, setup):
    url = reverse("programmes:enrolment-status", args=["pandu-digital", setup.jaten.pk])

    assert as_persona("secretary").post(url, {"status": "graduated"}).status_code == 403
    assert as_persona("official").post(url, {"status": "graduated"}).status_code == 302
    setup.jaten.refresh_from_db()
    assert setup.jaten.status == "graduated"


def test_a_village_outside_the_programmes_regency_cannot_be_enrolled(setup, official, regions):
    with pytest.raises(ValidationError) as error:
        enrol_village(
            programme=setup.programme,
            village=regions.far_village,
            enrolled_on=datetime.date(2021, 4, 1),
            actor=official,
        )
    assert list(error.value.message_dict) == ["village"]


def test_an_official_of_another_regency_may_not_manage_the_programme(setup, regions):
    from tests.factories import UserFactory, grant
    from villages.models import Role

    kediri_official = UserFactory()
    grant(kediri_official, Role.DISTRICT_OFFICIAL, regions.other_regency)
    with pytest.raises(PermissionDenied):
        add_milestone(programme=setup.programme, name="Sembarang", actor=kediri_official)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("secretary", 200),
        ("officer", 200),
        ("official", 200),
        ("admin_user", 200),
        ("outsider", 404),
        ("volunteer", 404),
    ],
)
def test_the_progress_form_opens_for_those_who_may_update_village_a(
    as_persona, setup, persona, expected
):
    url = reverse(
        "programmes:progress-update", args=["pandu-digital", setup.jaten.pk, setup.milestones[4].pk]
    )
    assert as_persona(persona).get(url).status_code == expected


def test_a_secretary_marks_a_milestone_done_with_a_date_and_a_link(as_persona, setup):
    milestone = setup.milestones[4]
    url = reverse(
        "programmes:progress-update", args=["pandu-digital", setup.jaten.pk, milestone.pk]
    )
    client = as_persona("secretary")

    refused = client.post(url, {"state": "done", "evidence_url": "https://jaten.desa.id/"})
    saved = client.post(
        url,
        {"state": "done", "completed_on": "2021-08-17", "evidence_url": "https://jaten.desa.id/"},
    )

    assert refused.status_code == 200
    assert "completed_on" in refused.context["form"].errors
    assert saved.status_code == 302
    progress = MilestoneProgress.objects.get(enrolment=setup.jaten, milestone=milestone)
    assert (progress.state, progress.completed_on) == ("done", datetime.date(2021, 8, 17))
    assert progress.evidence_url == "https://jaten.desa.id/"

    # Opened again, the form shows the saved date (a date input reads ISO dates only).
    assert 'value="2021-08-17"' in client.get(url).content.decode()


def test_the_village_panel_lists_its_enrolments_with_milestone_states_and_evidence(
    setup, secretary
):
    MilestoneProgress.objects.filter(enrolment=setup.jaten, milestone=setup.milestones[0]).update(
        evidence_url="https://jaten.desa.id/"
    )
    context = village_programme_context(user=secretary, village=setup.jaten.village)

    (enrolment,) = context["village_enrolments"]
    assert enrolment.progress_percent == 43
    states = [row.state for row in enrolment.milestone_rows]
    assert states == ["done"] * 3 + ["in_progress"] + ["not_started"] * 3
    assert context["can_update_progress"] and not context["can_record_assessment"]

    from django.template.loader import render_to_string

    html = render_to_string("villages/includes/village_programmes.html", context)
    assert "Pandu Digital" in html
    assert 'href="https://jaten.desa.id/"' in html


# Evidence files


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_png_named_pdf_is_stored_as_the_png_it_is_under_a_name_of_our_making(setup, secretary):
    progress = update_milestone_progress(
        enrolment=setup.jaten,
        milestone=setup.milestones[5],
        state="in_progress",
        evidence_file=upload(PNG, "../../etc/surat keputusan.pdf"),
        actor=secretary,
    )

    name = progress.evidence_file.name
    assert name.endswith(".png")
    assert name.startswith(f"evidence/milestones/{setup.jaten.pk}/{setup.milestones[5].pk}")
    assert "surat" not in name and ".." not in name
    assert progress.evidence_file.storage.open(name).read() == PNG


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("secretary", 200), ("official", 200), ("outsider", 404), ("volunteer", 404)],
)
def test_an_evidence_file_is_served_only_to_those_who_see_the_village(
    as_persona, setup, secretary, persona, expected
):
    progress = update_milestone_progress(
        enrolment=setup.jaten,
        milestone=setup.milestones[5],
        state="in_progress",
        evidence_file=upload(PNG, "foto.pdf"),
        actor=secretary,
    )

    response = as_persona(persona).get(reverse("programmes:evidence-file", args=[progress.pk]))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG


def test_a_real_pdf_is_accepted(setup, secretary):
    progress = update_milestone_progress(
        enrolment=setup.jaten,
        milestone=setup.milestones[5],
        state="in_progress",
        evidence_file=upload(PDF, "sk.pdf"),
        actor=secretary,
    )
    assert progress.evidence_file.name.endswith(".pdf")


def test_an_executable_renamed_pdf_is_refused(setup, secretary):
    with pytest.raises(ValidationError) as error:
        update_milestone_progress(
            enrolment=setup.jaten,
            milestone=setup.milestones[5],
            state="in_progress",
            evidence_file=upload(EXE, "sk.pdf"),
            actor=secretary,
        )
    assert "evidence_file" in error.value.message_dict
    assert not MilestoneProgress.objects.filter(
        enrolment=setup.jaten, milestone=setup.milestones[5]
    ).exists()


def test_a_file_over_5_mb_is_refused(setup, secretary):
    big = PDF + b"0" * (MAX_EVIDENCE_BYTES - len(PDF) + 1)
    with pytest.raises(ValidationError, match="5 MB"):
        update_milestone_progress(
            enrolment=setup.jaten,
            milestone=setup.milestones[5],
            state="in_progress",
            evidence_file=upload(big, "sk.pdf"),
            actor=secretary,
        )


def test_a_file_of_exactly_5_mb_is_accepted(setup, secretary):
    exact = PDF + b"0" * (MAX_EVIDENCE_BYTES - len(PDF))
    progress = update_milestone_progress(
        enrolment=setup.jaten,
        milestone=setup.milestones[5],
        state="in_progress",
        evidence_file=upload(exact, "sk.pdf"),
        actor=secretary,
    )
    assert progress.evidence_file.size == MAX_EVIDENCE_BYTES


def test_a_milestone_of_another_programme_is_refused(setup, secretary):
    foreign = MilestoneFactory(programme=setup.other)
    with pytest.raises(ValidationError) as error:
        update_milestone_progress(
            enrolment=setup.jaten, milestone=foreign, state="not_started", actor=secretary
        )
    assert list(error.value.message_dict) == ["milestone"]


def test_the_outsider_may_not_update_village_as_progress(setup, outsider):
    with pytest.raises(PermissionDenied):
        update_milestone_progress(
            enrolment=setup.jaten,
            milestone=setup.milestones[6],
            state="in_progress",
            actor=outsider,
        )


# API


@pytest.mark.parametrize(
    ("persona", "villages"),
    [
        ("official", {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001"}),
        ("officer", {"35.05.01.2001", "35.05.01.1001"}),
        ("secretary", {"35.05.01.2001"}),
        ("outsider", {"35.05.02.2001"}),
        ("volunteer", set()),
        ("admin_user", {"35.05.01.2001", "35.05.01.1001", "35.05.02.2001", "35.06.01.2001"}),
    ],
)
def test_the_enrolments_api_lists_the_users_villages_with_their_progress(
    api_as, setup, persona, villages
):
    results = api_as(persona).get("/api/enrolments/").json()["results"]

    assert {row["village"] for row in results} == villages
    by_village = {row["village"]: row["progress"] for row in results}
    if "35.05.01.2001" in by_village:
        assert by_village["35.05.01.2001"] == 43


def test_the_enrolments_api_filters_by_programme_cohort_status_and_village(api_as, setup, official):
    api = api_as("official")
    change_enrolment_status(enrolment=setup.dua, status="graduated", actor=official)

    def villages(query):
        return {row["village"] for row in api.get(f"/api/enrolments/?{query}").json()["results"]}

    assert villages(f"cohort={setup.second.pk}") == {"35.05.02.2001"}
    assert villages("status=graduated") == {"35.05.01.1001"}
    assert villages("village=35.05.01.2001") == {"35.05.01.2001"}
    assert villages(f"programme={setup.other.pk}") == set()


def test_the_programmes_api_gives_counts_and_average_progress(api_as, setup):
    (row,) = api_as("official").get("/api/programmes/").json()["results"]
    assert (row["slug"], row["enrolment_count"], row["milestone_count"]) == ("pandu-digital", 3, 7)
    assert row["average_progress"] == 48
    assert api_as("outsider").get(f"/api/programmes/{setup.other.pk}/").status_code == 404


def test_the_milestones_api_is_scoped_by_programme_and_filterable(api_as, setup):
    MilestoneFactory(programme=setup.other)
    api = api_as("secretary")
    assert api.get("/api/milestones/").json()["count"] == 7
    assert api.get(f"/api/milestones/?programme={setup.other.pk}").json()["count"] == 0
    assert (
        api_as("admin_user").get(f"/api/milestones/?programme={setup.other.pk}").json()["count"]
        == 1
    )


def test_the_milestone_progress_api_records_progress_with_a_multipart_upload(api_as, setup):
    api = api_as("secretary")
    milestone = setup.milestones[6]

    response = api.post(
        "/api/milestone-progress/",
        {
            "enrolment": setup.jaten.pk,
            "milestone": milestone.pk,
            "state": "done",
            "completed_on": "2021-09-01",
            "evidence_file": io.BytesIO(PNG),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    progress = MilestoneProgress.objects.get(enrolment=setup.jaten, milestone=milestone)
    assert progress.state == "done"
    assert progress.evidence_file.name.endswith(".png")
    assert response.json()["evidence_file"].endswith(f"/program/bukti/{progress.pk}/")


def test_the_milestone_progress_api_patches_through_the_action(api_as, setup):
    progress = MilestoneProgress.objects.get(enrolment=setup.jaten, milestone=setup.milestones[3])
    api = api_as("officer")

    refused = api.patch(f"/api/milestone-progress/{progress.pk}/", {"state": "done"}, format="json")
    accepted = api.patch(
        f"/api/milestone-progress/{progress.pk}/",
        {"state": "done", "completed_on": "2021-10-01"},
        format="json",
    )

    assert refused.status_code == 400
    assert "completed_on" in refused.json()
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "done"


def test_the_milestone_progress_api_is_404_for_the_outsider_and_empty_for_a_volunteer(
    api_as, setup
):
    progress = MilestoneProgress.objects.get(enrolment=setup.jaten, milestone=setup.milestones[0])
    body = {"state": "not_started"}
    assert (
        api_as("outsider")
        .patch(f"/api/milestone-progress/{progress.pk}/", body, format="json")
        .status_code
        == 404
    )
    assert (
        api_as("outsider")
        .post(
            "/api/milestone-progress/",
            {"enrolment": setup.jaten.pk, "milestone": setup.milestones[6].pk, **body},
            format="json",
        )
        .status_code
        == 404
    )
    assert api_as("volunteer").get("/api/milestone-progress/").json()["count"] == 0


def test_the_milestone_progress_api_filters_by_village_and_enrolment(api_as, setup):
    api = api_as("official")
    by_village = api.get("/api/milestone-progress/?village=35.05.01.2001").json()
    by_enrolment = api.get(f"/api/milestone-progress/?enrolment={setup.dua.pk}").json()
    assert by_village["count"] == 4
    assert by_enrolment["count"] == 7


def test_an_official_creates_a_programme_adds_a_milestone_and_enrols_through_the_api(
    api_as, setup, regions
):
    api = api_as("official")

    programme = api.post(
        "/api/programmes/",
        {
            "name": "Desa Wisata Digital",
            "slug": "desa-wisata-digital",
            "owner_agency": "Dinas Pariwisata",
            "regency": "35.05",
            "starts_on": "2022-01-01",
        },
        format="json",
    )
    programme_id = programme.json()["id"]
    milestone = api.post(
        "/api/milestones/", {"programme": programme_id, "name": "Situs wisata"}, format="json"
    )
    enrolment = api.post(
        "/api/enrolments/",
        {"programme": programme_id, "village": "35.05.02.2001", "enrolled_on": "2022-01-10"},
        format="json",
    )
    changed = api.patch(
        f"/api/enrolments/{enrolment.json()['id']}/", {"status": "graduated"}, format="json"
    )

    assert (programme.status_code, milestone.status_code, enrolment.status_code) == (201, 201, 201)
    assert enrolment.json()["milestones_total"] == 1
    assert changed.json()["status"] == "graduated"


@pytest.mark.parametrize(
    ("persona", "expected"), [("secretary", 403), ("officer", 403), ("volunteer", 404)]
)
def test_only_officials_manage_programmes_through_the_api(api_as, setup, persona, expected):
    api = api_as(persona)
    milestone = api.post(
        "/api/milestones/", {"programme": setup.programme.pk, "name": "Sembarang"}, format="json"
    )
    assert milestone.status_code == expected
    assert not Milestone.objects.filter(name="Sembarang").exists()


def test_an_enrolment_out_of_scope_cannot_be_changed_through_the_api(api_as, setup):
    response = api_as("outsider").patch(
        f"/api/enrolments/{setup.jaten.pk}/", {"status": "withdrawn"}, format="json"
    )
    assert response.status_code == 404
    setup.jaten.refresh_from_db()
    assert setup.jaten.status == "active"


def test_the_openapi_schema_lists_the_programme_endpoints():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path in (
        "/api/programmes/",
        "/api/enrolments/",
        "/api/milestones/",
        "/api/milestone-progress/",
        "/api/milestone-progress/{id}/",
        "/api/assessments/",
    ):
        assert path in paths
    components = str(response.json()["components"])
    for name in ("CreateMilestoneProgressInput", "EnrolVillageInput", "AddMilestoneInput"):
        assert name in components


# Query budgets


def enrol_many(programme, count, district):
    for number in range(count):
        village = VillageFactory(
            code=f"{district.code}.{2100 + number}", name=f"Desa {number}", district=district
        )
        enrolment = EnrolmentFactory(programme=programme, village=village)
        for milestone in programme.milestones.all()[:2]:
            MilestoneProgressFactory(enrolment=enrolment, milestone=milestone)


@pytest.fixture
def sized_programme(regions):
    def build(count):
        district = DistrictFactory(regency=regions.regency)
        programme = ProgrammeFactory(regency=regions.regency)
        for order in range(3):
            MilestoneFactory(programme=programme, order=order)
        CohortFactory(programme=programme)
        enrol_many(programme, count, district)
        return programme

    return build


def test_the_programme_page_costs_the_same_queries_for_1_and_50_villages(
    as_persona, sized_programme
):
    client = as_persona("official")
    small, large = sized_programme(1), sized_programme(50)

    def page(programme):
        response = client.get(reverse("programmes:programme-detail", args=[programme.slug]))
        assert response.status_code == 200
        return response

    page(small)  # warm up session and translations
    assert count_queries(lambda: page(small)) == count_queries(lambda: page(large))
    assert count_queries(lambda: page(large)) <= 12


def test_the_programme_list_and_apis_cost_the_same_queries_for_1_and_50_rows(
    api_as, as_persona, sized_programme
):
    sized_programme(1)
    client = as_persona("official")
    api = api_as("official")
    urls = ["/api/enrolments/", "/api/milestone-progress/", "/api/programmes/"]
    page = reverse("programmes:programme-list")

    def measure():
        # Warm up first: the user and their roles are read once after a write.
        api.get(urls[0])
        client.get(page)
        apis = {url: count_queries(lambda url=url: api.get(url)) for url in urls}
        return apis, count_queries(lambda: client.get(page))

    before, list_before = measure()
    assert api.get("/api/enrolments/").json()["count"] == 1
    sized_programme(50)
    after, list_after = measure()
    assert api.get("/api/enrolments/").json()["count"] == 51
    assert before == after
    assert list_before == list_after


def test_the_village_programme_panel_costs_the_same_queries_for_1_and_many_enrolments(
    regions, official
):
    village = regions.village_a
    ProgrammeFactory.reset_sequence(100)

    def one_more():
        programme = ProgrammeFactory(regency=regions.regency)
        milestone = MilestoneFactory(programme=programme)
        enrolment = EnrolmentFactory(programme=programme, village=village)
        MilestoneProgressFactory(enrolment=enrolment, milestone=milestone)

    one_more()
    official = type(official).objects.get(pk=official.pk)
    single = count_queries(lambda: village_programme_context(user=official, village=village))
    for _ in range(20):
        one_more()
    official = type(official).objects.get(pk=official.pk)
    many = count_queries(lambda: village_programme_context(user=official, village=village))
    assert single == many


# Creating a programme from the pages


def programme_post(regency_code: str, slug: str = "pilot-2026") -> dict:
    return {
        "name": "Pilot Desa Digital 2026",
        "slug": slug,
        "owner_agency": "Dinas Kominfo",
        "regency": regency_code,
        "starts_on": "2026-01-05",
        "ends_on": "2026-12-20",
        "description": "",
    }


def test_an_official_creates_a_programme_in_their_regency_from_the_page(client, official, regions):
    client.force_login(official)
    response = client.post(reverse("programmes:programme-create"), programme_post("35.05"))
    assert response.status_code == 302
    programme = Programme.objects.get(slug="pilot-2026")
    assert programme.regency_id == "35.05"
    assert response["Location"] == reverse("programmes:programme-detail", args=[programme.slug])


def test_an_official_cannot_create_a_programme_in_another_regency(client, official, regions):
    client.force_login(official)
    response = client.post(reverse("programmes:programme-create"), programme_post("35.06"))
    assert response.status_code == 200
    assert "regency" in response.context["form"].errors
    assert not Programme.objects.exists()


@pytest.mark.parametrize("persona", ["secretary", "officer", "volunteer", "outsider"])
def test_only_officials_and_administrators_may_open_the_new_programme_page(
    client, request, regions, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programmes:programme-create")).status_code == 403


def test_a_programme_ending_before_it_starts_is_refused_with_a_message(client, official, regions):
    client.force_login(official)
    data = {**programme_post("35.05"), "ends_on": "2025-01-01"}
    response = client.post(reverse("programmes:programme-create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Programme.objects.exists()


# Choosing the baseline an enrolment's progress is measured from


@pytest.fixture
def enrolment_with_assessments(regions):
    enrolment = EnrolmentFactory(
        programme=ProgrammeFactory(regency=regions.regency), village=regions.village_a
    )
    first = AssessmentFactory(village=regions.village_a, assessed_on=datetime.date(2021, 3, 1))
    second = AssessmentFactory(village=regions.village_a, assessed_on=datetime.date(2021, 9, 1))
    elsewhere = AssessmentFactory(village=regions.village_b)
    return SimpleNamespace(enrolment=enrolment, first=first, second=second, elsewhere=elsewhere)


def test_an_official_sets_the_baseline_through_the_api(official, enrolment_with_assessments):
    data = enrolment_with_assessments
    api = APIClient()
    api.force_authenticate(official)
    response = api.patch(
        f"/api/enrolments/{data.enrolment.pk}/",
        {"status": "active", "baseline": data.second.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["baseline"] == data.second.pk
    data.enrolment.refresh_from_db()
    assert data.enrolment.baseline_id == data.second.pk


def test_an_official_sets_the_baseline_on_the_enrolment_page(
    client, official, enrolment_with_assessments
):
    data = enrolment_with_assessments
    programme = data.enrolment.programme
    client.force_login(official)
    response = client.post(
        reverse("programmes:enrolment-status", args=[programme.slug, data.enrolment.pk]),
        {"status": "active", "cohort": "", "baseline": data.second.pk},
    )
    assert response.status_code == 302
    data.enrolment.refresh_from_db()
    assert data.enrolment.baseline_id == data.second.pk


def test_a_baseline_of_another_village_is_refused(official, enrolment_with_assessments):
    data = enrolment_with_assessments
    with translation.override("en"), pytest.raises(ValidationError, match="this village"):
        change_enrolment_status(
            enrolment=data.enrolment, status="active", baseline=data.elsewhere, actor=official
        )
    data.enrolment.refresh_from_db()
    assert data.enrolment.baseline_id is None
