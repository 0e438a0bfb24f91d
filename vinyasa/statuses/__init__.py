"""Project statuses, status updates (one thing, two APIs) and project briefs."""
