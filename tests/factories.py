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
