"""The database under the app: the engine, its connections' settings, migrations, the health
check, and reads run straight on the driver. It knows no table of the app's own.
"""

import contextlib
import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Select, create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from plumbing.dbfile import sqlite_file

MIGRATION_LOCK = 7_315_001  # any number, the same for every server of the app


def _casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


def _sqlite_setup(timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # Unicode-aware case folding for search (SQLite's own lower() knows only ASCII).
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
        # FULL makes every commit durable in WAL mode; a busy database is waited for this
        # long, then the request fails cleanly (the app answers 503).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        cursor.close()

    return on_connect


def _postgresql_setup(timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # No statement, and no wait for a lock, lasts longer than this (the app answers 503).
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(timeout_ms)}")
                cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
            dbapi_connection.commit()
        except Exception:
            dbapi_connection.close()  # the server went away meanwhile: the pool never gets it
            raise

    def on_do_connect(_dialect, _record, _cargs, cparams: dict) -> None:
        # Nor does opening a connection (psycopg counts whole seconds, at least 2), unless the
        # URL says otherwise.
        cparams.setdefault("connect_timeout", max(2, math.ceil(timeout_ms / 1000)))

    return on_connect, on_do_connect


def first_line(error: BaseException) -> str:
    """What a database error says, in one line: the driver's own message where SQLAlchemy
    wraps one."""
    reason = getattr(error, "orig", None) or error
    return (str(reason).strip().splitlines() or [""])[0]


class _OneLine(logging.Filter):
    """The pool's report of a connection it could not reset or close (the server dropped
    it): one line, without the traceback. The connection is discarded either way."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.levelno >= logging.ERROR:
            error = record.exc_info[1]
            record.msg = "Database connection discarded (%s: %s)"
            record.args = (type(error).__name__, first_line(error))
            record.exc_info = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class Database:
    """One database, SQLite or PostgreSQL, as the app's queries need it."""

    def __init__(self, url: str, timeout_ms: int = 5000) -> None:
        """`timeout_ms` bounds every wait for the database: for a connection from the pool or
        the server, for a lock, for a statement."""
        self.sqlite = make_url(url).get_backend_name() == "sqlite"
        self.engine: Engine = create_engine(
            url,
            # pre_ping replaces connections a database server dropped (a restart, say).
            pool_pre_ping=not self.sqlite,
            pool_timeout=timeout_ms / 1000,
        )
        pool_log = self.engine.pool.logger
        pool_log = getattr(pool_log, "logger", pool_log)  # the logging.Logger it writes to
        if not any(isinstance(f, _OneLine) for f in pool_log.filters):
            pool_log.addFilter(_OneLine())
        if self.sqlite:
            event.listen(self.engine, "connect", _sqlite_setup(timeout_ms))
        else:
            on_connect, on_do_connect = _postgresql_setup(timeout_ms)
            event.listen(self.engine, "connect", on_connect)
            event.listen(self.engine, "do_connect", on_do_connect)
        self.timeout = timeout_ms / 1000
        # SQLite takes one writer at a time and makes the others sleep and retry; threads of
        # one process queue here instead, which keeps the wait for the write lock short.
        self._write_lock = threading.Lock() if self.sqlite else None

    @contextlib.contextmanager
    def writing(self):
        """Around a write: on SQLite, this process's writers one at a time, each waiting at
        most the timeout for its turn (then PoolTimeout, which the app answers with 503)."""
        if self._write_lock is None:
            yield
            return
        if not self._write_lock.acquire(timeout=self.timeout):
            raise PoolTimeout("waited too long for this process's other writes")
        try:
            yield
        finally:
            self._write_lock.release()

    def unbounded(self, connection) -> None:
        """Lift the request timeouts for the rest of `connection`'s transaction: for
        migrations and maintenance, which may rightly take longer than any request."""
        if not self.sqlite:
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
            connection.exec_driver_sql("SET LOCAL lock_timeout = 0")

    def casefold(self, column):
        """`column` case-folded in SQL, and the same folding for Python text (for LIKE)."""
        if self.sqlite:
            return func.casefold(column), str.casefold
        return func.lower(column), str.lower

    def migrate(self, migrations: Path, first: str, table: str) -> None:
        """Apply pending Alembic migrations from `migrations`; SQLite switches to WAL.

        Run once before serving (`flask init-db`, serve.py), never by each worker. A database
        that has `table` but no migration record is taken as being at migration `first`.
        """
        if self.sqlite:
            # The app's connections never create the file (plumbing/dbfile.py); this does.
            database = sqlite_file(self.engine.url)
            if database is not None and not database.exists():
                logging.getLogger(__name__).warning("No database at %s: creating one", database)
                sqlite3.connect(database).close()
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        config = Config()
        config.set_main_option("script_location", str(migrations))
        with self.engine.begin() as connection:
            self.unbounded(connection)
            if not self.sqlite:
                # Servers starting together migrate one after another, never at once.
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            tables = inspect(connection).get_table_names()
            if table in tables and "alembic_version" not in tables:
                command.stamp(config, first)
            command.upgrade(config, "head")

    def ping(self, table: str) -> bool:
        """True when the database answers a query on `table`."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(text("1")).select_from(text(table)).limit(1)).all()
            return True
        except (DBAPIError, PoolTimeout):
            return False

    def fast_read(self, query: Select) -> "FastRead":
        return FastRead(self, query)


class FastRead:
    """A Core select compiled once and then run straight on the DB-API connection.

    For the reads every page makes, SQLAlchemy's per-statement work costs more than the query
    itself. The SQL, the order of its parameters and the conversion of each result column all
    come from the select and its types (parameters go through their bind processing, results
    through their result processing), so this path returns what executing the select through
    SQLAlchemy would. Errors come out as SQLAlchemy's, as from every other query; a
    connection the server dropped is discarded from the pool.
    """

    def __init__(self, database: Database, query: Select) -> None:
        self.engine = database.engine
        dialect = self.engine.dialect
        compiled = query.compile(dialect=dialect)
        self.sql = compiled.string
        self.names: Sequence[str] | None = compiled.positiontup if dialect.positional else None
        self.defaults = compiled.params  # the values bound in the select itself
        names = compiled.bind_names  # each bind parameter of the select: its name in the SQL
        self.required = {name for bind, name in names.items() if bind.required}
        # Each parameter goes through its type's bind processing, as SQLAlchemy would do.
        self.bind = {
            name: processor
            for bind, name in names.items()
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect))
        }
        # Each result column that has one goes through its type's result processing.
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in query.selected_columns
        ]
        self.convert: list[tuple[int, Callable[[Any], Any]]] = [
            (index, process) for index, process in enumerate(processors) if process is not None
        ]

    def rows(self, **parameters: Any) -> list[tuple]:
        if missing := self.required - parameters.keys():
            raise TypeError(f"missing parameters: {', '.join(sorted(missing))}")
        values = {**self.defaults, **parameters}
        for name, process in self.bind.items():
            values[name] = process(values[name])
        if self.names is not None:
            bound: Any = tuple(values[name] for name in self.names)
        else:
            bound = values
        dbapi = self.engine.dialect.loaded_dbapi
        connection = cursor = None
        try:
            connection = self.engine.raw_connection()
            cursor = connection.cursor()
            cursor.execute(self.sql, bound)
            raw = cursor.fetchall()
        except dbapi.Error as error:
            gone = connection is not None and self.engine.dialect.is_disconnect(
                error, connection.dbapi_connection, cursor
            )
            if gone:
                connection.invalidate(error)
            raise DBAPIError.instance(
                self.sql, bound, error, dbapi.Error, connection_invalidated=gone
            ) from error
        finally:
            if connection is not None:
                connection.close()  # back to the pool, which rolls back what the read began
        rows = []
        for values in raw:
            row = list(values)
            for index, process in self.convert:
                row[index] = process(row[index])
            rows.append(tuple(row))
        return rows
