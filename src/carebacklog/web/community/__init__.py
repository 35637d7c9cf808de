"""Community and mental-health waiting lists in the web app: the ``/community`` page and its API."""

from carebacklog.web.community.routes import router

__all__ = ["router"]
