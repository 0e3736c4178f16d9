"""The Gradio app (an edge of the flow): `ui.py` at the repository top starts it.

Nothing in the package imports the app.
"""

from .main import EXAMPLES, ChatApp, build, launch, scopes

__all__ = ["EXAMPLES", "ChatApp", "build", "launch", "scopes"]
