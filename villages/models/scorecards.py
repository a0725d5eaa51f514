"""Desa Cerdas scorecards: indicators under six pillars and three aspects, scored per assessment."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models.profiles import VillageDataQuerySet
from villages.models.regions import Village, area_scope


class Dimension(models.TextChoices):
    """The six Desa Cerdas pillars, then the three digitalisation aspects."""

    SOCIETY = "masyarakat", _("smart society")
    ECONOMY = "ekonomi", _("smart economy")
    GOVERNANCE = "tata_kelola", _("smart governance")
    ENVIRONMENT = "lingkungan", _("smart environment")
    LIVING = "kehidupan", _("smart living")
    MOBILITY = "mobilitas", _("smart mobility")
    INTERNET = "internet", _("village internet")
    DATABASE = "database", _("village database")
    HUMAN_RESOURCES = "sdm", _("human resources")


class Indicator(models.Model):
    """Data that officials edit; a default set is seeded by a migration."""

    dimension = models.CharField(_("pillar or aspect"), max_length=20, choices=Dimension.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_score = models.PositiveSmallIntegerField(
        _("highest score"), default=4, validators=[MinValueValidator(1)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["dimension", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name


class Assessment(models.Model):
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="assessments")
    programme = models.ForeignKey(
        "villages.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("assessor"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VillageDataQuerySet.as_manager()

    class Meta:
        ordering = ["village", "-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.village} {self.assessed_on}"


class AssessmentScoreQuerySet(models.QuerySet):
    def visible_to(self, user):
        return area_scope(user).filter(
            self, code_field="assessment__village__code", ancestors=False
        )


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="scores")
    score = models.DecimalField(
        _("score"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    evidence_url = models.URLField(_("evidence link"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = AssessmentScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="score_once"),
            models.CheckConstraint(name="score_not_negative", condition=Q(score__gte=0)),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.score}"
