"""Models of the provisioning app (built by its issue; see shared/DESIGN.md)."""
