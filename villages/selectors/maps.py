"""Reads for the maps: boundaries as GeoJSON with the layers a map colours them by.

The collections are simplified for the zoom they are drawn at, so that a kabupaten's 248 villages
fit in a few hundred kilobytes, and cached under a key made of the reader's areas, the filters,
the zoom, the language and a version that every boundary import bumps.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid

import shapely
from django.core.cache import cache
from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.urls import reverse
from django.utils.translation import get_language
from shapely.geometry import mapping, shape

from villages.models import (
    Connectivity,
    DistrictBoundary,
    Enrolment,
    EnrolmentStatus,
    IdmScore,
    Programme,
    VillageBoundary,
    VillageProfile,
    area_scope,
)

BOUNDARY_CACHE_VERSION_KEY = "villages:boundaries:version"
CACHE_SECONDS = 60 * 60
MIN_ZOOM, MAX_ZOOM, DEFAULT_ZOOM = 6, 16, 10

# How far along a village is in a programme; the most advanced enrolment is shown when no
# programme is chosen.
ENROLMENT_RANK = {
    EnrolmentStatus.GRADUATED: 4,
    EnrolmentStatus.ACTIVE: 3,
    EnrolmentStatus.CANDIDATE: 2,
    EnrolmentStatus.WITHDRAWN: 1,
}


def boundary_cache_version() -> str:
    version = cache.get(BOUNDARY_CACHE_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(): two first readers racing agree on one version.
        cache.add(BOUNDARY_CACHE_VERSION_KEY, version, None)
        version = cache.get(BOUNDARY_CACHE_VERSION_KEY, version)
    return version


def bump_boundary_cache_version() -> None:
    """Make every cached map collection stale (called after a boundary import commits)."""
    cache.set(BOUNDARY_CACHE_VERSION_KEY, uuid.uuid4().hex, None)


def clamp_zoom(zoom) -> int:
    try:
        zoom = int(zoom)
    except (TypeError, ValueError):
        return DEFAULT_ZOOM
    return max(MIN_ZOOM, min(MAX_ZOOM, zoom))


def simplify_tolerance(zoom: int) -> float:
    """Half a screen pixel at `zoom`, in degrees of longitude (256-pixel web-mercator tiles)."""
    return 360 / (256 * 2**zoom) / 2


def coordinate_decimals(zoom: int) -> int:
    """Enough decimals to keep a tenth of the tolerance: 5 at kabupaten zooms, 6 closer in."""
    return min(6, max(5, math.ceil(-math.log10(simplify_tolerance(zoom) / 10))))


def simplified_geometry(geometry: dict, zoom: int) -> dict:
    simple = shapely.simplify(shape(geometry), simplify_tolerance(zoom), preserve_topology=True)
    return geojson_geometry(simple, coordinate_decimals(zoom)) if not simple.is_empty else geometry


def geojson_geometry(geometry, decimals: int) -> dict:
    """A GeoJSON geometry dict with lists (not tuples) and coordinates rounded to `decimals`."""

    def rounded(value):
        if isinstance(value, (tuple, list)):
            if value and isinstance(value[0], float | int):
                return [round(float(number), decimals) for number in value]
            return [rounded(item) for item in value]
        return value

    data = mapping(geometry)
    return {"type": data["type"], "coordinates": rounded(data["coordinates"])}


def _layer_annotations(programme: Programme | None) -> dict:
    """Subqueries for the map layers: one SQL statement whatever the number of villages."""
    latest_idm = (
        IdmScore.objects.filter(village=OuterRef("village_id")).with_status().order_by("-year")
    )
    enrolments = Enrolment.objects.filter(village=OuterRef("village_id"))
    if programme is not None:
        enrolments = enrolments.filter(programme=programme)
    rank = Case(
        *(When(status=status, then=Value(value)) for status, value in ENROLMENT_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    enrolments = enrolments.annotate(rank=rank).order_by("-rank")
    return {
        "idm_status": Subquery(latest_idm.values("status_code")[:1]),
        "idm_status_name": Subquery(latest_idm.values("status_name")[:1]),
        "idm_year": Subquery(latest_idm.values("year")[:1]),
        "connectivity": Subquery(
            VillageProfile.objects.filter(village=OuterRef("village_id")).values("connectivity")[:1]
        ),
        "programme_status": Subquery(enrolments.values("status")[:1]),
    }


def village_boundaries(
    queryset: QuerySet[VillageBoundary], *, programme: Programme | None = None
) -> QuerySet[VillageBoundary]:
    """Village boundaries (already scoped) with the names and layers a feature shows."""
    return (
        queryset.annotate(
            name=F("village__name"),
            kind=F("village__kind"),
            district_code=F("village__district_id"),
            district_name=F("village__district__name"),
            **_layer_annotations(programme),
        )
        .order_by("village_id")
        .defer("source")
    )


def village_feature(boundary: VillageBoundary, *, zoom: int | None = None) -> dict:
    """One GeoJSON Feature; full-detail geometry unless a zoom asks for a simplified one."""
    connectivity = boundary.connectivity or None
    programme_status = boundary.programme_status
    properties = {
        "code": boundary.village_id,
        "name": boundary.name,
        "kind": boundary.kind,
        "district_code": boundary.district_code,
        "district_name": boundary.district_name,
        "url": reverse("villages:village-detail", args=[boundary.village_id]),
        "idm_status": boundary.idm_status,
        "idm_status_label": boundary.idm_status_name,
        "idm_year": boundary.idm_year,
        "connectivity": connectivity,
        "connectivity_label": str(Connectivity(connectivity).label) if connectivity else None,
        "programme_status": programme_status,
        "programme_status_label": (
            str(EnrolmentStatus(programme_status).label) if programme_status else None
        ),
    }
    if zoom is None:
        geometry = boundary.geometry
        properties.update(
            centroid=[boundary.centroid_lat, boundary.centroid_lng],
            inside=[boundary.inside_lat, boundary.inside_lng],
            area_km2=boundary.area_km2,
        )
    else:
        geometry = simplified_geometry(boundary.geometry, zoom)
    return {
        "type": "Feature",
        "id": boundary.village_id,
        "properties": properties,
        "geometry": geometry,
    }


def district_feature(boundary: DistrictBoundary, *, zoom: int | None = None) -> dict:
    properties = {
        "code": boundary.district_id,
        "name": boundary.name,
        "regency_code": boundary.regency_code,
        "url": reverse("villages:district-detail", args=[boundary.district_id]),
    }
    if zoom is None:
        geometry = boundary.geometry
        properties.update(
            centroid=[boundary.centroid_lat, boundary.centroid_lng],
            inside=[boundary.inside_lat, boundary.inside_lng],
            area_km2=boundary.area_km2,
        )
    else:
        geometry = simplified_geometry(boundary.geometry, zoom)
    return {
        "type": "Feature",
        "id": boundary.district_id,
        "properties": properties,
        "geometry": geometry,
    }


def district_boundaries(queryset: QuerySet[DistrictBoundary]) -> QuerySet[DistrictBoundary]:
    return queryset.annotate(
        name=F("district__name"), regency_code=F("district__regency_id")
    ).order_by("district_id")


def cached_feature_collection(*, user, kind: str, params: dict, zoom: int, build) -> dict:
    """The FeatureCollection `build()` makes, cached per reader's areas, params, zoom, language."""
    scope = area_scope(user)
    areas = "*" if scope.everything else sorted(scope.codes)
    # JSON, so that no parameter value can pass for another combination of parameters.
    parts = [kind, areas, get_language() or "", zoom, sorted(params.items())]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40]
    key = f"villages:map:{boundary_cache_version()}:{digest}"
    collection = cache.get(key)
    if collection is None:
        collection = {"type": "FeatureCollection", "features": build()}
        cache.set(key, collection, CACHE_SECONDS)
    return collection


def village_map_context(*, village) -> dict:
    """Context for templates/villages/includes/village_map.html.

    `village` has already been fetched through `visible_to`; one query reads its boundary's points
    (the outline itself is fetched by the map from the scoped API, so the page stays light).
    """
    boundary = (
        VillageBoundary.objects.filter(village_id=village.pk)
        .only("centroid_lat", "centroid_lng", "inside_lat", "inside_lng", "area_km2")
        .first()
    )
    return {
        "village_map": {
            "village": village,
            "boundary": boundary,
            "geojson_url": (
                reverse("api:village-boundary-detail", args=[village.pk]) if boundary else None
            ),
            "map_id": f"village-map-{village.pk.replace('.', '-')}",
        }
    }
