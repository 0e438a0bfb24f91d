"""Asana's jobs (`GET /jobs/{gid}`) and the work that produces them: duplicating projects and tasks,
project templates (issue 18). The work runs on the durable runner, vinyasa.core.runner."""
