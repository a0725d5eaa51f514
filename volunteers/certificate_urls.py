"""Public pages that check a training certificate by its code (no login)."""

app_name = "certificates"

urlpatterns = []
