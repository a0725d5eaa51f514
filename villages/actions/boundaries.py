"""Writes to the region outlines: the GeoJSON boundary importer.

The importer reads a GeoJSON FeatureCollection whose features carry a Kemendagri code in
`properties.code`, checks every feature before writing anything, repairs what shapely can repair,
and then brings VillageBoundary or DistrictBoundary in line with the file.
"""

from __future__ import annotations

import json
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.polygon import orient

from portal.lib.errors import ErrorCollector
from villages.models import CODE_PATTERNS, District, DistrictBoundary, Village, VillageBoundary
from villages.selectors.maps import bump_boundary_cache_version, geojson_geometry

MAX_ERRORS = 20
MAX_BYTES = 50 * 1024 * 1024
FETCH_TIMEOUT = 60
# Stored coordinates: 6 decimals is about 0.1 m, finer than any village survey.
DECIMALS = 6
# Kilometres per degree of longitude at the equator (and, on the sphere used here, of latitude).
KM_PER_DEGREE = 111.32

BOUNDARY_LEVELS = {
    "village": (VillageBoundary, Village),
    "district": (DistrictBoundary, District),
}
_EXAMPLES = {"village": "35.05.01.2001", "district": "35.05.01"}


class BoundaryImportError(ValidationError):
    """The file was refused; `messages` names the feature number, code and problem of each error."""


@dataclass(frozen=True)
class BoundaryImportResult:
    level: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    # One message per feature whose geometry was invalid and has been repaired.
    repaired: list[str] = field(default_factory=list)


@dataclass
class _Outline:
    number: int
    code: str
    geometry: dict
    centroid: tuple[float, float]
    inside: tuple[float, float]
    area_km2: float


@transaction.atomic
def import_boundaries(*, source: str | Path, level: str = "village") -> BoundaryImportResult:
    """Bring the village (or kecamatan) boundaries in line with a GeoJSON FeatureCollection.

    `source` is a file path or an https:// URL (fetched with a timeout and a MAX_BYTES limit).
    Each feature needs `properties.code`, the Kemendagri code of a region already in the registry
    at `level` ("village" or "district"), and a Polygon or MultiPolygon geometry (WGS 84).
    An invalid geometry is repaired with shapely's make_valid, keeping its polygonal parts, and
    reported in `repaired`.

    Raises BoundaryImportError, listing up to MAX_ERRORS messages that each name the feature number
    and code, if the source cannot be read, is not JSON or not a FeatureCollection, or a feature
    lacks a code, has a malformed or duplicate code, a geometry that is not polygonal or cannot be
    repaired into a polygon; all codes missing from the region registry are listed in one message.
    Every feature is checked before anything is written: on error the database is left untouched.

    Effects: stores each outline with coordinates rounded to 6 decimals, its centroid, a point
    guaranteed inside it (shapely's representative_point) and its area; outlines equal to the
    stored ones are not written. When anything changed, the map caches are invalidated after
    commit.
    """
    if level not in BOUNDARY_LEVELS:
        raise BoundaryImportError(
            gettext("Unknown level %(level)r; expected one of: %(levels)s.")
            % {"level": level, "levels": ", ".join(BOUNDARY_LEVELS)}
        )
    boundary_model, region_model = BOUNDARY_LEVELS[level]
    errors = ErrorCollector(BoundaryImportError, limit=MAX_ERRORS)
    label = str(source)
    features = _read_features(_read_source(source), errors)
    outlines, repaired = _check_features(features, level, errors)
    _check_codes_known(outlines, region_model, errors)
    errors.raise_if_any()

    result = _write(boundary_model, outlines, label, level, repaired)
    if result.inserted or result.updated:
        transaction.on_commit(bump_boundary_cache_version)
    return result


def _read_source(source: str | Path) -> bytes:
    text = str(source)
    if "://" in text:
        if not text.startswith("https://"):
            raise BoundaryImportError(
                gettext("%(source)s: only https:// addresses can be fetched.") % {"source": text}
            )
        return _fetch(text)
    try:
        with open(source, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise BoundaryImportError(
            gettext("%(source)s: cannot be read (%(error)s).")
            % {"source": text, "error": error.strerror or error}
        ) from error
    _check_size(data, text)
    return data


def _fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/geo+json, */*"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    except (OSError, ValueError) as error:
        raise BoundaryImportError(
            gettext("%(source)s: cannot be fetched (%(error)s).") % {"source": url, "error": error}
        ) from error
    _check_size(data, url)
    return data


def _check_size(data: bytes, source: str) -> None:
    if len(data) > MAX_BYTES:
        raise BoundaryImportError(
            gettext("%(source)s: larger than %(limit)s MB.")
            % {"source": source, "limit": MAX_BYTES // (1024 * 1024)}
        )


def _read_features(data: bytes, errors: ErrorCollector) -> list:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        errors.add(gettext("The file is not UTF-8 text."))
        errors.raise_if_any()
    except json.JSONDecodeError as error:
        errors.add(
            gettext("The file is not valid JSON (line %(line)s, column %(column)s: %(error)s)."),
            line=error.lineno,
            column=error.colno,
            error=error.msg,
        )
        errors.raise_if_any()
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        errors.add(
            gettext("The file is not a GeoJSON FeatureCollection (found %(found)r)."),
            found=found,
        )
    elif not isinstance(document.get("features"), list):
        errors.add(gettext('The FeatureCollection has no "features" list.'))
    errors.raise_if_any()
    return document["features"]


def _check_features(
    features: list, level: str, errors: ErrorCollector
) -> tuple[list[_Outline], list[str]]:
    pattern = re.compile(CODE_PATTERNS[level])
    first: dict[str, int] = {}
    outlines: list[_Outline] = []
    repaired: list[str] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        code = properties.get("code") if isinstance(properties, dict) else None
        if code is None or code == "":
            errors.add(gettext('Feature %(number)s: no "code" property.'), number=number)
            continue
        code = str(code).strip()
        where = {"number": number, "code": code}
        if not pattern.match(code):
            errors.add(
                gettext("Feature %(number)s: malformed code %(code)r (expected like %(example)s)."),
                example=_EXAMPLES[level],
                **where,
            )
            continue
        if code in first:
            errors.add(
                gettext(
                    "Feature %(number)s: duplicate code %(code)s (first in feature %(first)s)."
                ),
                first=first[code],
                **where,
            )
            continue
        first[code] = number
        geometry = _polygonal(feature.get("geometry"), where, errors, repaired)
        if geometry is not None:
            outlines.append(_outline(number, code, geometry))
    return outlines, repaired


def _polygonal(raw, where: dict, errors: ErrorCollector, repaired: list[str]):
    """The feature's geometry as a valid Polygon/MultiPolygon on the storage grid, or None."""
    try:
        geometry = shape(raw)
    except Exception:  # shapely raises several types for malformed GeoJSON geometry
        errors.add(gettext("Feature %(number)s (%(code)s): unreadable geometry."), **where)
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        errors.add(
            gettext("Feature %(number)s (%(code)s): a %(type)s, not a Polygon or MultiPolygon."),
            type=geometry.geom_type,
            **where,
        )
        return None
    was_valid = geometry.is_valid
    if not was_valid:
        geometry = _polygonal_parts(shapely.make_valid(geometry))
    if geometry is not None and not geometry.is_empty:
        # Snapping to the storage grid keeps the outline valid (GEOS repairs what rounding breaks).
        geometry = _polygonal_parts(shapely.set_precision(geometry, 10**-DECIMALS))
    if geometry is None or geometry.is_empty:
        errors.add(
            gettext("Feature %(number)s (%(code)s): the geometry cannot be made into a polygon."),
            **where,
        )
        return None
    if not was_valid:
        repaired.append(
            gettext("Feature %(number)s (%(code)s): invalid geometry repaired.") % where
        )
    return geometry


def _polygonal_parts(geometry):
    """Only the polygons of a geometry (make_valid may add lines or points), or None."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    if geometry.geom_type == "GeometryCollection":
        polygons = []
        for part in geometry.geoms:
            part = _polygonal_parts(part)
            if part is not None:
                polygons.extend(getattr(part, "geoms", [part]))
        if len(polygons) == 1:
            return polygons[0]
        return MultiPolygon(polygons) if polygons else None
    return None


def _outline(number: int, code: str, geometry) -> _Outline:
    if isinstance(geometry, Polygon):
        geometry = orient(geometry, sign=1.0)
    else:
        geometry = MultiPolygon([orient(polygon, sign=1.0) for polygon in geometry.geoms])
    centroid = geometry.centroid
    inside = geometry.representative_point()
    return _Outline(
        number=number,
        code=code,
        geometry=geojson_geometry(geometry, DECIMALS),
        centroid=(round(centroid.y, DECIMALS), round(centroid.x, DECIMALS)),
        inside=(round(inside.y, DECIMALS), round(inside.x, DECIMALS)),
        area_km2=round(area_km2(geometry), 4),
    )


def area_km2(geometry) -> float:
    """The area in km² on a sinusoidal projection of a sphere with 111.32 km per degree.

    x = lng·cos(lat), y = lat is equal-area on the sphere; against the WGS 84 ellipsoid it is
    within about 0.5 % at Indonesia's latitudes, plenty for a region fact sheet.
    """

    def project(coords):
        return np.column_stack([coords[:, 0] * np.cos(np.radians(coords[:, 1])), coords[:, 1]])

    return shapely.transform(geometry, project).area * KM_PER_DEGREE**2


def _check_codes_known(outlines: list[_Outline], region_model, errors: ErrorCollector) -> None:
    codes = {outline.code for outline in outlines}
    known = set(region_model.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [outline for outline in outlines if outline.code not in known]
    if unknown:
        # All of them in one message, so that a wrong file is recognised at once.
        errors.add(
            gettext("%(count)s codes are not in the region registry: %(features)s."),
            count=len(unknown),
            features=", ".join(
                gettext("feature %(number)s (%(code)s)")
                % {"number": outline.number, "code": outline.code}
                for outline in unknown
            ),
        )


def _write(
    boundary_model, outlines: list[_Outline], source: str, level: str, repaired: list[str]
) -> BoundaryImportResult:
    region_field = boundary_model.region_field
    existing = {
        getattr(boundary, f"{region_field}_id"): boundary
        for boundary in boundary_model.objects.filter(
            **{f"{region_field}__in": [outline.code for outline in outlines]}
        )
    }
    source = source[: boundary_model._meta.get_field("source").max_length]
    now = timezone.now()
    new, changed = [], []
    for outline in outlines:
        values = {
            "geometry": outline.geometry,
            "centroid_lat": outline.centroid[0],
            "centroid_lng": outline.centroid[1],
            "inside_lat": outline.inside[0],
            "inside_lng": outline.inside[1],
            "area_km2": outline.area_km2,
            "source": source,
        }
        boundary = existing.get(outline.code)
        if boundary is None:
            new.append(boundary_model(**{f"{region_field}_id": outline.code}, **values))
        elif any(getattr(boundary, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(boundary, name, value)
            boundary.updated_at = now
            changed.append(boundary)
    boundary_model.objects.bulk_create(new, batch_size=500)
    boundary_model.objects.bulk_update(
        changed,
        [
            "geometry",
            "centroid_lat",
            "centroid_lng",
            "inside_lat",
            "inside_lng",
            "area_km2",
            "source",
            "updated_at",
        ],
        batch_size=200,
    )
    return BoundaryImportResult(
        level=level,
        inserted=len(new),
        updated=len(changed),
        unchanged=len(outlines) - len(new) - len(changed),
        repaired=repaired,
    )
