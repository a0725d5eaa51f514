from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "portal.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from portal.dashboard.actions import on_figures_changed
        from portal.lib.figures import figures_changed

        figures_changed.connect(on_figures_changed, dispatch_uid="dashboard-rollups")
