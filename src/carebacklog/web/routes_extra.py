"""Pages and API of optional capabilities, included only when their package provides its public API."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from carebacklog.web.features import Features

__all__ = ["include"]


def include(app: FastAPI, features: Features) -> None:
    for flag, module in (
        ("national", "routes_national"),
        ("equity", "routes_equity"),
        ("forecast", "routes_forecast"),
    ):
        if getattr(features, flag):
            app.include_router(importlib.import_module(f"carebacklog.web.{module}").router)
