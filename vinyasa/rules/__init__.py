"""Rules (issue 20): a project's automation, defined under `/_vinyasa/`, run on journal changes and
on Asana's `POST /rule_triggers/{gid}/run`. See vinyasa.rules.engine for how runs happen."""
