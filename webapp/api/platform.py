"""API area: platform (routes registered on webapp.api.bp)."""
