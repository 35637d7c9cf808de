"""carebacklog.web: the FastAPI app (server-rendered NHS.UK pages and the JSON API under ``/api/v1``).

Start at :func:`carebacklog.web.app.create_app`. Every page and router is always included; the app reaches
the database only through :mod:`carebacklog.store`'s public names (never its sub-modules), and the RTT
rules it shows (priority codes, breach weeks, the month-end trend) come from :mod:`carebacklog.rtt`.
"""
