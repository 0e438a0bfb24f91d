"""Project tooling that is not part of the server."""
