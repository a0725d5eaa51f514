"""Scoped API over Desa Cerdas assessments: each with its scores and per-dimension percentages.

Writes go through villages.actions.scorecards.record_assessment, which checks permission (403)
after the scoped fetch (404).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from villages.actions.scorecards import record_assessment
from villages.models import Assessment, AssessmentScore, Programme, Village

# Assessments


class AssessmentScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    dimension = serializers.CharField(source="indicator.dimension", read_only=True)
    max_score = serializers.IntegerField(source="indicator.max_score", read_only=True)

    class Meta:
        model = AssessmentScore
        fields = ["indicator", "indicator_code", "dimension", "score", "max_score"]


class AssessmentSerializer(serializers.ModelSerializer):
    scores = AssessmentScoreSerializer(many=True, read_only=True)
    dimensions = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "village",
            "programme",
            "assessed_on",
            "assessor",
            "notes",
            "dimensions",
            "scores",
        ]

    def get_dimensions(self, assessment) -> dict[str, float]:
        """Per pillar or aspect: the score as % of the highest, averaged over its indicators
        (from the prefetched scores, so no query per row)."""
        shares = defaultdict(list)
        for row in assessment.scores.all():
            shares[row.indicator.dimension].append(row.score * 100 / row.indicator.max_score)
        return {
            dimension: float((sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP))
            for dimension, values in shares.items()
        }


class RecordAssessmentInputSerializer(serializers.Serializer):
    village = serializers.CharField()
    assessed_on = serializers.DateField()
    programme = serializers.IntegerField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    scores = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2),
        help_text="Indicator code or id -> score, from 0 to the indicator's highest score.",
    )


class AssessmentFilter(django_filters.FilterSet):
    village = django_filters.CharFilter(field_name="village_id")
    programme = django_filters.NumberFilter(field_name="programme_id")
    assessed_after = django_filters.DateFilter(field_name="assessed_on", lookup_expr="gte")

    class Meta:
        model = Assessment
        fields = ["village", "programme", "assessed_after"]


class AssessmentViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Scorecards of the villages in scope, with their scores; POST records one, all or
    nothing."""

    scoped_model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def scope_queryset(self, queryset):
        scores = AssessmentScore.objects.select_related("indicator").order_by(
            "indicator__dimension", "indicator__order"
        )
        return queryset.prefetch_related(Prefetch("scores", queryset=scores))

    @extend_schema(request=RecordAssessmentInputSerializer, responses=AssessmentSerializer)
    def create(self, request):
        serializer = RecordAssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        village = get_object_or_404(Village.objects.visible_to(request.user), pk=data["village"])
        programme = None
        if data.get("programme"):
            programme = get_object_or_404(
                Programme.objects.visible_to(request.user), pk=data["programme"]
            )
        assessment = record_assessment(
            village=village,
            assessed_on=data["assessed_on"],
            scores=data["scores"],
            notes=data["notes"],
            programme=programme,
            actor=request.user,
        )
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)
