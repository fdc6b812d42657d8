"""Statistics: pure functions over numbers and tables (import nothing from analyses, inputs or report)."""
