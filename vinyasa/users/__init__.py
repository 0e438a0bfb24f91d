"""Users: `me`, emails and gids, and the user lists of workspaces and teams."""
