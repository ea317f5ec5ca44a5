"""API area: oauth (routes registered on webapp.api.bp)."""
