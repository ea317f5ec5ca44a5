"""API area: auth (routes registered on webapp.api.bp)."""
