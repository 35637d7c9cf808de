"""Saved PTL views: each user's named PTL queries. Functions take the caller's session and never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from carebacklog.store.models import SavedView, User

__all__ = ["delete_view", "list_views", "save_view"]


def save_view(db: Session, user: User, *, name: str, query: str, now: dt.datetime) -> SavedView:
    """Save ``query`` (a PTL query string) as ``name`` for ``user``; a view of the same name is replaced."""
    existing = db.scalars(select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)).first()
    if existing is not None:
        existing.query, existing.created_at = query, now
        db.flush()
        return existing
    view = SavedView(user_id=user.id, name=name, query=query, created_at=now)
    db.add(view)
    db.flush()
    return view


def list_views(db: Session, user: User) -> list[SavedView]:
    """``user``'s saved views, by name."""
    return list(db.scalars(select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)))


def delete_view(db: Session, user: User, view_id: int) -> bool:
    """Delete one of ``user``'s views (another user's view is never touched); whether one was deleted."""
    result = db.execute(delete(SavedView).where(SavedView.id == view_id, SavedView.user_id == user.id))
    return bool(getattr(result, "rowcount", 0))
