"""Models of the offers app (built by its issue; see shared/DESIGN.md)."""
