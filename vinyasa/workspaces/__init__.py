"""Workspaces and organizations, and who belongs to them."""
