"""Teams inside organizations, and team memberships."""
