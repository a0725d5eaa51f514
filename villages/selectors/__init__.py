"""Reads for pages, maps and reports that span several models, a module per topic."""
