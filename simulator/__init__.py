"""A faithful local Vibes ("Catapult") API: ``SimulatorServer(...).start()``.

See ``simulator.server`` for the library API and README.md for the control API.
"""

from .errors import ApiError
from .server import SimulatorServer
from .state import SimulatorState

__all__ = ["ApiError", "SimulatorServer", "SimulatorState"]
