"""Public pages (no login): tracking a request by its code."""

app_name = "tracking"

urlpatterns = []
