"""API area: tokens (routes registered on webapp.api.bp)."""
