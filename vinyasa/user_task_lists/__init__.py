"""User task lists (My Tasks): the tasks assigned to a user in one workspace."""
