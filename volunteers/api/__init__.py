"""Scoped API over the roster, assignments, trainings and visits, a module per topic."""
