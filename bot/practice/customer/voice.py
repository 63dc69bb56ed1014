"""How one persona says things in one visit (M8): his own line for each situation, the
scenario's facts cut to his length with his remarks after them, and never the same line twice.

Lines are tried in an order fixed by the visit's seed and turn, so the same visit always gets
the same replies; what he has said is remembered as short keys in the customer's state.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence

from bot.methodology.schema import Voice
from bot.practice.customer.state import CustomerState

_SENTENCE = re.compile(r"(?<=[。!?!?])")


def _key(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=4).hexdigest()


class Speaker:
    """The customer's mouth for one reply: what he says is recorded in `state.said`."""

    def __init__(
        self,
        voice: Voice,
        state: CustomerState,
        chooser: random.Random,
        product: str,
        already_told: str,
        workplace: Sequence[str] | None = None,
    ) -> None:
        self._voice = voice
        self._state = state
        self._chooser = chooser
        self._product = product
        self._already_told = already_told
        # A private buyer: the words of a working life he never uses (no company, no boss).
        self._workplace = workplace
        self._told: str | None = None  # the scenario line this reply tells, if any
        self.situation = ""  # what the last line said was for (voices.yml situation or "fact")

    def cut(self, line: str) -> str:
        """A scenario line at this persona's length (a tiger says only the first sentence)."""
        if not self._voice.max_sentences:
            return line
        sentences = [part for part in _SENTENCE.split(line) if part]
        return "".join(sentences[: self._voice.max_sentences]) or line

    def _fresh(self, options: Sequence[str]) -> str | None:
        """The first option, in this turn's order, he has not said in this visit."""
        shuffled = list(options)
        self._chooser.shuffle(shuffled)
        return next((text for text in shuffled if _key(text) not in self._state.said), None)

    def _oldest(self, options: Sequence[str]) -> str:
        """Everything was said: the option said longest ago."""
        said = self._state.said
        return min(options, key=lambda text: said.index(_key(text)) if _key(text) in said else -1)

    def note(self, situation: str) -> None:
        """What this reply answers; the first note of a reply counts."""
        self.situation = self.situation or situation

    def pick(self, options: Sequence[str]) -> str:
        """One of `options`, one he has not said if there is one."""
        return self._fresh(options) or self._oldest(options)

    def fresh_line(self, situation: str) -> str | None:
        """One of his lines for `situation` not said yet in this visit, or None."""
        line = self._fresh(self._voice.lines[situation])
        if line is not None:
            self._state.said.append(_key(line))
        return line

    def say(self, situation: str, lines: Sequence[str] = (), need: str = "") -> str:
        """His own words for `situation`; templates with {line} take one of the scenario's
        `lines` for the moment, cut to his length."""
        self.note(situation)
        templates = self._voice.lines[situation]
        if self._workplace:  # a private buyer's lines without a boss or colleagues in them
            words = self._workplace
            templates = [text for text in templates if not any(w in text for w in words)] or (
                templates
            )
        options = []
        for template in templates:
            fillers = [self.cut(line) for line in lines] if "{line}" in template else [""]
            options += [
                template.format(line=filler, need=need, product=self._product)
                for filler in fillers or [""]
                if filler or "{line}" not in template
            ]
        return self.pick(options)

    def tell(self, content: str, own: Sequence[str] = ()) -> str:
        """A fact from the scenario. In the persona's own phrasing where the scenario gives
        one he has not used; else the scenario's words at his length, with a filler before and
        one of his remarks after (an owl asks for data, a koala worries)."""
        self.note("fact")
        mine = self._fresh(own)
        if mine is not None:
            return mine
        line = self.cut(content)
        openers = self._voice.fact_openers or [""]
        opener = openers[self._chooser.randrange(len(openers))]
        self._told = line
        told = f"{opener}{line}{self._tail()}"
        if not self.said_before(line):
            return told
        return f"{self._already_told}{line}"

    def _tail(self) -> str:
        """One of his remarks after a fact: one not made yet, else any (a habit of speech)."""
        private = self._workplace is not None
        tails = self._voice.private_tails if private else self._voice.fact_tails
        if not tails:
            return ""
        tail = self._fresh(tails) or tails[self._chooser.randrange(len(tails))]
        if not self.said_before(tail):
            self._state.said.append(_key(tail))
        return tail

    def remember(self, reply: str) -> str:
        """Record the reply as said, and the scenario line it carries (without his filler
        before it or his remark after it), so the fact is not told as new again."""
        self._state.said.append(_key(reply))
        if self._told is not None:
            self._state.said.append(_key(self._told))
        return reply

    def said_before(self, reply: str) -> bool:
        return _key(reply) in self._state.said
