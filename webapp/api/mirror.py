"""API area: mirror (routes registered on webapp.api.bp)."""
