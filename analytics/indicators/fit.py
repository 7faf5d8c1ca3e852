"""Customer fit indicators (registered on import)."""
