"""Public pages (no login): checking a letter by its verification code."""

app_name = "letters"

urlpatterns = []
