"""Scoped API over the catalogue and citizen service requests, a module per topic."""
