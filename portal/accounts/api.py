from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authtoken.views import ObtainAuthToken


class ObtainTokenView(ObtainAuthToken):
    """`POST username, password` -> `{"token": ...}`; a locked-out account is told so (403)."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            # django-axes marks the request when it refused the attempt because of a lockout.
            if getattr(request, "axes_locked_out", False):
                raise exceptions.PermissionDenied(
                    _("Too many failed sign-in attempts: this account is locked for one hour.")
                ) from None
            raise
