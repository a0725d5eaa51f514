"""The volunteers app's pages under /relawan/, a module per topic."""

from volunteers.urls import roster, roster_csv, trainings, visits

app_name = "volunteers"

urlpatterns = [
    *roster_csv.urlpatterns,
    *visits.urlpatterns,
    *trainings.urlpatterns,
    # Last: the roster's `<int:pk>/` patterns.
    *roster.urlpatterns,
]
