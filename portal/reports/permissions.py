"""Who may request reports, and for which areas.

District officials request reports for their regency or one of its kecamatan, kecamatan
officers for their kecamatan, administrators for any regency or kecamatan or the whole country.
Seeing a report is `Report.objects.visible_to`'s business.
"""

from __future__ import annotations

from django.utils.translation import gettext

from portal.reports.models import REPORT_ROLES
from villages.models import District, Programme, Regency, Role, area_scope, role_areas


def is_administrator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def can_request_reports(user) -> bool:
    return is_administrator(user) or any(role in REPORT_ROLES for role, _code in role_areas(user))


def covers_area(user, area_code: str) -> bool:
    """Whether `area_code` ("" = the whole country) lies inside the user's report areas."""
    if is_administrator(user):
        return True
    return bool(area_code) and area_scope(user, roles=REPORT_ROLES).covers(area_code)


def area_choices(user) -> list[tuple[str, str]]:
    """The areas offered in the request form: an official's regency and its kecamatan, an
    officer's kecamatan; for administrators the whole country and every regency running a
    programme (kecamatan reports for administrators go through the API)."""
    if is_administrator(user):
        regencies = Regency.objects.filter(
            code__in=Programme.objects.values("regency_id")
        ).order_by("name")
        return [("", gettext("Whole country")), *((r.code, r.name) for r in regencies)]
    pairs = role_areas(user)
    regency_codes = sorted(code for role, code in pairs if role == Role.DISTRICT_OFFICIAL)
    district_codes = {code for role, code in pairs if role == Role.KECAMATAN_OFFICER}
    choices = []
    for regency in Regency.objects.filter(code__in=regency_codes).order_by("code"):
        choices.append((regency.code, regency.name))
        for district in regency.districts.order_by("name"):
            choices.append((district.code, f"  {district_label(district)}"))
            district_codes.discard(district.code)
    for district in District.objects.filter(code__in=district_codes).select_related("regency"):
        choices.append((district.code, district_label(district)))
    return choices


def district_label(district: District) -> str:
    return gettext("Kecamatan %(name)s") % {"name": district.name}
