"""Models of the customers app (built by its issue; see shared/DESIGN.md)."""
