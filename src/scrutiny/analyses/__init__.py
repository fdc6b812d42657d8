"""Analyses: tables in, tables out (import no report module)."""
