"""vinyasa's emulator control plane, under `/_vinyasa/` (outside Asana's `/api/1.0`).

Off unless `vinyasa serve --emulator` (or the test kit, `vinyasa.testing`) turns it on; then every
route needs the admin token printed at start, and when off every one of them is a 404. Modules:

- `plane`: the control plane's state and `EmulatorApp`, which puts faults and the recorder on the
  request path (the plain `AsanaApp` is used when the control plane is off: zero cost);
- `routes`: reset, fixtures, snapshots, clock, faults, recorder, jobs (pause/resume/step), status;
- `store` (states and named snapshots), `template` (fast SQLite resets), `fixtures` (YAML/JSON
  worlds loaded through the services), `faults`, `recorder`, `queries` (its raw SQL);
- `server`: prepare a database and serve it in a thread (`serve --emulator`, the pytest plugin).

The clock every timestamp reads is `vinyasa.core.clock`.
"""
