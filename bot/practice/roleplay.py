"""A role-play session: the rep talks, the turn is scored, the customer answers in character.

All of a session's state is the plain dict `RolePlay.to_dict()`: its turns (which carry the
intent Rasa gave each message) and the customer's state after the last of them, which the
caller stores turn by turn and reads back, so a visit survives a restart of either server.
Scores are recomputed from the stored turns, which is deterministic and cheap.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, TypedDict

from bot.language.context import in_context
from bot.language.intents import Classified
from bot.methodology import Methodology
from bot.practice.customer import CustomerSimulator, CustomerState
from bot.practice.scenarios import Scenario, scene_of
from bot.scoring.contracts import Quote, Report, StoredTurn
from bot.scoring.report import build_report
from bot.scoring.scorer import Scorer, ScoringSession, TurnAssessment
from bot.scoring.transcript import MAX_TURN_CHARS, Turn

ROLE_NAMES = {
    "economic_buyer": "关键决策者",
    "technical_buyer": "技术把关者",
    "user": "使用者",
    "coach": "内部教练",
}
# Scoring sessions kept live between turns, so a turn costs one turn's scoring instead of a
# replay of the whole conversation (which grows with every turn). A miss (after a restart,
# or a retried turn) falls back to the replay, which gives the same result.
LIVE_SESSIONS = 512
OUTCOME_TEXT = {
    "signed": "🎉 客户同意了!对练结束。",
    "lost": "客户结束了这次拜访。对练结束。",
}


QUOTE_CHARS = 30  # a quoted turn in the chat summary; the full text is in the web report


def _short(quote: Quote) -> str:
    text = quote["text"]
    return text if len(text) <= QUOTE_CHARS else f"{text[:QUOTE_CHARS]}……"


class RolePlayState(TypedDict):
    """A role-play as plain JSON: what the store gives back at a position of the visit."""

    id: str
    scenario: str
    persona: str
    seed: int
    customer: dict[str, Any]  # CustomerState.to_dict()
    turns: list[StoredTurn]


@dataclass
class RolePlay:
    id: str  # the session's key in the database
    scenario: str
    persona: str
    seed: int
    customer: CustomerState
    turns: list[StoredTurn] = field(default_factory=list)

    def to_dict(self) -> RolePlayState:
        return {
            "id": self.id,
            "scenario": self.scenario,
            "persona": self.persona,
            "seed": self.seed,
            "customer": self.customer.to_dict(),
            "turns": self.turns,
        }

    @classmethod
    def from_dict(cls, data: RolePlayState) -> RolePlay:
        return cls(
            data["id"],
            data["scenario"],
            data["persona"],
            data["seed"],
            CustomerState.from_dict(data["customer"]),
            list(data["turns"]),
        )

    @property
    def finished(self) -> bool:
        return self.customer.outcome in OUTCOME_TEXT

    def fingerprint(self) -> str:
        """Identifies the conversation so far (same scenario, persona, seed and turns)."""
        head = [self.id, self.scenario, self.persona, self.seed, self.turns]
        return hashlib.sha1(json.dumps(head, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class RepTurnResult:
    """What one rep sentence led to: the new state, the chat messages, and the turn's score
    (kept by callers that store assessments as they happen)."""

    play: RolePlay
    messages: list[str]
    assessment: TurnAssessment

    @property
    def position(self) -> int:
        """Where the rep's turn stands in the conversation (the customer's answer follows)."""
        return len(self.play.turns) - 2

    def assessment_record(self) -> dict:
        """The assessment as stored beside the turn."""
        return {
            "step": self.assessment.step,
            "changes": self.assessment.changes(),
            "notes": [note.to_dict() for note in self.assessment.notes],
            "feedback": self.assessment.feedback,
        }


class RolePlayCoach:
    def __init__(
        self,
        methodology: Methodology,
        scenarios: dict[str, Scenario],
        scorer: Scorer,
        simulator: CustomerSimulator,
    ) -> None:
        self.methodology = methodology
        self.scenarios = scenarios
        self._scorer = scorer
        self._simulator = simulator
        self._live: OrderedDict[str, ScoringSession] = OrderedDict()
        self._live_lock = threading.Lock()

    def brief(self, scenario_id: str, persona_id: str) -> str:
        """What the rep knows before walking in: company, contact, role (M9), personality (M8)."""
        scenario = self.scenarios[scenario_id]
        persona = self.methodology.personas[persona_id]
        contact = scenario.contact
        return (
            f"【对练开始】{scenario.name}\n"
            f"客户:{scenario.company.name}。{scenario.company.profile}\n"
            f"你要拜访的是{contact.title}{contact.name}({contact.address_as}),"
            f"在这次采购里是{ROLE_NAMES[contact.decision_role]},"
            f"性格偏{persona.animal}型({persona.name})。\n"
            f"你卖的是:{scenario.product}。\n"
            "直接对客户说话即可;说“提示”看建议,说“点评”看上一句的评分,说“结束对练”看报告。"
        )

    def start(
        self, session_id: str, scenario_id: str, persona_id: str, seed: int
    ) -> tuple[RolePlay, list[str]]:
        reaction = self._simulator.start(scenario_id, persona_id, seed)
        play = RolePlay(session_id, scenario_id, persona_id, seed, reaction.state)
        play.turns.append({"speaker": "customer", "text": reaction.reply, "objection": ""})
        return play, [self.brief(scenario_id, persona_id), f"{self._name(play)}:{reaction.reply}"]

    def _name(self, play: RolePlay) -> str:
        return self.scenarios[play.scenario].contact.address_as

    def _session(self, play: RolePlay) -> ScoringSession:
        session = self._scorer.start(play.scenario, play.persona)
        for turn in play.turns:
            session.add(Turn.parse_obj(turn))
        return session

    def rep_says(
        self,
        play: RolePlay,
        text: str,
        move: str | None,
        confidence: float,
        also: tuple[str, ...] = (),
        ranking: tuple[tuple[str, float], ...] = (),
    ) -> RepTurnResult:
        """Score the rep's sentence and let the customer answer (with the outcome line when
        the customer ends the visit; the caller adds the report of the stored turns). `also`:
        the further moves the line's clauses carry; `ranking`: the classifier's readings, so
        the customer's last line can choose among them (bot/language/context.py)."""
        last = play.turns[-1] if play.turns else None
        after_objection = bool(last and last["speaker"] == "customer" and last.get("objection"))
        heard = in_context(Classified(move, confidence, also, ranking), after_objection)
        move, also = heard.intent, heard.also
        play = RolePlay.from_dict(play.to_dict())
        with self._live_lock:
            session = self._live.pop(play.fingerprint(), None)
        session = session or self._session(play)
        # An over-long message is scored on its first MAX_TURN_CHARS characters, not refused.
        text = text[:MAX_TURN_CHARS]
        turn: StoredTurn = {
            "speaker": "rep",
            "text": text,
            "move": move or "unknown",
            "confidence": confidence,
        }
        if also:
            turn["also"] = list(also)
        assessment = session.add_rep(Turn.parse_obj(turn))
        play.turns.append(turn)
        reaction = self._simulator.react(play.customer, assessment)
        play.customer = reaction.state
        customer_turn: StoredTurn = {
            "speaker": "customer",
            "text": reaction.reply,
            "objection": reaction.objection,
        }
        play.turns.append(customer_turn)
        session.add_customer(Turn.parse_obj(customer_turn))
        if not play.finished:
            with self._live_lock:
                self._live[play.fingerprint()] = session
                while len(self._live) > LIVE_SESSIONS:
                    self._live.popitem(last=False)
        messages = [f"{self._name(play)}:{reaction.reply}"]
        outcome = play.customer.outcome
        if play.finished and outcome:  # the report follows once the stored turns are scored
            messages.append(OUTCOME_TEXT[outcome])
        return RepTurnResult(play, messages, assessment)

    def report(self, play: RolePlay) -> Report:
        scene = scene_of(self.scenarios[play.scenario])
        return build_report(self.methodology, self._session(play).finish(), scene)

    def outcome(self, play: RolePlay) -> str:
        """signed or lost after a natural end; ended when the rep stopped it."""
        outcome = play.customer.outcome
        return outcome if outcome and play.finished else "ended"

    def feedback(self, play: RolePlay) -> str:
        """The assessment of the rep's last turn (request_feedback)."""
        report = self.report(play)
        if not report["turns"]:
            return "你还没有对客户说话呢。先开个场吧!"
        last = report["turns"][-1]
        changes = ",".join(
            f"{report['dimensions'][dimension]['name']}{delta:+d}"
            for dimension, delta in last["changes"].items()
            if delta
        )
        return (
            f"你刚才说:“{last['text']}”\n"
            f"动作:{' + '.join(last['move_names']) or '未识别'};阶段:{last['step_name'] or '—'}\n"
            f"得分变化:{changes or '无'}\n{last['feedback']}"
        )

    def hint(self, play: RolePlay) -> str:
        """What the customer is silently asking at this step (M2) and one move to try."""
        report = self.report(play)
        reached = [segment["step"] for segment in report["timeline"]]
        customer = play.customer
        if customer.open_objection:
            step_id = "closing"
        elif not reached:
            step_id = "rapport"
        elif len(customer.needs) < 2 or not customer.confirmed:
            step_id = "discovery"
        elif "proposal" not in reached:
            step_id = "proposal"
        else:
            step_id = "closing"
        step = self.methodology.visit_step(step_id)
        return (
            f"现在处在“{step.name}”阶段。客户心里在问:{step.customer_asks}\n"
            f"建议:{step.suggested_move}(依据 {step.m_id})"
        )

    def summary(self, play: RolePlay) -> str:
        """The session report, short enough for a chat window."""
        return self.summary_of(self.report(play))

    @staticmethod
    def summary_of(report: Report) -> str:
        """A report (as `report` builds it) short enough for a chat window."""
        dimensions = ";".join(
            f"{d['name']} {d['score'] if d['observed'] else '未评'}"
            for d in report["dimensions"].values()
        )
        lines = [f"📋 本次对练总分:{report['overall']}", dimensions]
        for strength in report["strengths"]:
            said = strength["quotes"][0]
            lines.append(f"做得好:{strength['name']}——第{said['turn']}句“{_short(said)}”")
        for improvement in report["improvements"]:
            said = improvement["quotes"][0]
            line = (
                f"改进:{improvement['name']}({improvement['m_id']})"
                f"——第{said['turn']}句“{_short(said)}”"
            )
            if "better_sentence" in improvement:
                line += f"——可以说“{improvement['better_sentence']}”"
            lines.append(line)
        return "\n".join(lines)
