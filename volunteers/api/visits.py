"""The visits API: everything a mobile client needs to log a visit from the field (create with
a client_id, add photos, submit) and for reviewers to verify or return it.

Photos are served through `GET /api/visits/{id}/photos/{photo_id}/`, scoped like the visit,
so that a token-authenticated app can show them; media URLs are never exposed.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.lib.api import ScopedViewSetMixin
from portal.lib.api_cache import CachedReadMixin
from villages.models import Dimension, Village
from volunteers.actions.visits import (
    add_visit_photo,
    create_visit,
    remove_visit_photo,
    return_visit,
    submit_visit,
    update_visit,
    verify_visit,
)
from volunteers.models import (
    DOUBTFUL_CHECKS,
    ActivityType,
    Visit,
    VisitPhoto,
    VisitStatus,
    Volunteer,
)


class VisitPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitPhoto
        fields = [
            "id",
            "url",
            "width",
            "height",
            "size_bytes",
            "exif_latitude",
            "exif_longitude",
            "exif_taken_at",
            "uploaded_at",
        ]

    def get_url(self, photo) -> str:
        """The scoped URL of the JPEG (never a public media URL)."""
        url = reverse("api:visit-photo-detail", args=[photo.visit_id, photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class VisitSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.full_name", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    doubtful = serializers.BooleanField(source="is_doubtful", read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_id",
            "volunteer",
            "volunteer_name",
            "village",
            "village_name",
            "assignment",
            "visited_on",
            "duration_minutes",
            "activities",
            "pillars",
            "participants_female",
            "participants_male",
            "participants_youth",
            "summary",
            "follow_ups",
            "latitude",
            "longitude",
            "accuracy_m",
            "position_check",
            "distance_km",
            "doubtful",
            "status",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "photos",
            "created_at",
            "updated_at",
        ]


class VisitFilter(django_filters.FilterSet):
    """`?status=submitted&village=35.05.01.2001&volunteer=7&district=35.05.01&doubtful=true`."""

    status = django_filters.ChoiceFilter(choices=VisitStatus.choices)
    village = django_filters.CharFilter(field_name="village_id")
    district = django_filters.CharFilter(field_name="village__district_id")
    volunteer = django_filters.NumberFilter(field_name="volunteer_id")
    doubtful = django_filters.BooleanFilter(method="filter_doubtful")

    class Meta:
        model = Visit
        fields = ["status", "village", "district", "volunteer", "doubtful"]

    def filter_doubtful(self, queryset, name, value):
        if value:
            return queryset.doubtful()
        return queryset.exclude(position_check__in=DOUBTFUL_CHECKS)


class UpdateVisitInputSerializer(serializers.Serializer):
    village = serializers.CharField(help_text="Village code, e.g. 35.05.01.2001.")
    visited_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    activities = serializers.ListField(
        child=serializers.ChoiceField(choices=ActivityType.choices), allow_empty=False
    )
    pillars = serializers.ListField(
        child=serializers.ChoiceField(choices=Dimension.choices), required=False, default=list
    )
    participants_female = serializers.IntegerField(min_value=0, default=0)
    participants_male = serializers.IntegerField(min_value=0, default=0)
    participants_youth = serializers.IntegerField(min_value=0, default=0)
    summary = serializers.CharField()
    follow_ups = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, default=None)


class CreateVisitInputSerializer(UpdateVisitInputSerializer):
    client_id = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Made by the client; a repeat returns the visit already created (200).",
    )
    submit = serializers.BooleanField(default=False, help_text="Submit for review at once.")


class ReturnVisitInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AddVisitPhotoInputSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP, at most 8 MB.")


def _village(code: str) -> Village:
    # Unscoped on purpose: a visit may be logged for an assignment that has since ended (and so
    # is out of the volunteer's scope); create_visit refuses villages never assigned, with a 400.
    village = Village.objects.filter(pk=code).first()
    if village is None:
        raise serializers.ValidationError({"village": [gettext("Unknown village code.")]})
    return village


class VisitViewSet(
    CachedReadMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Mentoring visits in scope (a volunteer's own, drafts included; submitted and reviewed
    visits of the area for reviewers and village secretaries). POST logs a visit for the
    requesting volunteer, PATCH changes a draft or returned one."""

    scoped_model = Visit
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    cache_labels = ()  # volunteers and villages: the user's apps already
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope_queryset(self, queryset):
        queryset = queryset.select_related("volunteer", "village").prefetch_related("photos")
        if self.action == "list":
            # The list shows only the names of the volunteer and village: building 50 full
            # Volunteer and Village objects per page cost more than the query.
            queryset = queryset.only(
                *(field.name for field in Visit._meta.concrete_fields),
                "volunteer__full_name",
                "village__name",
            )
        return queryset

    def _respond(self, visit, status_code=status.HTTP_200_OK):
        visit = self.get_queryset().get(pk=visit.pk)
        return Response(self.get_serializer(visit).data, status=status_code)

    @extend_schema(
        request=CreateVisitInputSerializer,
        responses={201: VisitSerializer, 200: VisitSerializer},
    )
    def create(self, request):
        volunteer = Volunteer.objects.filter(user=request.user).first()
        if volunteer is None:
            raise PermissionDenied(gettext("Only volunteers on the roster log visits."))
        serializer = CreateVisitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["village"] = _village(data["village"])
        client_id = data["client_id"]
        repeat = (
            client_id is not None
            and Visit.objects.filter(client_id=client_id, volunteer=volunteer).exists()
        )
        visit = create_visit(volunteer=volunteer, actor=request.user, **data)
        return self._respond(visit, status.HTTP_200_OK if repeat else status.HTTP_201_CREATED)

    @extend_schema(request=UpdateVisitInputSerializer, responses=VisitSerializer)
    def partial_update(self, request, pk=None):
        visit = self.get_object()
        serializer = UpdateVisitInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "village" in changes:
            changes["village"] = _village(changes["village"])
        visit = update_visit(visit=visit, actor=request.user, **changes)
        return self._respond(visit)

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(submit_visit(visit=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._respond(verify_visit(visit=self.get_object(), actor=request.user))

    @extend_schema(request=ReturnVisitInputSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_volunteer(self, request, pk=None):
        visit = self.get_object()
        serializer = ReturnVisitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = return_visit(
            visit=visit, reason=serializer.validated_data["reason"], actor=request.user
        )
        return self._respond(visit)

    @extend_schema(
        request={"multipart/form-data": AddVisitPhotoInputSerializer},
        responses={201: VisitPhotoSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        visit = self.get_object()
        serializer = AddVisitPhotoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        photo = add_visit_photo(
            visit=visit, photo=serializer.validated_data["photo"], actor=request.user
        )
        data = VisitPhotoSerializer(photo, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"photos/(?P<photo_pk>\d+)",
        url_name="photo-detail",
    )
    def photo_detail(self, request, pk=None, photo_pk=None):
        """GET the JPEG; DELETE it from a draft or returned visit (its volunteer)."""
        visit = self.get_object()
        photo = get_object_or_404(visit.photos, pk=photo_pk)
        if request.method == "DELETE":
            remove_visit_photo(photo=photo, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response
