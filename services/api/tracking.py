"""Public tracking API (no login): the same few fields as the tracking page, throttled with it."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from services.models import RequestStatus
from services.throttle import TrackingThrottle
from services.tracking import public_tracking


class TrackingStepSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    status_label = serializers.CharField()
    on = serializers.DateField()


class TrackingSerializer(serializers.Serializer):
    """Never personal data: the applicant's name shortened, no NIK, address, phone or notes."""

    code = serializers.CharField()
    service = serializers.CharField()
    village = serializers.CharField()
    district = serializers.CharField()
    applicant = serializers.CharField(help_text="First name and initials, e.g. “Budi S.”.")
    filed_on = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.ChoiceField(choices=RequestStatus.choices)
    status_label = serializers.CharField()
    is_overdue = serializers.BooleanField()
    needs_documents = serializers.BooleanField(
        help_text="Returned: the applicant should contact the village office."
    )
    steps = TrackingStepSerializer(many=True)


class TrackingView(APIView):
    """Public, on purpose: the applicant holds the code. Lookups count against the same
    per-address limit as the tracking page."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [TrackingThrottle]

    @extend_schema(
        operation_id="track_request",
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The receipt's tracking code, any case, with or without dashes.",
            )
        ],
        responses={
            200: TrackingSerializer,
            404: OpenApiResponse(description="No request has this tracking code."),
            429: OpenApiResponse(description="Too many lookups from this address."),
        },
        auth=[],
    )
    def get(self, request, code: str):
        tracking = public_tracking(code)
        if tracking is None:
            raise NotFound(gettext("No request has this tracking code."))
        return Response(TrackingSerializer(tracking).data)
