"""Mobile line orders (commandes de ligne mobile, with portability) and service orders: their
services, selectors, forms, pages and API, kept apart from the SIM stock and line actions."""
