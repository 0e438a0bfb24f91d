"""Task and project search (Asana advanced search), on each database's full-text engine."""
