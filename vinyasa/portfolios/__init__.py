"""Portfolios: CRUD, ordered items (projects and nested portfolios), members, settings and status."""
