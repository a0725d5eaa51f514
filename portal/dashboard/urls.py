from django.urls import path

from portal.dashboard import views

app_name = "dashboard"

CODE = "<str:code>"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path(f"kabupaten/{CODE}/", views.regency_dashboard, name="regency"),
    path(f"kecamatan/{CODE}/", views.district_dashboard, name="district"),
    path(f"desa/{CODE}/", views.village_dashboard, name="village"),
]
