"""The room's routes: the view modules, imported once."""
from webapp.outreach import together  # noqa: F401
