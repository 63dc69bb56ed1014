"""Who is signed in, and who has guessed wrong too often.

A Flask cookie session stays valid for whoever keeps a copy of it, sign-out or not. Here the
cookie holds only a random session id; the row behind it is the session, and signing out
deletes it. Failed sign-ins are counted per account and per client address in the database,
so every web app process applies the same limits and a restart does not reset them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.adapters.storage.database import Database, as_utc
from bot.adapters.storage.schema import sign_in_failures, web_sessions
from bot.clock import utc_now


@dataclass(frozen=True)
class Limits:
    """How many failures within `window` lock an account or an address, and for how long."""

    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)


class SignIns:
    def __init__(
        self,
        database: Database,
        session_lifetime: timedelta,
        limits: Limits = Limits(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._database = database
        self._lifetime = session_lifetime
        self._limits = limits
        self._now = clock

    # --- sessions ----------------------------------------------------------------------

    def open_session(self, user_id: int) -> str:
        """A new session for `user_id`; its id goes into the cookie."""
        session_id = secrets.token_urlsafe(32)
        with self._database.transaction() as connection:
            connection.execute(
                web_sessions.insert().values(id=session_id, user_id=user_id, created_at=self._now())
            )
        return session_id

    def session_user(self, session_id: str) -> int | None:
        """The user of a live session; None once it was closed or has expired."""
        with self._database.transaction() as connection:
            row = connection.execute(
                select(web_sessions.c.user_id, web_sessions.c.created_at).where(
                    web_sessions.c.id == session_id
                )
            ).first()
        if row is None or as_utc(row.created_at) + self._lifetime < self._now():
            return None
        return row.user_id

    def close_session(self, session_id: str) -> None:
        with self._database.transaction() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.id == session_id))
            connection.execute(
                delete(web_sessions).where(web_sessions.c.created_at < self._now() - self._lifetime)
            )

    def close_sessions_of(self, user_id: int) -> None:
        """Sign a user out everywhere (his password was reset)."""
        with self._database.transaction() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))

    # --- failed sign-ins ---------------------------------------------------------------

    def locked(self, username: str, address: str) -> bool:
        """Whether the account or the address is locked out right now."""
        keys = [_account_key(username), _address_key(address)]
        with self._database.transaction() as connection:
            rows = connection.execute(
                select(sign_in_failures.c.locked_until).where(sign_in_failures.c.key.in_(keys))
            ).all()
        return any(row.locked_until and as_utc(row.locked_until) > self._now() for row in rows)

    def failed(self, username: str, address: str) -> None:
        """Count a wrong password (or an unknown name) against both keys."""
        limits = self._limits
        for key, limit in (
            (_account_key(username), limits.per_account),
            (_address_key(address), limits.per_address),
        ):
            self._count(key, limit)

    def succeeded(self, username: str) -> None:
        """A right password clears the account's count (not the address's)."""
        with self._database.transaction() as connection:
            connection.execute(
                delete(sign_in_failures).where(sign_in_failures.c.key == _account_key(username))
            )

    def _count(self, key: str, limit: int) -> None:
        now, limits = self._now(), self._limits
        with self._database.transaction() as connection:
            row = connection.execute(
                select(sign_in_failures).where(sign_in_failures.c.key == key)
            ).first()
            if row is None or as_utc(row.first_at) + limits.window < now:
                connection.execute(delete(sign_in_failures).where(sign_in_failures.c.key == key))
                try:
                    with connection.begin_nested():
                        connection.execute(
                            sign_in_failures.insert().values(key=key, failures=1, first_at=now)
                        )
                except IntegrityError:  # counted at the same moment by another request
                    connection.execute(
                        update(sign_in_failures)
                        .where(sign_in_failures.c.key == key)
                        .values(failures=sign_in_failures.c.failures + 1)
                    )
                return
            failures = row.failures + 1
            locked_until = now + limits.lockout if failures >= limit else row.locked_until
            connection.execute(
                update(sign_in_failures)
                .where(sign_in_failures.c.key == key)
                .values(failures=failures, locked_until=locked_until)
            )


def _account_key(username: str) -> str:
    return "account:" + username.strip().lower()[:280]


def _address_key(address: str) -> str:
    return "address:" + address[:280]
