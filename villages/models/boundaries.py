"""Region outlines as GeoJSON (WGS 84), with the points derived from them.

Geometry is stored as GeoJSON and handled with shapely, so neither GDAL nor PostGIS is needed and
the SQLite default keeps working.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from villages.models.regions import District, Village, area_scope


class BoundaryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return area_scope(user).filter(self, code_field=f"{self.model.region_field}__code")


class Boundary(models.Model):
    # A Polygon or MultiPolygon, RFC 7946: [lng, lat] positions, outer rings counter-clockwise.
    geometry = models.JSONField(_("geometry"))
    centroid_lat = models.FloatField(_("centroid latitude"))
    centroid_lng = models.FloatField(_("centroid longitude"))
    # shapely's representative_point(): always inside, where a label or marker can go.
    inside_lat = models.FloatField(_("inner point latitude"))
    inside_lng = models.FloatField(_("inner point longitude"))
    area_km2 = models.FloatField(_("area (km²)"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return str(getattr(self, self.region_field))


class VillageBoundary(Boundary):
    region_field = "village"
    village = models.OneToOneField(
        Village, on_delete=models.CASCADE, primary_key=True, related_name="boundary"
    )

    class Meta:
        verbose_name = _("village boundary")
        verbose_name_plural = _("village boundaries")


class DistrictBoundary(Boundary):
    region_field = "district"
    district = models.OneToOneField(
        District, on_delete=models.CASCADE, primary_key=True, related_name="boundary"
    )

    class Meta:
        verbose_name = _("kecamatan boundary")
        verbose_name_plural = _("kecamatan boundaries")
