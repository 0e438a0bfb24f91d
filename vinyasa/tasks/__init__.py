"""Tasks: records, subtasks, and their placement in projects and sections."""
