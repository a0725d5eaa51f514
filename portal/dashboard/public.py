"""The public programme page (no login): a regency's programme in numbers and a map of its
pilot villages coloured by progress, from the rollups.

Only counts, percentages and region names leave here: no person's name, NIK, phone or tracking
code is ever read. Everything is cached; the figures follow the regency's rollup version.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils import timezone

from portal.dashboard.actions import current_version
from portal.dashboard.selectors import (
    add_months,
    area_for_code,
    dashboard_figures,
    month_start,
    public_regencies,
    public_village_progress,
)
from villages.models import Programme, VillageBoundary
from villages.selectors.maps import boundary_cache_version, simplified_geometry

CACHE_SECONDS = 5 * 60
PUBLIC_MONTHS = 12
MAP_ZOOM = 10
# Progress bands for the map, as (key, lowest percent).
PROGRESS_BANDS = (
    ("p75", 75, "75-100 %"),
    ("p50", 50, "50-74 %"),
    ("p25", 25, "25-49 %"),
    ("p0", 0, "0-24 %"),
)


def _cached(name: str, regency_code: str | None, build):
    version = current_version(regency_code)
    parts = f"{name}|{regency_code}|{version}|{boundary_cache_version()}|{timezone.localdate()}"
    key = "dashboard:public:" + hashlib.sha256(parts.encode()).hexdigest()[:32]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def regency_list() -> list[dict]:
    return _cached("regencies", None, public_regencies)


def _page(code: str) -> dict | None:
    area = area_for_code(code)
    if area is None or area.level != "regency":
        return None
    programmes = list(
        Programme.objects.filter(regency_id=code)
        .order_by("-starts_on", "name")
        .values("name", "owner_agency", "starts_on", "ends_on")
    )
    if not programmes:
        return None
    end = month_start(timezone.localdate())
    figures = dashboard_figures(area=area, start=add_months(end, -(PUBLIC_MONTHS - 1)), end=end)
    kpis = figures["kpis"]
    return {
        "code": code,
        "name": area.name,
        "programmes": programmes,
        "numbers": {
            name: kpis[name]
            for name in (
                "villages_enrolled",
                "villages_pilot",
                "milestones_percent",
                "pillar_average",
                "pillar_change",
                "visits",
                "participants_women",
                "participants_men",
                "participants_youth",
                "volunteers_active",
                "requests_filed",
                "requests_completed",
                "on_time_percent",
            )
        },
        "trend": figures["trend"],
        "start": figures["start"],
        "end": figures["end"],
        "villages": public_village_progress(code),
    }


def regency_page(code: str) -> dict | None:
    return _cached("page", code, lambda: _page(code))


def progress_band(percent: int) -> tuple[str, str]:
    """(key, label) of the band holding `percent`."""
    return next((key, label) for key, lowest, label in PROGRESS_BANDS if percent >= lowest)


def _map(code: str) -> dict | None:
    villages = {row["code"]: row for row in public_village_progress(code)}
    if not villages and not Programme.objects.filter(regency_id=code).exists():
        return None
    features = []
    for boundary in VillageBoundary.objects.filter(village_id__in=villages).order_by("village_id"):
        village = villages[boundary.village_id]
        band, band_label = progress_band(village["progress_percent"])
        features.append(
            {
                "type": "Feature",
                "id": boundary.village_id,
                "properties": {
                    "code": boundary.village_id,
                    "name": village["name"],
                    "district_name": village["district_name"],
                    "url": f"#village-{boundary.village_id}",
                    "progress": band,
                    "progress_label": band_label,
                },
                "geometry": simplified_geometry(boundary.geometry, MAP_ZOOM),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def regency_map(code: str) -> dict | None:
    return _cached("map", code, lambda: _map(code))
