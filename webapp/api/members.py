"""API area: members (routes registered on webapp.api.bp)."""
