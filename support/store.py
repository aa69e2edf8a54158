"""All data access: the schema, the engine and every query the app runs."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Index,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


def new_id() -> str:
    """A random, URL-safe id of 128 bits (22 characters)."""
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back timezone-aware datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        # A repeated submit of the same form (same request_id) stores one row.
        UniqueConstraint("visitor_id", "request_id"),
        Index("ix_submissions_visitor_created", "visitor_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    visitor_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Entry:
    """What views and templates get: plain values, no session attached."""

    id: str
    text: str
    created_at: datetime


def _entry(row: Submission) -> Entry:
    return Entry(id=row.id, text=row.text, created_at=row.created_at)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # FULL makes every commit durable in WAL mode; wait for a writer instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Store:
    """The submissions table behind a few intention-named methods."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def create_schema(self) -> None:
        """Create missing tables (never drops anything); SQLite switches to WAL."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        Base.metadata.create_all(self.engine)

    def add(self, visitor_id: str, text: str, request_id: str | None = None) -> Entry:
        """Store a submission; a repeat of the same request_id returns the first one."""
        try:
            with Session(self.engine) as session, session.begin():
                row = Submission(visitor_id=visitor_id, text=text, request_id=request_id)
                session.add(row)
                session.flush()
                return _entry(row)
        except IntegrityError:
            if request_id is None:
                raise
            with Session(self.engine) as session:
                row = session.scalars(
                    select(Submission).filter_by(visitor_id=visitor_id, request_id=request_id)
                ).one()
                return _entry(row)

    def get(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """The visitor's submission with that id, or None (also for anyone else's)."""
        if visitor_id is None:
            return None
        with Session(self.engine) as session:
            row = session.scalars(
                select(Submission).filter_by(id=submission_id, visitor_id=visitor_id)
            ).one_or_none()
            return _entry(row) if row else None

    def recent(self, visitor_id: str | None, limit: int = 10) -> list[Entry]:
        """The visitor's newest submissions, newest first."""
        if visitor_id is None:
            return []
        with Session(self.engine) as session:
            rows = session.scalars(
                select(Submission)
                .filter_by(visitor_id=visitor_id)
                .order_by(Submission.created_at.desc(), Submission.id.desc())
                .limit(limit)
            )
            return [_entry(row) for row in rows]

    def count(self) -> int:
        """All stored submissions (for tests and operators)."""
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(Submission))
