from django.urls import path

from portal.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("baca-semua/", views.mark_all_read_view, name="mark-all-read"),
    path("pengaturan/", views.preferences_view, name="preferences"),
    path("<int:pk>/buka/", views.open_view, name="open"),
]
