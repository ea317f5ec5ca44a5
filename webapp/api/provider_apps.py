"""API area: provider_apps (routes registered on webapp.api.bp)."""
