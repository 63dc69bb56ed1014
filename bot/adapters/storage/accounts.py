"""Web accounts: users with passwords and roles, teams, and the chat identity of a web user.

Passwords are kept only as Argon2id hashes (argon2-cffi). Every user the web app knows also
owns the web identity `<user id>` on channel `web`, whose conversation is `web:<user id>`
(channels/web.py), so the action server's `Storage.rep_for("web", "<id>")` finds this user.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.adapters.storage.database import Database
from bot.adapters.storage.records import identity_owner
from bot.adapters.storage.schema import identities, teams, users
from bot.clock import utc_now
from bot.methodology.vocabulary import ADMIN, REP, ROLES, TRAINER

logger = logging.getLogger(__name__)
REST_CHANNEL = "rest"
WEB_CHANNEL = "web"
MIN_PASSWORD_LENGTH = 8


def conversation_id(channel: str, external_id: str) -> str:
    """The Rasa conversation of a channel identity: REST senders as they are, every other
    channel's under its own prefix. The REST channel refuses a sender with a colon, so no REST
    client can reach a web user's or a WeCom member's conversation."""
    return external_id if channel == REST_CHANNEL else f"{channel}:{external_id}"


def external_id(channel: str, conversation: str) -> str:
    """The channel identity behind a conversation id (`conversation_id` undone)."""
    prefix = f"{channel}:"
    return conversation if channel == REST_CHANNEL else conversation.removeprefix(prefix)


def web_conversation_id(user_id: int) -> str:
    """The conversation of this user's web chat."""
    return conversation_id(WEB_CHANNEL, str(user_id))


class AccountError(ValueError):
    """A request the data does not allow (duplicate name, unknown team...); the message is
    shown to the admin as is, so it is in Chinese."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    team_name: str | None
    has_password: bool


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    members: int


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    team: str | None


# Created only when asked (`make demo`), only while no user has a password (a fresh
# database), each with a random password shown once: no account has a published password.
DEMO_TEAMS = ("华东一组", "华南二组")
DEMO_USERS = (
    DemoUser("admin", "系统管理员", ADMIN, None),
    DemoUser("trainer", "陈培训", TRAINER, "华东一组"),
    DemoUser("trainer2", "林培训", TRAINER, "华南二组"),
    DemoUser("rep1", "李销售", REP, "华东一组"),
    DemoUser("rep2", "王销售", REP, "华南二组"),
)


class Accounts:
    def __init__(
        self,
        database: Database,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._database = database
        self._hasher = hasher or PasswordHasher()
        self._now = clock

    # --- teams -------------------------------------------------------------------------

    def create_team(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise AccountError("团队名称不能为空。")
        with self._database.transaction() as connection:
            if _team_id(connection, name) is not None:
                raise AccountError(f"团队“{name}”已经存在。")
            return connection.execute(
                teams.insert().values(name=name, created_at=self._now())
            ).inserted_primary_key[0]

    def teams(self) -> list[Team]:
        members = (
            select(users.c.team_id, func.count().label("members"))
            .group_by(users.c.team_id)
            .subquery()
        )
        query = (
            select(teams.c.id, teams.c.name, func.coalesce(members.c.members, 0))
            .outerjoin(members, members.c.team_id == teams.c.id)
            .order_by(teams.c.name)
        )
        with self._database.transaction() as connection:
            return [Team(*row) for row in connection.execute(query)]

    # --- users -------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        display_name: str,
        password: str,
        role: str,
        team_id: int | None,
    ) -> int:
        """A user who can sign in, with the web chat identity he owns."""
        username = username.strip()
        if not username:
            raise AccountError("用户名不能为空。")
        _check_role(role)
        password_hash = self._hash(password)
        with self._database.transaction() as connection:
            _check_team(connection, team_id)
            try:
                with connection.begin_nested():
                    user_id = connection.execute(
                        users.insert().values(
                            username=username,
                            display_name=display_name.strip() or username,
                            role=role,
                            team_id=team_id,
                            password_hash=password_hash,
                            created_at=self._now(),
                        )
                    ).inserted_primary_key[0]
            except IntegrityError:
                raise AccountError(f"用户名“{username}”已被使用。") from None
            self._own_web_identity(connection, user_id)
            return user_id

    def update_user(self, user_id: int, role: str, team_id: int | None) -> None:
        _check_role(role)
        with self._database.transaction() as connection:
            _check_team(connection, team_id)
            changed = connection.execute(
                update(users).where(users.c.id == user_id).values(role=role, team_id=team_id)
            ).rowcount
            if not changed:
                raise AccountError("找不到这个用户。")

    def set_password(self, user_id: int, password: str) -> None:
        password_hash = self._hash(password)
        with self._database.transaction() as connection:
            connection.execute(
                update(users).where(users.c.id == user_id).values(password_hash=password_hash)
            )
            self._own_web_identity(connection, user_id)

    def user(self, user_id: int) -> User | None:
        with self._database.transaction() as connection:
            row = connection.execute(_user_query().where(users.c.id == user_id)).first()
        return User(*row) if row else None

    def users(self) -> list[User]:
        with self._database.transaction() as connection:
            rows = connection.execute(_user_query().order_by(users.c.role, users.c.username))
            return [User(*row) for row in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches; the hash is upgraded when the parameters changed."""
        with self._database.transaction() as connection:
            row = connection.execute(
                select(users.c.id, users.c.password_hash).where(
                    users.c.username == username.strip()
                )
            ).first()
        if row is None or not row.password_hash:
            # Hash anyway, so a wrong user name takes as long as a wrong password.
            self._hasher.hash(password)
            return None
        try:
            self._hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self._hasher.check_needs_rehash(row.password_hash):
            self.set_password(row.id, password)
        return self.user(row.id)

    def anyone_can_sign_in(self) -> bool:
        with self._database.transaction() as connection:
            return bool(
                connection.execute(
                    select(func.count())
                    .select_from(users)
                    .where(users.c.password_hash.is_not(None))
                ).scalar_one()
            )

    def seed_demo_users(self) -> dict[str, str]:
        """Create the demo teams and users, only on a database where nobody can sign in yet
        (so it never resets a password an admin changed): username -> its random password,
        empty if it did not seed. The caller shows the passwords once; they are not kept."""
        if self.anyone_can_sign_in():
            return {}
        team_ids = {}
        for name in DEMO_TEAMS:
            with self._database.transaction() as connection:
                team_ids[name] = _team_id(connection, name)
            team_ids[name] = team_ids[name] or self.create_team(name)
        passwords = {}
        for demo in DEMO_USERS:
            passwords[demo.username] = secrets.token_urlsafe(12)
            self.create_user(
                demo.username,
                demo.display_name,
                passwords[demo.username],
                demo.role,
                team_ids[demo.team] if demo.team else None,
            )
        logger.info("seeded %d demo users with random passwords", len(DEMO_USERS))
        return passwords

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
        return self._hasher.hash(password)

    def _own_web_identity(self, connection: Connection, user_id: int) -> None:
        if identity_owner(connection, WEB_CHANNEL, str(user_id)) is None:
            connection.execute(
                identities.insert().values(
                    channel=WEB_CHANNEL,
                    external_id=str(user_id),
                    user_id=user_id,
                    created_at=self._now(),
                )
            )


def _user_query():
    return select(
        users.c.id,
        users.c.username,
        users.c.display_name,
        users.c.role,
        users.c.team_id,
        teams.c.name,
        users.c.password_hash.is_not(None),
    ).outerjoin(teams, teams.c.id == users.c.team_id)


def _team_id(connection: Connection, name: str) -> int | None:
    return connection.execute(select(teams.c.id).where(teams.c.name == name)).scalar()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"未知的角色:{role}")


def _check_team(connection: Connection, team_id: int | None) -> None:
    if (
        team_id is not None
        and connection.execute(select(teams.c.id).where(teams.c.id == team_id)).scalar() is None
    ):
        raise AccountError("找不到这个团队。")
