"""Forms of the volunteers app, a module per topic."""
