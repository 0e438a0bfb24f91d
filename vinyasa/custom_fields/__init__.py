"""Custom fields: definitions, enum options, and settings that put them on projects (issue 16)."""
