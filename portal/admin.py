from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """Django's admin sees every row of every area, so only administrators may enter it."""

    site_header = _("Portal Desa Cerdas administration")
    site_title = _("Portal Desa Cerdas")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
