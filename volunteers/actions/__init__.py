"""Every write to the volunteers app, a module per topic."""
