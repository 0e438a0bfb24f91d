"""Asana's events API (digest §C.10), read from the change journal."""
