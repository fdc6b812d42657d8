"""Scrutiny notebooks: contract-validated, reproducible scrutiny packs for OPCCs."""

__version__ = "0.1.0"
