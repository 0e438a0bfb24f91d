"""The test kit: a pytest plugin (`vinyasa.testing.plugin`, registered as `pytest11` entry point
`vinyasa`) and the `Emulator` handle it hands out. See `docs/testing.md` and `examples/`."""

from vinyasa.testing.emulator import Emulator

__all__ = ["Emulator"]
