"""Niche growth indicators (registered on import)."""
