"""The wire engine: bodies, opt_fields projection, pagination, gids, rendering. Resources reuse it."""
