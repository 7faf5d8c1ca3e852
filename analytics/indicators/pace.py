"""Pace indicators (registered on import)."""
