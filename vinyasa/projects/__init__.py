"""Projects, their members and followers, and project memberships."""
