"""The simulated customer: state, reactions by personality (M8), needs revealed only to the
right questions (M4), objections (M6) and a close accepted only when earned (M7.1).

The customer reacts to the scorer's assessment of each rep turn, so what the rep is scored on
and how the customer behaves can never disagree. State is a plain dict-able dataclass so the
Rasa action can keep it in a slot and a role-play survives a server restart. Replies are
deterministic for a given seed (the seed and turn number pick among equivalent lines).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from bot.language.topics import TopicReader, cue_topic
from bot.methodology import Methodology
from bot.methodology.vocabulary import TIGER_LONG_TURN
from bot.practice.scenarios import HiddenNeed, Scenario
from bot.scoring.progress import CLOSE_MOVES, PROPOSAL_MOVES
from bot.scoring.scorer import TurnAssessment

START_TRUST = 50
START_PATIENCE = 100
INSULT_TRUST_COST = 15
INSULT_PATIENCE_COST = 30
INSULTS_TO_WALK_OUT = 3
TIGER_SMALL_TALK_COST = 35  # a tiger lets one remark about the weather pass, not three more
# A customer who trusts the rep this much no longer voices every remaining worry at a close.
TRUST_WITHOUT_MORE_OBJECTIONS = 85


@dataclass
class CustomerState:
    scenario: str
    persona: str
    seed: int
    turn: int = 0
    trust: int = START_TRUST
    patience: int = START_PATIENCE
    facts_told: int = 0
    needs: dict[str, str] = field(default_factory=dict)  # need id -> problem|implication|payoff
    confirmed: bool = False
    objections_raised: list[str] = field(default_factory=list)
    open_objection: str | None = None
    small_talk: int = 0
    outcome: str | None = None  # signed | lost | ended
    topics_told: list[str] = field(default_factory=list)  # qualification topics answered (M9)
    insults: int = 0  # rude remarks so far (M1); the third ends the visit

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CustomerState:
        return cls(**data)  # a state saved before a field was added gets its default


@dataclass(frozen=True)
class Reaction:
    reply: str
    state: CustomerState


def _clamp(value: int) -> int:
    return max(0, min(100, value))


class CustomerSimulator:
    def __init__(self, methodology: Methodology, scenarios: dict[str, Scenario]) -> None:
        self._methodology = methodology
        self._topics = TopicReader(methodology.topic_examples)
        self._scenarios = scenarios

    def start(self, scenario_id: str, persona: str, seed: int) -> Reaction:
        scenario = self._scenarios[scenario_id]
        if persona not in self._methodology.personas:
            raise ValueError(f"unknown persona {persona!r}")
        state = CustomerState(scenario_id, persona, seed)
        return Reaction(scenario.replies.opening, state)

    def react(self, state: CustomerState, assessment: TurnAssessment) -> Reaction:
        """The customer's reply to one assessed rep turn, and his new state."""
        state = CustomerState.from_dict(state.to_dict())
        state.turn += 1
        scenario = self._scenarios[state.scenario]
        chooser = random.Random(f"{state.seed}:{state.turn}")
        if assessment.cues.rude:
            return self._take_offence(state)
        self._feel(state, assessment)
        if state.patience <= 0 or state.trust <= 0:
            state.outcome = "lost"
            return Reaction(self._styled(state, _walk_out(state.persona), chooser), state)
        reply = self._reply(state, scenario, assessment, chooser)
        return Reaction(self._styled(state, reply, chooser), state)

    def _take_offence(self, state: CustomerState) -> Reaction:
        """M1/M8: rudeness costs trust and patience; he says so in his own way, and the third
        time (or when trust or patience runs out first) he ends the visit: lost."""
        persona = self._methodology.personas[state.persona]
        state.insults += 1
        state.trust = _clamp(state.trust - INSULT_TRUST_COST)
        state.patience = _clamp(state.patience - INSULT_PATIENCE_COST)
        if state.insults >= INSULTS_TO_WALK_OUT or state.trust <= 0 or state.patience <= 0:
            state.outcome = "lost"
            return Reaction(persona.insulted_exit, state)
        return Reaction(persona.insulted[min(state.insults, len(persona.insulted)) - 1], state)

    def _feel(self, state: CustomerState, assessment: TurnAssessment) -> None:
        """Trust and patience move with the persona's do/don't list (M8)."""
        cues, persona = assessment.cues, state.persona
        moves = set(assessment.moves)  # every move of the line is felt, not only the main one
        trust = 0
        if cues.arguing:
            trust -= 15
        if cues.over_promise:
            trust -= 20 if persona == "owl" else 8
        if cues.has_evidence and not cues.question:
            trust += 10 if persona == "owl" else 4
        if moves & {"close_urgency", "close_scarcity"}:
            trust -= 20 if persona in {"owl", "koala"} else 5
        if persona == "koala" and cues.reassurance:
            trust += 8
        if persona == "peacock" and (cues.recognition or cues.vision or "open_praise" in moves):
            trust += 8
        if persona == "owl" and cues.vague:
            trust -= 8
        if persona == "tiger":
            if cues.results:
                trust += 6
            if "small_talk" in moves:
                state.small_talk += 1
                state.patience -= TIGER_SMALL_TALK_COST if state.small_talk > 1 else 0
            if cues.length > TIGER_LONG_TURN:
                state.patience -= 15
        if moves & {"ask_problem", "ask_implication", "ask_need_payoff", "confirm_understanding"}:
            trust += 4
        state.trust = _clamp(state.trust + trust)
        state.patience = _clamp(state.patience)

    def _reply(
        self,
        state: CustomerState,
        scenario: Scenario,
        assessment: TurnAssessment,
        chooser: random.Random,
    ) -> str:
        replies, move, cues = scenario.replies, _answered_move(assessment), assessment.cues
        if state.open_objection is not None:
            answered = self._answer_to_objection(state, scenario, assessment)
            if answered is not None:
                return answered
        topic = self._asked_topic(assessment.text, move) if cues.question else None
        if topic is not None:
            answered = self._tell_topic(state, scenario, topic, chooser)
            if answered is not None:
                return answered
        if move == "ask_situation":
            return self._tell_fact(state, scenario, chooser)
        if move in {"ask_problem", "ask_implication", "ask_need_payoff"}:
            return self._open_up(state, scenario, move, chooser)
        if move == "confirm_understanding":
            if state.needs:
                state.confirmed = True
                return "对,就是这些。"
            return "这些我好像还没跟你说过吧?"
        if move in PROPOSAL_MOVES or move == "give_evidence":
            if not state.needs and move != "give_evidence":
                state.trust = _clamp(state.trust - 5)
                return chooser.choice(replies.pitch_too_early)
            raised = self._raise_objection(state, scenario, "proposal")
            if raised:
                return raised
            return chooser.choice(replies.evidence if cues.has_evidence else replies.suggestion)
        if move in CLOSE_MOVES:
            return self._consider_close(state, scenario)
        if move == "handle_objection":
            return chooser.choice(replies.unclear)
        if move == "propose_next_step" or cues.next_step:
            if state.trust >= START_TRUST - 10:
                return chooser.choice(replies.next_step)
            return "先不用了,有需要我再找你。"
        if move == "thank_and_leave":
            state.outcome = state.outcome or "ended"
            return chooser.choice(replies.farewell)
        by_move = {
            "greet": replies.greet,
            "small_talk": replies.small_talk,
            "open_praise": replies.praise,
            "open_interest": replies.small_talk,
            "open_suggestion": replies.suggestion,
        }
        return chooser.choice(by_move.get(move or "", replies.unclear))

    def topic_of(self, text: str) -> str | None:
        """The qualification topic (M9) a rep line asks about: the classifier's reading, or
        failing that the cue words' (make eval, the customer part, compares them)."""
        return self._topics.topic_of(text) or cue_topic(text, self._methodology.topics)

    def _asked_topic(self, text: str, move: str | None) -> str | None:
        """The topic to answer. A problem, implication or need-payoff question opens up needs
        (M4) and a close asks for the order (M7): those get their topic answered only when both
        readers name it ("除了停线,还有别的让您不放心的地方吗?" is about worries, not
        competitors); any other question, or one the NLU could not read, gets it answered."""
        if move in CLOSE_MOVES or move in NEED_QUESTIONS:
            heard = self._topics.topic_of(text)
            return heard if heard and heard == cue_topic(text, self._methodology.topics) else None
        return self.topic_of(text)

    def _tell_topic(
        self, state: CustomerState, scenario: Scenario, topic: str, chooser: random.Random
    ) -> str | None:
        """M9: a qualification question gets the scenario's answer; a guarded topic (budget)
        only once trust is earned; asked again, he says he told it already."""
        topics = self._methodology.topics
        answer = scenario.topic_answer(topic, topics.decision_by_role)
        if answer is None:
            return None
        spec = topics.topics[topic]
        if state.trust < spec.min_trust:
            return chooser.choice(spec.held_back)
        if topic in state.topics_told:
            return f"{topics.already_told}{answer}"
        state.topics_told.append(topic)
        return answer

    @staticmethod
    def _tell_fact(state: CustomerState, scenario: Scenario, chooser: random.Random) -> str:
        if state.facts_told < len(scenario.facts):
            state.facts_told += 1
            return scenario.facts[state.facts_told - 1].line
        for need in scenario.hidden_needs:
            if "ask_situation" in need.revealed_by and need.id not in state.needs:
                state.needs[need.id] = "problem"
                return need.line
        return chooser.choice(["基本情况就是这些。", "该说的都说了。"])

    @staticmethod
    def _open_up(
        state: CustomerState, scenario: Scenario, move: str, chooser: random.Random
    ) -> str:
        """M4: a problem question reveals a need; implication and payoff deepen a revealed one."""

        def unrevealed(question: str) -> HiddenNeed | None:
            return next(
                (
                    n
                    for n in scenario.hidden_needs
                    if question in n.revealed_by and n.id not in state.needs
                ),
                None,
            )

        if move == "ask_problem":
            need = unrevealed("ask_problem")
            if need is None:
                return chooser.choice(["其他的还好,主要就是刚才说的。", "别的暂时没什么。"])
            state.needs[need.id] = "problem"
            return need.line
        wanted, reached = (
            ("problem", "implication") if move == "ask_implication" else ("implication", "payoff")
        )
        for need in scenario.hidden_needs:
            if state.needs.get(need.id) == wanted:
                state.needs[need.id] = reached
                return need.implication_line if reached == "implication" else need.payoff_line
        if move == "ask_implication":
            need = unrevealed("ask_implication")
            if need is not None:
                state.needs[need.id] = "implication"
                return f"{need.line}{need.implication_line}"
        return chooser.choice(["你说的是哪个问题?我们现在也没什么大问题。", "这个我倒没想过。"])

    @staticmethod
    def _raise_objection(state: CustomerState, scenario: Scenario, moment: str) -> str | None:
        for objection in scenario.objections:
            if objection.surfaces == moment and objection.type not in state.objections_raised:
                state.objections_raised.append(objection.type)
                state.open_objection = objection.type
                return objection.line
        return None

    def _answer_to_objection(
        self, state: CustomerState, scenario: Scenario, assessment: TurnAssessment
    ) -> str | None:
        """M6: acknowledged (and answered with a reason or a question) -> the concern eases."""
        cues = assessment.cues
        objection = next(o for o in scenario.objections if o.type == state.open_objection)
        if cues.arguing:
            return f"你这么说我就不爱听了。{objection.line}"
        if cues.acknowledge_pivot or (cues.acknowledge and (cues.has_evidence or cues.question)):
            state.open_objection = None
            state.trust = _clamp(state.trust + 8)
            return objection.answered_line
        if assessment.move in CLOSE_MOVES:
            return f"你先别急着让我定,{objection.line}"
        return None

    def _consider_close(self, state: CustomerState, scenario: Scenario) -> str:
        """M7.1: yes only when enough needs are out, confirmed, trusted and nothing is open."""
        conditions = scenario.close
        if state.trust < TRUST_WITHOUT_MORE_OBJECTIONS:
            raised = self._raise_objection(state, scenario, "closing")
            if raised:
                return raised
        ready = (
            len(state.needs) >= conditions.min_needs_revealed
            and (state.confirmed or not conditions.requires_confirmation)
            and state.trust >= conditions.min_trust
            and state.open_objection is None
        )
        if ready:
            state.outcome = "signed"
            return conditions.accepted_line
        return conditions.stall_line

    @staticmethod
    def _styled(state: CustomerState, reply: str, chooser: random.Random) -> str:
        """Word choice, length and tone of the persona (M8)."""
        if state.persona == "tiger":
            first = reply.split("。")[0].rstrip("。") + "。" if "。" in reply else reply
            return first if state.patience > 40 else f"{first}说重点。"
        if state.persona == "koala":
            return chooser.choice(["嗯……", "这个嘛,", ""]) + reply
        if state.persona == "peacock":
            return reply.replace("。", "!", 1)
        return reply


NEED_QUESTIONS = frozenset({"ask_problem", "ask_implication", "ask_need_payoff"})
OPENING_MOVES = frozenset({"greet", "small_talk", "open_praise", "open_interest"})


def _answered_move(assessment: TurnAssessment) -> str | None:
    """The move the customer answers: the line's main move, unless that only opens ("王总您好,
    ……") and the line goes on to ask, pitch or close; then what came after the opening, as
    a person answers the question at the end of a greeting."""
    further = [move for move in assessment.moves if move not in OPENING_MOVES]
    if (assessment.move is None or assessment.move in OPENING_MOVES) and further:
        return further[-1]
    return assessment.move or (assessment.moves[-1] if assessment.moves else None)


def _walk_out(persona: str) -> str:
    return {
        "tiger": "我还有个会,今天就到这吧。",
        "owl": "你说的这些我没法核实,今天先到这里。",
        "koala": "嗯……我还是再想想吧,今天先这样。",
        "peacock": "哎呀,我突然想起还有事,下次再聊吧!",
    }[persona]
