"""What a village is like: its profile (with a change history) and its yearly IDM scores."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from villages.models.regions import Village, area_scope


class VillageDataQuerySet(models.QuerySet):
    """Rows hanging off a village: visible when the village is."""

    def visible_to(self, user):
        return area_scope(user).filter(self, code_field="village__code", ancestors=False)


class Connectivity(models.TextChoices):
    NONE = "none", _("no internet")
    G2 = "2g", _("2G")
    G3 = "3g", _("3G")
    G4 = "4g", _("4G")
    FIBRE = "fibre", _("fibre")
    VILLAGE_WIFI = "village_wifi", _("village Wi-Fi")


class VillageProfile(models.Model):
    village = models.OneToOneField(
        Village, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    head_name = models.CharField(_("head of village"), max_length=150, blank=True)
    head_phone = models.CharField(_("head of village's phone"), max_length=20, blank=True)
    secretary_name = models.CharField(_("village secretary"), max_length=150, blank=True)
    secretary_phone = models.CharField(_("village secretary's phone"), max_length=20, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    office_address = models.TextField(_("village office address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    facebook = models.URLField(_("Facebook"), blank=True)
    instagram = models.URLField(_("Instagram"), blank=True)
    youtube = models.URLField(_("YouTube"), blank=True)
    tiktok = models.URLField(_("TikTok"), blank=True)
    connectivity = models.CharField(
        _("internet connectivity"), max_length=20, choices=Connectivity.choices, blank=True
    )
    internet_provider = models.CharField(_("internet provider"), max_length=100, blank=True)
    internet_sambung_desa = models.BooleanField(
        _("in the Internet Sambung Desa scheme"), default=False
    )
    agriculture = models.TextField(_("agriculture"), blank=True)
    livestock = models.TextField(_("livestock"), blank=True)
    fisheries = models.TextField(_("fisheries"), blank=True)
    tourism = models.TextField(_("tourism"), blank=True)
    umkm_count = models.PositiveIntegerField(_("UMKM"), null=True, blank=True)
    umkm_online_count = models.PositiveIntegerField(_("UMKM selling online"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = VillageDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("village profile")
        verbose_name_plural = _("village profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_umkm_online_within_umkm",
                condition=Q(umkm_online_count__isnull=True)
                | Q(umkm_count__isnull=True)
                | Q(umkm_online_count__lte=F("umkm_count")),
                violation_error_message=_("UMKM selling online cannot exceed the number of UMKM."),
            )
        ]

    def __str__(self):
        return str(self.village)


class IdmStatus(models.Model):
    """A band of the Indeks Desa Membangun: scores up to `max_score` (inclusive) have this status.

    Data, not code: Permendes 2/2016's bands are seeded, and Indeks Desa 2024 may replace them.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    max_score = models.DecimalField(
        _("highest score"),
        max_digits=5,
        decimal_places=4,
        unique=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        ordering = ["max_score"]
        verbose_name = _("IDM status")
        verbose_name_plural = _("IDM statuses")

    def __str__(self):
        return self.name


class IdmScoreQuerySet(VillageDataQuerySet):
    def with_status(self):
        """Annotate `status_code` and `status_name` from the IdmStatus bands (a subquery each)."""
        band = IdmStatus.objects.filter(max_score__gte=OuterRef("score")).order_by("max_score")
        return self.annotate(
            status_code=Subquery(band.values("code")[:1]),
            status_name=Subquery(band.values("name")[:1]),
        )


class IdmScore(models.Model):
    village = models.ForeignKey(Village, on_delete=models.CASCADE, related_name="idm_scores")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IdmScoreQuerySet.as_manager()

    class Meta:
        ordering = ["village", "-year"]
        verbose_name = _("IDM score")
        verbose_name_plural = _("IDM scores")
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="idm_score_one_per_year"),
            models.CheckConstraint(
                name="idm_score_between_0_and_1", condition=Q(score__gte=0, score__lte=1)
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}: {self.score}"
