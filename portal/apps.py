from importlib import import_module

from django.apps import AppConfig, apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal Desa Cerdas")

    def ready(self):
        from portal.lib import api_cache

        # Every model the cached API answers and dashboard pages read from, and those that make
        # up a signed-in user (portal.authentication): users, roles, API tokens.
        api_cache.track(
            model
            for label in ("accounts", "authtoken", "villages", "volunteers", "services", "reports")
            for model in apps.get_app_config(label).get_models()
        )


class PortalAdminConfig(SimpleAdminConfig):
    """The admin, limited to administrators, discovering every app's admin module but leaflet's.

    django-leaflet's admin module imports GeoDjango, which needs the GDAL system library; the portal
    keeps geometry as GeoJSON and never uses that module.
    """

    default_site = "portal.admin.PortalAdminSite"

    def ready(self):
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name != "leaflet" and module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
