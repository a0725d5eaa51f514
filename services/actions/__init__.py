"""Every write to the services app, a module per topic."""
