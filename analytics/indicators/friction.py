"""Sales-vs-tech friction indicators (registered on import)."""
