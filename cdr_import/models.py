"""Models of the cdr_import app (built by its issue; see shared/DESIGN.md)."""
