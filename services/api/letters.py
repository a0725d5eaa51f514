"""Public API: checking a letter by its verification code, without personal data."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from services.letters import formatted_code, normalise_verification_code, village_full
from services.models import Letter


class LetterVerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    code = serializers.CharField()
    number = serializers.CharField()
    service = serializers.CharField()
    village = serializers.CharField()
    issued_on = serializers.DateField()
    signer_title = serializers.CharField()


class LetterVerifyThrottle(ScopedRateThrottle):
    """The scope's rate read at each request (not once at import), so that settings changes,
    tests' included, apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class LetterVerifyView(APIView):
    """Public, on purpose: whoever is handed a letter may check that the village issued it.
    Throttled per address, though 60-bit codes cannot be guessed anyway."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LetterVerifyThrottle]
    throttle_scope = "letter-verify"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="As printed on the letter, any case, with or without dashes.",
            )
        ],
        responses={
            200: LetterVerificationSerializer,
            404: OpenApiResponse(description="No letter has this code."),
        },
        auth=[],
    )
    def get(self, request, code: str):
        normalised = normalise_verification_code(code)
        letter = (
            Letter.objects.filter(verification_code=normalised)
            .select_related(
                "service_request__service_type", "service_request__village__district__regency"
            )
            .first()
            if normalised
            else None
        )
        if letter is None:
            raise NotFound(gettext("There is no letter with this code."))
        data = {
            "valid": True,
            "code": formatted_code(letter.verification_code),
            "number": letter.number,
            "service": letter.service_request.service_type.name,
            "village": village_full(letter.service_request.village),
            "issued_on": timezone.localdate(letter.issued_at),
            "signer_title": letter.signer_title,
        }
        return Response(LetterVerificationSerializer(data).data)
