"""The Gradio app (an edge of the flow): `ui.py` at the repository top starts it.

Nothing in the package imports the app.
"""

from .main import build, launch
from .session import ChatApp, scopes
from .texts import EXAMPLES

__all__ = ["EXAMPLES", "ChatApp", "build", "launch", "scopes"]
