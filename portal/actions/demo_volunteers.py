"""Demo volunteers: the three corps across Blitar, a main mentor for each village of the Pandu
Digital cohort, trainings with attendance and certificates, and four months of mentoring visits.

Everything goes through the volunteers app's actions, as the users who would do it (the district
official assigns and reviews, each mentor logs their own visits). Idempotent: volunteers are found
by their WhatsApp number, trainings by title, visits by a client id derived from mentor and number.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.actions.demo import demo_programme_villages
from villages.models import Programme, Regency, Role, RoleAssignment, Village, VillageBoundary
from volunteers.actions.roster import assign_volunteer, create_volunteer, save_membership
from volunteers.actions.trainings import (
    create_training,
    issue_certificate,
    record_attendance,
    register_for_training,
)
from volunteers.actions.visits import create_visit, return_visit, submit_visit, verify_visit
from volunteers.models import (
    ActivityType,
    Assignment,
    Corps,
    CorpsLevel,
    Training,
    Visit,
    Volunteer,
)

FEMALE = ("Sri", "Dewi", "Siti", "Rina", "Wulan", "Ayu", "Nur", "Endah", "Fitri", "Indah")
MALE = ("Agus", "Budi", "Eko", "Dwi", "Joko", "Hendra", "Rudi", "Yusuf", "Arif", "Bayu")
# Second names by gender (Javanese names have no family name): Sri Wahyuni, Agus Santoso, …
FEMALE_SECOND = ("Wahyuni", "Rahmawati", "Lestari", "Utami", "Susanti", "Handayani", "Puspita")
MALE_SECOND = ("Santoso", "Prasetyo", "Setiawan", "Hidayat", "Kurniawan", "Nugroho", "Saputra")
SKILLS = ("desain grafis", "media sosial", "website desa", "spreadsheet", "fotografi", "jaringan")
DEMO_JOINED_ON = datetime.date(2021, 2, 15)
DEMO_ASSIGNED_ON = datetime.date(2021, 3, 1)
# The cohort's last mentor left in mid-2026: one pilot village shows the "no main mentor" flag.
DEMO_LEFT_ON = datetime.date(2026, 6, 30)
VISITS_PER_MENTOR = 8
ACTIVITY_CYCLE = tuple(ActivityType)
PILLAR_CYCLE = ("masyarakat", "ekonomi", "tata_kelola", "lingkungan", "kehidupan", "mobilitas")
# A fixed namespace, so that a visit's client id follows from its mentor and number.
DEMO_VISIT_NAMESPACE = uuid.UUID("6f1c2a4e-0d7b-4c55-9a3e-2b8f61d0c9a1")


@dataclass(frozen=True)
class DemoVolunteersResult:
    volunteers: int
    assignments: int
    trainings: int
    visits: int


@transaction.atomic
def load_demo_volunteers() -> DemoVolunteersResult:
    """Load the volunteers demo on top of `load_demo()` (and the boundaries, when imported, so
    that visit positions are checked against them). Raises Programme.DoesNotExist without it."""
    official = User.objects.get(username="pejabat")
    programme = Programme.objects.get(slug="pandu-digital-2021")
    cohort = [e.village for e in programme.enrolments.select_related("village__district")]
    corps = {c.code: c for c in Corps.objects.all()}
    levels = {(level.corps.code, level.name): level for level in CorpsLevel.objects.all()}

    mentors = _demo_mentors(official, cohort, corps, levels)
    _demo_relawan_tik(official, corps)
    kaders = _demo_kader_digital(official, corps)
    _demo_assignments(official, programme, mentors, cohort)
    _demo_trainings(official, corps, levels, mentors, kaders)
    _demo_visits(official, mentors, cohort)
    return DemoVolunteersResult(
        volunteers=Volunteer.objects.count(),
        assignments=Assignment.objects.count(),
        trainings=Training.objects.count(),
        visits=Visit.objects.count(),
    )


def _name(index: int) -> tuple[str, str]:
    gender = "female" if index % 2 == 0 else "male"
    first = (FEMALE if gender == "female" else MALE)[index // 2 % 10]
    second = (FEMALE_SECOND if gender == "female" else MALE_SECOND)[index % 7]
    return f"{first} {second}", gender


def _volunteer(official: User, number: int, **fields) -> Volunteer:
    """The demo volunteer with WhatsApp number `number`, created the first time."""
    whatsapp = f"+62812{31000000 + number}"
    existing = Volunteer.objects.filter(whatsapp=whatsapp).first()
    if existing:
        return existing
    full_name, gender = _name(number)
    return create_volunteer(
        actor=official,
        full_name=full_name,
        gender=gender,
        whatsapp=whatsapp,
        email=f"relawan{number}@example.org",
        skills=", ".join(SKILLS[(number + k) % len(SKILLS)] for k in range(2)),
        joined_on=DEMO_JOINED_ON,
        **fields,
    )


def _login(volunteer: Volunteer, username: str) -> None:
    """Mentors log their own visits, so each needs a user; only `relawan` signs in (the others
    have no usable password)."""
    if volunteer.user_id:
        return
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=volunteer.full_name)
        user.set_unusable_password()
        user.save()
    RoleAssignment.objects.get_or_create(user=user, role=Role.VOLUNTEER)
    Volunteer.objects.filter(pk=volunteer.pk).update(user=user)
    volunteer.user = user


def _member(official, volunteer: Volunteer, corps: Corps, **fields) -> None:
    """Add the membership the first time only: a rerun keeps levels raised by trainings."""
    if not volunteer.memberships.filter(corps=corps).exists():
        save_membership(volunteer=volunteer, corps=corps, actor=official, **fields)


def _demo_mentors(official, cohort: list[Village], corps, levels) -> list[Volunteer]:
    """A Pandu Digital for each cohort village, based in its kecamatan; the demo user `relawan`
    mentors the first (Jaten). The first three are Relawan TIK too."""
    mentors = []
    for index, village in enumerate(cohort):
        mentor = _volunteer(official, index, district=village.district, home_village=village)
        _member(
            official,
            mentor,
            corps["pandu-digital"],
            level=levels[("pandu-digital", "Purwa")],
            since=DEMO_ASSIGNED_ON,
        )
        if index < 3:
            _member(
                official,
                mentor,
                corps["relawan-tik"],
                komisariat=f"Komisariat {village.district.name.title()}",
                position="Anggota",
            )
        _login(mentor, "relawan" if index == 0 else f"pandu{index + 1:02d}")
        mentors.append(mentor)
    return mentors


def _demo_relawan_tik(official, corps) -> list[Volunteer]:
    """Two Relawan TIK per kecamatan for the first six kecamatan: a chair and a member."""
    districts = Regency.objects.get(code="35.05").districts.order_by("code")[:6]
    members = []
    for d_index, district in enumerate(districts):
        for position_index, position in enumerate(("Ketua", "Anggota")):
            number = 100 + d_index * 2 + position_index
            member = _volunteer(official, number, district=district)
            _member(
                official,
                member,
                corps["relawan-tik"],
                komisariat=f"Komisariat {district.name.title()}",
                position=position,
                since=datetime.date(2019, 8, 17),
            )
            members.append(member)
    return members


def _demo_kader_digital(official, corps) -> list[Volunteer]:
    """Twelve Kader Digital, each appointed by the head of a Desa Cerdas village with a decree."""
    kaders = []
    for index, village in enumerate(demo_programme_villages()[:12]):
        number = 200 + index
        kader = _volunteer(official, number, district=village.district, home_village=village)
        _member(
            official,
            kader,
            corps["kader-digital"],
            appointing_village=village,
            decree_number=f"188/{index + 1:02d}/409.{village.code[-4:]}/2026",
            decree_date=datetime.date(2026, 7, 1),
            since=datetime.date(2026, 7, 1),
        )
        kaders.append(kader)
    return kaders


def _demo_assignments(official, programme, mentors, cohort) -> None:
    """Each mentor is the main mentor of their village; the last left in mid-2026."""
    for index, (mentor, village) in enumerate(zip(mentors, cohort, strict=True)):
        if Assignment.objects.filter(volunteer=mentor, village=village).exists():
            continue
        last = index == len(cohort) - 1
        assign_volunteer(
            volunteer=mentor,
            village=village,
            programme=programme,
            role="main",
            starts_on=DEMO_ASSIGNED_ON,
            ends_on=DEMO_LEFT_ON if last else None,
            actor=official,
        )
    # The mentor of the second village supports the first (Jaten) as well.
    if not Assignment.objects.filter(volunteer=mentors[1], village=cohort[0]).exists():
        assign_volunteer(
            volunteer=mentors[1],
            village=cohort[0],
            programme=programme,
            role="supporting",
            starts_on=datetime.date(2026, 1, 5),
            actor=official,
        )


def _training(official, title: str, **fields) -> tuple[Training, bool]:
    regency = Regency.objects.get(code="35.05")
    existing = Training.objects.filter(title=title, regency=regency).first()
    if existing:
        return existing, False
    return create_training(actor=official, title=title, regency=regency, **fields), True


def _demo_trainings(official, corps, levels, mentors, kaders) -> None:
    """A ten-day Bimtek for the Kader Digital (two absent), a Pandu Digital course that raises
    its graduates to Madya, and an upcoming workshop open for registration."""
    today = timezone.localdate()
    bimtek, new = _training(
        official,
        "Bimtek Kader Digital Kabupaten Blitar 2026",
        kind="bimtek",
        organiser="Kemendes PDTT",
        corps=corps["kader-digital"],
        starts_on=datetime.date(2026, 9, 7),
        ends_on=datetime.date(2026, 9, 16),
        place="Aula Kantor Bupati Blitar, Kanigoro",
        capacity=45,
    )
    if new:
        _attend(official, bimtek, kaders, absent={3, 8})
    course, new = _training(
        official,
        "Pelatihan Pandu Digital Madya",
        kind="workshop",
        organiser="Kominfo",
        corps=corps["pandu-digital"],
        awards_level=levels[("pandu-digital", "Madya")],
        starts_on=datetime.date(2026, 10, 12),
        ends_on=datetime.date(2026, 10, 13),
        place="Gedung Kominfo Kabupaten Blitar",
        capacity=30,
    )
    if new:
        _attend(official, course, mentors[:8], absent={5, 7})
    workshop, new = _training(
        official,
        "Workshop Website Desa dan Media Sosial",
        kind="workshop",
        organiser="Dinas Kominfo Kabupaten Blitar",
        starts_on=today + datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=11),
        place="Balai Desa Jaten, Wonodadi",
        capacity=40,
    )
    if new:
        for volunteer in mentors[:5]:
            register_for_training(training=workshop, volunteer=volunteer, actor=official)


def _attend(official, training, volunteers, absent: set[int]) -> None:
    for index, volunteer in enumerate(volunteers):
        registration = register_for_training(training=training, volunteer=volunteer, actor=official)
        attended = index not in absent
        registration = record_attendance(
            registration=registration,
            attendance="attended" if attended else "absent",
            actor=official,
        )
        if attended:
            issue_certificate(registration=registration, actor=official)


# Visits: (activity summary, follow-up) by activity type.
VISIT_TEXTS = {
    ActivityType.DIGITAL_LITERACY: (
        "Literasi digital untuk ibu-ibu PKK: keamanan akun dan mengenali hoaks.",
        "Sesi lanjutan tentang dompet digital.",
    ),
    ActivityType.PUBLIC_SERVICES: (
        "Mendampingi perangkat desa mengisi formulir layanan surat secara daring.",
        "Uji coba layanan surat keterangan domisili daring.",
    ),
    ActivityType.WEBSITE_SOCIAL: (
        "Memperbarui berita dan profil di situs web desa, melatih admin media sosial.",
        "Jadwal unggahan mingguan untuk akun desa.",
    ),
    ActivityType.UMKM_ONLINE: (
        "Mendaftarkan UMKM keripik dan batik ke lokapasar, memotret produk.",
        "Pendampingan pengemasan dan ongkos kirim.",
    ),
    ActivityType.VILLAGE_INTERNET: (
        "Memeriksa titik Wi-Fi balai desa dan mencatat kecepatan internet.",
        "Usulan penambahan titik akses di posyandu.",
    ),
    ActivityType.VILLAGE_DATABASE: (
        "Memasukkan data penduduk dan potensi desa ke basis data desa.",
        "Verifikasi data RT 03 dan RT 04.",
    ),
    ActivityType.TRAINING: (
        "Pelatihan spreadsheet untuk perangkat desa dan karang taruna.",
        "Latihan membuat laporan keuangan sederhana.",
    ),
}


def _position(boundary: VillageBoundary | None, mentor_index: int, number: int):
    """Inside the village mostly; some visits far from it (about 9 km) or without GPS. None when
    the village has no outline (the demo ran without boundaries)."""
    if boundary is None or (mentor_index + number) % 9 == 4:
        return None, None, None
    lat, lng = boundary.inside_lat, boundary.inside_lng
    if mentor_index % 6 == 5 and number % 3 == 0:
        lat += 0.08
    return lat, lng, 8.0 + (mentor_index * 7 + number * 3) % 40


def _demo_visits(official, mentors, cohort) -> None:
    """Every two weeks for four months, each mentor still assigned logs a visit: the older ones
    verified by the district official, one returned for corrections, the latest submitted or
    still a draft."""
    today = timezone.localdate()
    boundaries = VillageBoundary.objects.in_bulk([v.code for v in cohort])
    for m_index, (mentor, village) in enumerate(zip(mentors[:-1], cohort[:-1], strict=True)):
        for number in range(VISITS_PER_MENTOR):
            client_id = uuid.uuid5(DEMO_VISIT_NAMESPACE, f"{mentor.whatsapp}/{number}")
            if Visit.objects.filter(client_id=client_id).exists():
                continue
            visited_on = today - datetime.timedelta(days=6 + 14 * number + m_index % 5)
            activities = [ACTIVITY_CYCLE[(m_index + number) % len(ACTIVITY_CYCLE)]]
            if number % 3 == 0:
                activities.append(ACTIVITY_CYCLE[(m_index + number + 3) % len(ACTIVITY_CYCLE)])
            summary, follow_up = VISIT_TEXTS[activities[0]]
            women, men = 6 + (m_index + number) % 14, 4 + (m_index * 3 + number) % 11
            latitude, longitude, accuracy = _position(boundaries.get(village.code), m_index, number)
            visit = create_visit(
                volunteer=mentor,
                village=village,
                visited_on=visited_on,
                duration_minutes=60 + 30 * ((m_index + number) % 4),
                activities=activities,
                pillars=[PILLAR_CYCLE[(m_index + number) % len(PILLAR_CYCLE)]],
                participants_female=women,
                participants_male=men,
                participants_youth=(women + men) // 3,
                summary=summary,
                follow_ups=follow_up,
                latitude=latitude,
                longitude=longitude,
                accuracy_m=accuracy,
                client_id=client_id,
                actor=mentor.user,
            )
            _demo_review(official, mentor, visit, m_index, number)


def _demo_review(official, mentor, visit: Visit, m_index: int, number: int) -> None:
    if number == 0 and m_index % 4 == 0:
        return  # still a draft on the mentor's phone
    submit_visit(visit=visit, actor=mentor.user)
    # Sent from the field on the evening of the visit, not at load time: the review queue and
    # its reminders then see visits that have waited for days.
    Visit.objects.filter(pk=visit.pk).update(
        submitted_at=timezone.make_aware(
            datetime.datetime.combine(visit.visited_on, datetime.time(17, 0))
        )
    )
    if number <= 1:
        return  # waiting for review
    if number == 2 and m_index % 5 == 3:
        return_visit(
            visit=visit,
            reason="Jumlah peserta belum sesuai daftar hadir; mohon lampirkan foto kegiatan.",
            actor=official,
        )
        return
    verify_visit(visit=visit, actor=official)
