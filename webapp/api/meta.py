"""API area: meta (routes registered on webapp.api.bp)."""
