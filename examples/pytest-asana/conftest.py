"""Nothing to configure: vinyasa's pytest plugin provides the fixtures (entry point `vinyasa`)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # so the tests import triage.py from here
