"""API area: legacy (routes registered on webapp.api.bp)."""
