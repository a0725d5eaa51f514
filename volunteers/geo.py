"""Where a visit's GPS position lies against its village's outline.

The outline is stored as GeoJSON ([lng, lat], WGS 84) and handled with shapely, without GDAL.
Distances are measured on a local equirectangular projection centred on the point (longitude
scaled by cos(latitude)): over the few kilometres that matter here its error is far below a
phone's GPS accuracy.
"""

from __future__ import annotations

import math

import shapely
from shapely.geometry import Point, shape

from villages.models import Village, VillageBoundary
from volunteers.models import PositionCheck

# Within this many km of the outline a visit still counts as at the village (a meeting in the
# kecamatan office next door, or an outline drawn a little off); farther is doubtful.
NEAR_KM = 2
KM_PER_DEGREE = 111.32


def distance_to_outline_km(geometry: dict, *, latitude: float, longitude: float) -> float:
    """Km from the point to the nearest part of a GeoJSON polygon (0 when inside)."""
    scale = math.cos(math.radians(latitude))

    def project(coords):
        projected = coords.copy()
        projected[:, 0] = (coords[:, 0] - longitude) * scale * KM_PER_DEGREE
        projected[:, 1] = (coords[:, 1] - latitude) * KM_PER_DEGREE
        return projected

    outline = shapely.transform(shape(geometry), project)
    return outline.distance(Point(0, 0))


def check_position(
    *, village: Village, latitude: float | None, longitude: float | None
) -> tuple[PositionCheck, float | None]:
    """How the position relates to the village: INSIDE (distance 0), NEAR (within NEAR_KM), FAR,
    NO_GPS (no position given) or NO_BOUNDARY (the village has no outline yet); with the
    distance in km, or None when it cannot be measured."""
    if latitude is None or longitude is None:
        return PositionCheck.NO_GPS, None
    geometry = (
        VillageBoundary.objects.filter(village=village).values_list("geometry", flat=True).first()
    )
    if geometry is None:
        return PositionCheck.NO_BOUNDARY, None
    distance = round(distance_to_outline_km(geometry, latitude=latitude, longitude=longitude), 3)
    if distance == 0:
        return PositionCheck.INSIDE, 0.0
    if distance <= NEAR_KM:
        return PositionCheck.NEAR, distance
    return PositionCheck.FAR, distance
