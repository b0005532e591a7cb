"""Routers, one per area of the app."""
