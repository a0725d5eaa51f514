from django.urls import path

from volunteers.views import roster_csv

urlpatterns = [
    path("unduh.csv", roster_csv.volunteer_csv_view, name="volunteer-csv"),
    path("impor/", roster_csv.volunteer_import_view, name="volunteer-import"),
]
