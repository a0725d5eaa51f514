from rest_framework import serializers, viewsets

from portal.lib.api import ScopedViewSetMixin
from volunteers.models import Registration, Training


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Training
        fields = ["id", "title", "kind", "organiser", "regency", "starts_on", "ends_on"]


class TrainingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Training
    serializer_class = TrainingSerializer


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "training", "volunteer", "attendance"]


class RegistrationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    scoped_model = Registration
    serializer_class = RegistrationSerializer
