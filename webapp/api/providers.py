"""API area: providers (routes registered on webapp.api.bp)."""
