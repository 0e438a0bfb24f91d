"""What every service needs and nothing of HTTP: the caller (a unit of work) and the change journal.

Routes, and later jobs, rules and webhook workers, build a `Caller` for a user and call the same
services with it; services never see the request.
"""

from vinyasa.core import journal
from vinyasa.core.caller import Caller

__all__ = ["Caller", "journal"]
