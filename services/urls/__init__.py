"""Staff pages of the services app under /layanan/, a module per topic."""

from services.urls import catalogue, letters, requests

app_name = "services"

urlpatterns = [*catalogue.urlpatterns, *letters.urlpatterns, *requests.urlpatterns]
