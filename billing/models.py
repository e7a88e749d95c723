"""Models of the billing app (built by its issue; see shared/DESIGN.md)."""
