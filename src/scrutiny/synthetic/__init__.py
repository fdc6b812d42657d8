"""Seeded generators of synthetic sample data."""
