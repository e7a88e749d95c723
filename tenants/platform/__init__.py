"""The platform side (public schema): onboarding a tenant, its checklist, identity and feed access."""
