"""The villages app's API, a module per topic; `portal/urls.py` registers the viewsets."""
