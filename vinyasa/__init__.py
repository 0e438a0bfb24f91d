"""vinyasa: a self-hosted server that speaks Asana's REST API v1.0."""

__version__ = "0.1.0"
