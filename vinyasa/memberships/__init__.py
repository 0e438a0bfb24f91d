"""Memberships (GET/POST/PUT/DELETE /memberships): today's way to share a project with users and teams."""
