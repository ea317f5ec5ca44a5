"""API area: sync (routes registered on webapp.api.bp)."""
