"""Urgent care and hospital flow in the web app: the ``/urgent-care`` page, bed-flow scenarios and the API."""

from carebacklog.web.flow.routes import router

__all__ = ["router"]
