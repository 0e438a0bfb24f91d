"""Tags: labels in a workspace, put on tasks (Asana tag Tags)."""
