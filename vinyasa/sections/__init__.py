"""Sections of projects: ordered subdivisions that tasks sit in."""
