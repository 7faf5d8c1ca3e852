"""Timing runs at the large scale (not tests): see README.md."""
