# The public face of carebacklog: its sub-packages, one a line (read by carebacklog._lazy for lazy
# loading and by type checkers). A new capability package is added here.

from . import booking as booking
from . import community as community
from . import equity as equity
from . import flow as flow
from . import forecast as forecast
from . import published as published
from . import rtt as rtt
from . import spc as spc
from . import store as store
from . import synth as synth
from . import trust as trust
from . import web as web

__version__: str
