import datetime

import factory

from portal.accounts.models import User
from villages.models import District, Province, Regency, Role, RoleAssignment, Village


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("rahasia-desa-2026")


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Province
        django_get_or_create = ("code",)

    code = "35"
    name = "JAWA TIMUR"


class RegencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regency
        django_get_or_create = ("code",)

    province = factory.SubFactory(ProvinceFactory)
    code = factory.Sequence(lambda n: f"35.{n % 70 + 10:02d}")
    name = factory.Sequence(lambda n: f"KABUPATEN CONTOH {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    regency = factory.SubFactory(RegencyFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.regency.code}.{n % 99 + 1:02d}")
    name = factory.Sequence(lambda n: f"Kecamatan {n}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.district.code}.{2001 + n % 999}")
    name = factory.Sequence(lambda n: f"Desa {n}")


def grant(user, role: Role, area=None) -> RoleAssignment:
    """Give `user` a role over `area` (a Regency, District or Village, or None for volunteers)."""
    fields = {}
    if area is not None:
        fields[type(area).__name__.lower()] = area
    return RoleAssignment.objects.create(user=user, role=role, **fields)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.Programme"

    name = factory.Sequence(lambda n: f"Program Contoh {n}")
    slug = factory.Sequence(lambda n: f"program-contoh-{n}")
    owner_agency = "Kominfo"
    regency = factory.SubFactory(RegencyFactory)
    starts_on = datetime.date(2021, 3, 1)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.Cohort"

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Angkatan {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.Milestone"

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Tahapan {n}")
    order = factory.Sequence(lambda n: n)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.Enrolment"

    programme = factory.SubFactory(ProgrammeFactory)
    village = factory.SubFactory(VillageFactory)
    enrolled_on = datetime.date(2021, 3, 1)


class MilestoneProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.MilestoneProgress"

    enrolment = factory.SubFactory(EnrolmentFactory)
    milestone = factory.SubFactory(
        MilestoneFactory, programme=factory.SelfAttribute("..enrolment.programme")
    )
    state = "done"
    completed_on = datetime.date(2021, 6, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.Assessment"

    village = factory.SubFactory(VillageFactory)
    assessed_on = datetime.date(2021, 3, 15)
    assessor = factory.SubFactory(UserFactory)


class VillageProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.VillageProfile"

    village = factory.SubFactory(VillageFactory)
    head_name = factory.Faker("name", locale="id_ID")
    head_phone = "081234567890"
    population = 4200
    households = 1300
    connectivity = "4g"


class IdmScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "villages.IdmScore"

    village = factory.SubFactory(VillageFactory)
    year = 2024
    score = "0.6500"


# Volunteers


class CorpsFactory(factory.django.DjangoModelFactory):
    """The seeded corps by code (pandu-digital, relawan-tik, kader-digital), or a new one."""

    class Meta:
        model = "volunteers.Corps"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"korps-{n}")
    name = factory.Sequence(lambda n: f"Korps {n}")


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Volunteer"

    full_name = factory.Faker("name", locale="id_ID")
    gender = "female"
    whatsapp = factory.Sequence(lambda n: f"+6281234{n:06d}")
    email = factory.Sequence(lambda n: f"relawan{n}@example.org")
    district = factory.SubFactory(DistrictFactory)
    joined_on = datetime.date(2021, 1, 10)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Membership"

    volunteer = factory.SubFactory(VolunteerFactory)
    corps = factory.SubFactory(CorpsFactory, code="pandu-digital")


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A main-mentor assignment from 2021 with no end (current); the village is enrolled."""

    class Meta:
        model = "volunteers.Assignment"

    volunteer = factory.SubFactory(VolunteerFactory)
    village = factory.SubFactory(VillageFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = "main"
    starts_on = datetime.date(2021, 3, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Visit"

    volunteer = factory.SubFactory(VolunteerFactory)
    village = factory.SubFactory(VillageFactory)
    visited_on = datetime.date(2026, 10, 5)
    duration_minutes = 120
    activities = factory.LazyFunction(lambda: ["digital_literacy"])
    pillars = factory.LazyFunction(lambda: ["masyarakat"])
    participants_female = 12
    participants_male = 9
    participants_youth = 6
    summary = "Pelatihan literasi digital untuk perangkat desa."
    status = "submitted"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Training"

    title = factory.Sequence(lambda n: f"Bimtek Kader Digital {n}")
    kind = "bimtek"
    organiser = "Kemendes PDTT"
    regency = factory.SubFactory(RegencyFactory)
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2026, 9, 10)
    place = "Aula Kantor Bupati Blitar"
    capacity = 45


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Registration"

    training = factory.SubFactory(TrainingFactory)
    volunteer = factory.SubFactory(VolunteerFactory)


# Citizen services


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    """A seeded type by code (domisili, usaha, tidak-mampu, kelahiran, kematian, pindah,
    belum-menikah, pengantar-ktp, pengantar-kk, pengantar-skck), or a new one."""

    class Meta:
        model = "services.ServiceType"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"layanan-{n}")
    name = factory.Sequence(lambda n: f"Surat Keterangan {n}")
    sla_working_days = 3
    issues_letter = True
    letter_code = "470"
    letter_title = "SURAT KETERANGAN"
    letter_body = "Menerangkan bahwa {applicant_name} untuk keperluan {purpose}."


class ServiceRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request of a man born 1 January 1990 in Wonodadi (NIK 3505010101900001)."""

    class Meta:
        model = "services.ServiceRequest"

    village = factory.SubFactory(VillageFactory)
    service_type = factory.SubFactory(ServiceTypeFactory, code="domisili")
    tracking_code = factory.Sequence(lambda n: f"TRK{n:09d}")
    applicant_name = "Budi Santoso"
    nik = "3505010101900001"
    applicant_sex = "male"
    applicant_phone = "+6281234567890"
    dusun = "Krajan"
    rt = "001"
    rw = "002"
    purpose = "Persyaratan melamar pekerjaan"
    due_on = datetime.date(2026, 11, 25)
