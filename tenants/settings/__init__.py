"""A tenant's own settings: branding, domains, bank, e-mail and invoice templates, numbering, team."""
