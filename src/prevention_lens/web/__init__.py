"""The web app: server-rendered pages, a JSON API under /api/v1, static assets served locally."""
