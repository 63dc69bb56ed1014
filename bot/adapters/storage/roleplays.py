"""The role-plays in progress, read from the store by the reference a conversation's
`roleplay` slot holds, the recent ones kept in memory.

The store is the one source of truth: every turn and the customer's state after it are
written there before the rep sees the answer (`Storage.record_exchange`). A process keeps the
last state it wrote or read of each recent session, so a warm turn reads nothing; a reference
it does not hold (after a restart, a turn served by another action server, a /back) is read
from the store and gives the same role-play. Each session's entry is the state at exactly
one reference, whose last turn row changes whenever the turns before it do, so an entry can
only answer the reference it was made for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from bot.adapters.storage.records import RolePlayRef, Storage
from bot.practice.roleplay import RolePlayState

RECENT_ROLEPLAYS = 512


@dataclass(frozen=True)
class _Recent:
    ref: RolePlayRef
    conversation_id: str
    state: RolePlayState


class RolePlays:
    def __init__(self, storage: Storage, size: int = RECENT_ROLEPLAYS) -> None:
        self._storage = storage
        self._size = size
        self._recent: OrderedDict[str, _Recent] = OrderedDict()
        self._lock = threading.Lock()

    def at(self, ref: RolePlayRef, conversation_id: str) -> RolePlayState | None:
        """The role-play `ref` points at in this conversation; None for a reference that is
        not this conversation's or not in the store (forged, or taken back since)."""
        with self._lock:
            recent = self._recent.get(ref["id"])
            if recent and recent.ref == ref and recent.conversation_id == conversation_id:
                self._recent.move_to_end(ref["id"])
                return recent.state
        state = self._storage.roleplay_at(ref, conversation_id)
        if state is not None:
            self.keep(ref, conversation_id, state)
        return state

    def keep(self, ref: RolePlayRef, conversation_id: str, state: RolePlayState) -> None:
        """Remember the state just written at `ref` (or read there)."""
        with self._lock:
            self._recent[ref["id"]] = _Recent(ref, conversation_id, state)
            self._recent.move_to_end(ref["id"])
            while len(self._recent) > self._size:
                self._recent.popitem(last=False)

    def forget(self, session_id: str) -> None:
        """Drop what is kept of a session whose turns were taken back or that ended."""
        with self._lock:
            self._recent.pop(session_id, None)
