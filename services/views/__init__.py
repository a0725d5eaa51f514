"""Pages of the services app, a module per topic."""
