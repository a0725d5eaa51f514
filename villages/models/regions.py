"""The national region registry (Kemendagri codes) and the area roles that point at it.

Codes are hierarchical: `35` province, `35.05` regency, `35.05.01` district (kecamatan),
`35.05.01.2001` village. Every code starts with its parent's code and a dot, so "inside an area"
is a code-prefix test, which every `visible_to` below builds on.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CODE_PATTERNS = {
    "province": r"^[0-9]{2}$",
    "regency": r"^[0-9]{2}\.[0-9]{2}$",
    "district": r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$",
    "village": r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$",
}


def ancestor_codes(code: str) -> list[str]:
    """`35.05.01.2001` -> [`35`, `35.05`, `35.05.01`]."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


class AreaScope:
    """The areas a user may see, as region codes; `everything` for administrators."""

    def __init__(self, codes: frozenset[str] = frozenset(), everything: bool = False):
        self.codes = codes
        self.everything = everything

    def q(self, code_field: str = "code", ancestors: bool = True) -> Q:
        """The condition behind `filter`, for combining with others (`Q(pk__in=[])` when the user
        sees no area, an empty `Q()` for administrators)."""
        if self.everything:
            return Q()
        if not self.codes:
            return Q(pk__in=[])
        condition = reduce(or_, [Q(**{f"{code_field}__startswith": code}) for code in self.codes])
        if ancestors:
            above = {a for code in self.codes for a in ancestor_codes(code)}
            condition |= Q(**{f"{code_field}__in": above})
        return condition

    def filter(
        self, queryset: models.QuerySet, code_field: str = "code", ancestors: bool = True
    ) -> models.QuerySet:
        """Rows whose region code (at `code_field`) is inside one of the areas or, with `ancestors`,
        contains one (so that a secretary sees their kecamatan, or a programme of their regency)."""
        if self.everything:
            return queryset
        if not self.codes:
            return queryset.none()
        return queryset.filter(self.q(code_field, ancestors))

    def covers(self, code: str) -> bool:
        if self.everything:
            return True
        return any(code == area or code.startswith(area + ".") for area in self.codes)


def role_areas(user) -> frozenset[tuple[str, str | None]]:
    """The (role, area code) pairs an active signed-in user holds; one query per user object,
    shared by scoping and by every permission predicate.

    A volunteer's areas are the villages of their current mentoring assignments (the volunteers
    app), read through the reverse relation so that this app never imports that one: a second
    query, for volunteers only. The bare `(volunteer, None)` pair stays, for the menu.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_areas", None)
    if cached is None:
        pairs = {
            (assignment.role, assignment.area_code)
            for assignment in RoleAssignment.objects.filter(user=user).only(
                "role", "regency_id", "district_id", "village_id"
            )
        }
        if (Role.VOLUNTEER, None) in pairs:
            pairs |= {(Role.VOLUNTEER, code) for code in assigned_village_codes(user)}
        cached = frozenset(pairs)
        user._role_areas = cached
    return cached


def assigned_village_codes(user) -> list[str]:
    """Codes of the villages an active volunteer mentors today (assignments in their period)."""
    today = timezone.localdate()
    return list(
        Village.objects.filter(
            Q(volunteer_assignments__ends_on__isnull=True)
            | Q(volunteer_assignments__ends_on__gte=today),
            volunteer_assignments__volunteer__user=user,
            volunteer_assignments__volunteer__status="active",
            volunteer_assignments__starts_on__lte=today,
        )
        .values_list("code", flat=True)
        .distinct()
    )


def area_scope(user, roles=None) -> AreaScope:
    """The areas the user sees: everything for administrators, else their roles' areas, or only
    those of `roles` (e.g. the visit list leaves out the villages a volunteer mentors, since a
    volunteer sees only their own visits there)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AreaScope()
    if user.is_superuser:
        return AreaScope(everything=True)
    return AreaScope(
        frozenset(
            code for role, code in role_areas(user) if code and (roles is None or role in roles)
        )
    )


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user) -> RegionQuerySet:
        return area_scope(user).filter(self)


class Region(models.Model):
    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class Province(Region):
    class Meta(Region.Meta):
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class Regency(Region):
    """A kabupaten or kota."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="regencies")

    class Meta(Region.Meta):
        verbose_name = _("regency")
        verbose_name_plural = _("regencies")
        indexes = [
            models.Index(
                fields=["code"], name="regency_code_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    @property
    def is_city(self) -> bool:
        return self.name.upper().startswith("KOTA ")


class District(Region):
    """A kecamatan."""

    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, related_name="districts")

    class Meta(Region.Meta):
        verbose_name = _("district (kecamatan)")
        verbose_name_plural = _("districts (kecamatan)")
        indexes = [
            models.Index(
                fields=["code"], name="district_code_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]


class VillageKind(models.TextChoices):
    KELURAHAN = "kelurahan", _("kelurahan")
    DESA = "desa", _("desa")
    OTHER = "other", _("other")


# The first digit of a village code's last part: 1 kelurahan, 2 desa (`35.05.01.2001` -> "2").
KIND_DIGIT = Substr("code", 10, 1)


class Village(Region):
    """A desa or kelurahan; its kind follows from the first digit of the code's last part."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="villages")
    kind = models.GeneratedField(
        expression=models.Case(
            models.When(Exact(KIND_DIGIT, "1"), then=models.Value(VillageKind.KELURAHAN)),
            models.When(Exact(KIND_DIGIT, "2"), then=models.Value(VillageKind.DESA)),
            default=models.Value(VillageKind.OTHER),
        ),
        output_field=models.CharField(max_length=10, choices=VillageKind.choices),
        db_persist=True,
    )

    class Meta(Region.Meta):
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        indexes = [
            models.Index(
                fields=["code"], name="village_code_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]


class Role(models.TextChoices):
    DISTRICT_OFFICIAL = "district_official", _("district official")
    KECAMATAN_OFFICER = "kecamatan_officer", _("kecamatan officer")
    VILLAGE_SECRETARY = "village_secretary", _("village secretary")
    VOLUNTEER = "volunteer", _("volunteer")
    # Leads the volunteers of a kecamatan (e.g. a Relawan TIK komisariat) and reviews their visits.
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", _("volunteer coordinator")


# Which area field each role points at; a volunteer's villages come from their assignments.
ROLE_AREA_FIELD = {
    Role.DISTRICT_OFFICIAL: "regency",
    Role.KECAMATAN_OFFICER: "district",
    Role.VILLAGE_SECRETARY: "village",
    Role.VOLUNTEER: None,
    Role.VOLUNTEER_COORDINATOR: "district",
}
AREA_FIELDS = ("regency", "district", "village")


class RoleAssignment(models.Model):
    """A user holds a role over an area: an official over a regency, an officer over a kecamatan,
    a secretary over a village. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    regency = models.ForeignKey(Regency, on_delete=models.PROTECT, null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.PROTECT, null=True, blank=True)
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_area_matches_role",
                condition=reduce(
                    or_,
                    (
                        Q(role=role, **{f"{name}__isnull": name != field for name in AREA_FIELDS})
                        for role, field in ROLE_AREA_FIELD.items()
                    ),
                ),
                violation_error_message=_(
                    "An official needs a regency, an officer or a coordinator a kecamatan, "
                    "a secretary a village, and a volunteer no area."
                ),
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", field] if field else ["user"],
                    condition=Q(role=role),
                    name=f"role_assignment_unique_{role}",
                )
                for role, field in ROLE_AREA_FIELD.items()
            ),
        ]

    def __str__(self):
        area = self.area
        return f"{self.user}: {self.get_role_display()}" + (f" ({area})" if area else "")

    @property
    def area(self) -> Region | None:
        field = ROLE_AREA_FIELD[Role(self.role)]
        return getattr(self, field) if field else None

    @property
    def area_code(self) -> str | None:
        return self.regency_id or self.district_id or self.village_id
