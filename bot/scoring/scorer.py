"""Score a transcript turn by turn: move, visit step, cues, rule notes and one line of feedback.

The scorer is deterministic: the same transcript (and the same trained model) always gives the
same scores, because every point comes from a rule in `turn_rules`/`session_rules` whose value
is in scoring.yml. Moves come from the NLU: either already on the turn (a live role-play, where
Rasa classified the message) or from the `classify` function given at start-up (the CLI, which
loads the trained model in-process).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.language.cues import CueFinder, Cues
from bot.language.intents import Classified
from bot.language.text import normalize
from bot.language.topics import shared_reader
from bot.methodology import DIMENSIONS, Methodology
from bot.scoring.better import Scene
from bot.scoring.ledger import Ledger, Note
from bot.scoring.progress import (
    CLOSE_MOVES,
    DISCOVERY_MOVES,
    PROPOSAL_MOVES,
    SPIN_LETTERS,
    CloseRecord,
    ObjectionRecord,
    Progress,
)
from bot.scoring.session_rules import session_rules
from bot.scoring.transcript import Transcript, Turn
from bot.scoring.turn_rules import TURN_RULES, TurnContext

# Below this NLU confidence the move is treated as unknown: the turn is judged on its words only.
# Chosen from `make eval`'s calibration table (5-fold cross-validation, 4,502 predictions):
# between 0.3 and 0.4 the predicted move is right 68% of the time, below 0.3 about half, so
# this is where crediting the move stops being more often right than wrong.
MIN_CONFIDENCE = 0.3
Classifier = Callable[[str], Classified]
# The discovery move a question's words make of it (cues.yml spin_words, M4) when the NLU
# credited none: long real questions with a preamble ("数据很清楚。运行中您统计过的主要问题
# 有哪些?") are often below MIN_CONFIDENCE, and a trainer still hears a problem question.
QUESTION_KIND_MOVES = {
    "confirm": "confirm_understanding",
    "N": "ask_need_payoff",
    "I": "ask_implication",
    "P": "ask_problem",
    "S": "ask_situation",
}
# A customer speaking of the rep's company or offer, or turning to a worry.
CONCERN = re.compile(r"你们|您们|你家|你的方案|你说的|不过|但是|可是|就怕|只怕|担心|万一")
# A line that proposes, proves, closes or sets a next step asks its question about that
# ("您看上午还是下午?", "您觉得呢?"), not to discover.
NOT_DISCOVERY_LINES = {*PROPOSAL_MOVES, *CLOSE_MOVES, "give_evidence", "propose_next_step"}


@dataclass
class TurnAssessment:
    """The scorer's verdict on one rep turn."""

    index: int
    text: str
    move: str | None
    confidence: float
    step: str | None
    cues: Cues
    notes: list[Note]
    feedback: str
    moves: tuple[str, ...] = ()  # every move credited, the main one first
    # The NLU's best guess at the move even when too unsure to score it: the customer, like a
    # person, answers what he probably heard.
    heard: str | None = None
    # The discovery move the question's words make of a line the NLU credited with none
    # (Scorer.read_question): scored and shown in the report; the customer goes by `moves`.
    read: str | None = None

    @property
    def scored_moves(self) -> tuple[str, ...]:
        """Every move the rules judged: the NLU's, then the one read from the words."""
        return (*self.moves, self.read) if self.read else self.moves

    def changes(self) -> dict[str, int]:
        """Net change on each dimension this turn caused (0 where nothing fired)."""
        totals = dict.fromkeys(DIMENSIONS, 0)
        for note in self.notes:
            totals[note.rule.dimension] += note.delta
        return totals


@dataclass
class SessionResult:
    """Everything the report needs: per-turn assessments and the session-level ledger."""

    transcript: Transcript
    assessments: list[TurnAssessment]
    ledger: Ledger
    progress: Progress
    session_notes: list[Note] = field(default_factory=list)
    rep_chars: int = 0
    customer_chars: int = 0

    @property
    def steps(self) -> list[str]:
        return [a.step for a in self.assessments if a.step is not None]

    def observed(self, dimension: str) -> bool:
        """Objection handling can only be judged when there was an objection (or an argument)."""
        if dimension != "objection_handling":
            return True
        return bool(self.progress.objections) or any(
            note.rule.dimension == dimension for note in self.ledger.notes
        )


class Scorer:
    def __init__(
        self,
        methodology: Methodology,
        cue_finder: CueFinder,
        classify: Classifier | None = None,
        scenes: Mapping[str, Scene] | None = None,
    ) -> None:
        self.methodology = methodology
        self.cue_finder = cue_finder
        self._classify = classify
        self.scenes: Mapping[str, Scene] = scenes or {}
        self._topic_reader = shared_reader(methodology.topic_examples)
        self._topic_cues = {
            topic: [normalize(cue).lower() for cue in cues]
            for topic, cues in methodology.scoring.qualification.cues.items()
        }

    def topics_asked(self, cues: Cues) -> list[str]:
        """The qualification topics (M9) the line's questions ask about: by the customer's
        topic reader and the cue words of scoring.yml."""
        found: list[str] = []
        for sentence in cues.asked:
            folded = sentence.lower()
            found += [
                topic
                for topic, words in self._topic_cues.items()
                if any(word in folded for word in words)
            ]
            read = self._topic_reader.topic_of(sentence)
            if read in self._topic_cues:
                found.append(read)
        return list(dict.fromkeys(found))

    @staticmethod
    def read_question(moves: tuple[str, ...], cues: Cues) -> str | None:
        """The discovery move a question's words make of a line the NLU credited with no
        discovery move, or None (cues.yml spin_words, M4)."""
        if cues.question_kind is None or cues.next_step:
            return None
        if any(move in DISCOVERY_MOVES or move in NOT_DISCOVERY_LINES for move in moves):
            return None
        return QUESTION_KIND_MOVES[cues.question_kind]

    def move_of(
        self, turn: Turn, cues: Cues
    ) -> tuple[str | None, float, tuple[str, ...], str | None]:
        """The line's main move (None when unsure or unknown), its confidence, every move it
        carries (the main one first), and the best guess at a rep move however unsure."""
        intent: str | None
        if turn.move is not None:
            intent, confidence = turn.move, turn.confidence if turn.confidence is not None else 1.0
            also: tuple[str, ...] = tuple(turn.also)
        elif self._classify is not None:
            classified = self._classify(turn.text)
            intent, confidence, also = classified.intent, classified.confidence, classified.also
        else:
            raise ValueError("turn has no move and the scorer was started without a classifier")
        heard = intent if intent in self.methodology.moves else None
        if intent not in self.methodology.moves or confidence < MIN_CONFIDENCE:
            intent = None
        elif intent in SPIN_LETTERS and not cues.question:
            # A SPIN move is a question; a statement the model took for one is not credited.
            intent = None
        moves = ((intent,) if intent else ()) + self._further(also, intent, cues)
        return intent, confidence, moves, heard

    def _further(self, also: tuple[str, ...], main: str | None, cues: Cues) -> tuple[str, ...]:
        """The line's other clause moves the methodology knows, each once; a SPIN move only
        if the line asks something (as for the main move)."""
        further: list[str] = []
        for move in also:
            if move == main or move in further or move not in self.methodology.moves:
                continue
            if move in SPIN_LETTERS and not cues.question:
                continue
            further.append(move)
        return tuple(further)

    def start(self, scenario: str, persona: str) -> ScoringSession:
        """A session scored turn by turn, as a live role-play needs it."""
        if persona not in self.methodology.personas:
            raise ValueError(f"unknown persona {persona!r}")
        # Not validated as a whole: a session starts with no turns and grows.
        return ScoringSession(
            self,
            Transcript.construct(scenario=scenario, persona=persona, turns=[]),  # type: ignore[arg-type]  # checked above
        )

    def score(self, transcript: Transcript) -> SessionResult:
        session = ScoringSession(self, transcript.copy(update={"turns": []}))
        for turn in transcript.turns:
            session.add(turn)
        return session.finish()


class ScoringSession:
    """One conversation being scored: `add` each turn as it happens, `finish` at the end."""

    def __init__(self, scorer: Scorer, transcript: Transcript) -> None:
        methodology = scorer.methodology
        self._scorer = scorer
        self._methodology = methodology
        self.ledger = Ledger(methodology.scoring.rules, methodology.scoring.base)
        self.progress = Progress()
        self.result = SessionResult(transcript, [], self.ledger, self.progress)
        self._addressing = [0, 0]

    def add(self, turn: Turn) -> TurnAssessment | None:
        """Score a rep turn (returns its assessment) or take note of a customer turn (None)."""
        if turn.speaker == "customer":
            self.add_customer(turn)
            return None
        return self.add_rep(turn)

    def add_customer(self, turn: Turn) -> None:
        """Take note of what the customer said (his objections, agreement, questions)."""
        result = self.result
        index = len(result.transcript.turns)
        result.transcript.turns.append(turn)
        cues = self._scorer.cue_finder.find(turn.text)
        result.customer_chars += cues.length
        if turn.objection is not None:  # the simulator said which objection, if any (M6)
            cues.objections = [turn.objection] if turn.objection else []
        elif self.progress.last_rep_asked and not CONCERN.search(turn.text):
            # His answer to a discovery question is his situation, not resistance: "郑总审批
            # 签字" answers who decides, "明年续约都悬" what the problem costs (M6, M9).
            # About us and our offer ("你们太贵了"), or turning to a worry after the answer
            # ("少借一个亿没问题。就怕切换时出错"), it is an objection all the same.
            cues.objections = []
        self.progress.customer_dismissed = cues.dismisses
        self._hear_customer(self.progress, index, turn.text, cues)

    def add_rep(self, turn: Turn) -> TurnAssessment:
        """Score a rep turn."""
        if turn.speaker != "rep":
            raise ValueError(f"a rep turn was expected, not one of the {turn.speaker}")
        result, progress = self.result, self.progress
        index = len(result.transcript.turns)
        result.transcript.turns.append(turn)
        cues = self._scorer.cue_finder.find(turn.text)
        result.rep_chars += cues.length
        self._addressing[0] += cues.customer_address
        self._addressing[1] += cues.self_address
        move, confidence, heard_moves, heard = self._scorer.move_of(turn, cues)
        read = self._scorer.read_question(heard_moves, cues)
        moves = (*heard_moves, read) if read else heard_moves
        step = self._methodology.moves[moves[0]].step if moves else None
        persona = result.transcript.persona
        topics = [t for t in self._scorer.topics_asked(cues) if t not in progress.qualified]
        context = TurnContext(
            index, move, step, cues, persona, progress, self._methodology, moves, tuple(topics)
        )
        fired = list(dict.fromkeys(rule_id for rule in TURN_RULES for rule_id in rule(context)))
        notes = [self.ledger.add(rule_id, index) for rule_id in fired]
        feedback = self._feedback(move, notes)
        assessment = TurnAssessment(
            index,
            turn.text,
            move,
            confidence,
            step,
            cues,
            notes,
            feedback,
            heard_moves,
            heard,
            read,
        )
        result.assessments.append(assessment)
        self._advance(context, fired)
        return assessment

    def finish(self) -> SessionResult:
        """Apply the whole-conversation rules (once) and return the result for the report."""
        if not self.result.session_notes:
            fired = session_rules(
                self._methodology,
                self.progress,
                self.ledger,
                self.result.steps,
                (self._addressing[0], self._addressing[1]),
            )
            self.result.session_notes = [self.ledger.add(rule_id, None) for rule_id in fired]
        return self.result

    @staticmethod
    def _hear_customer(progress: Progress, index: int, text: str, cues: Cues) -> None:
        # What the customer says in answer to a discovery question is his stated situation
        # and needs: the words a benefit should echo (M5 B). Small talk and replies to a
        # pitch are not.
        if DISCOVERY_MOVES & set(progress.last_rep_moves):
            progress.customer_words.update(cues.content_words)
        if cues.objections:
            record = ObjectionRecord(index, cues.objections, text)
            progress.objections.append(record)
            progress.open_objection = record
        if cues.agrees:
            progress.customer_agreed = True
        progress.last_speaker = "customer"

    def _advance(self, turn: TurnContext, fired: list[str]) -> None:
        """Record what this rep turn established, after its rules were judged."""
        progress, move = turn.progress, turn.move
        if not progress.proposal_started:
            if turn.cues.question:
                progress.questions_before_proposal += 1
            else:
                progress.statements_before_proposal += 1
        if turn.answering_objection:
            record = progress.open_objection or ObjectionRecord(turn.index - 1, [], "")
            if record not in progress.objections:
                progress.objections.append(record)
            record.response_turn = turn.index
            record.handling = _handling(fired)
            progress.unresolved = record.handling in {"argued", "ignored"}
            progress.open_objection = None
        elif "objection.arguing" in fired:
            progress.unresolved = True
        progress.rep_turns += 1
        progress.last_speaker = "rep"
        progress.last_rep_moves = turn.moves
        progress.last_rep_asked = bool(turn.new_topics) or (
            any(m in DISCOVERY_MOVES for m in turn.moves) and turn.cues.question
        )
        for topic in turn.new_topics:
            progress.qualified.setdefault(topic, turn.index)
        if "closing.next_step" in fired:
            progress.next_step_turns.append(turn.index)
        if "closing.vague_next_step" in fired:
            progress.vague_next_step_turns.append(turn.index)
        if turn.steps:
            progress.max_step = max(progress.max_step, *turn.steps)
        for move in turn.moves:
            progress.moves[move] += 1
            if move in SPIN_LETTERS:
                progress.spin.append(SPIN_LETTERS[move])
            if move == "confirm_understanding":
                progress.confirmed = True
                progress.confirmed_before_proposal |= not progress.proposal_started
            if move in PROPOSAL_MOVES:
                progress.proposal_started = True
            if move in turn.closes:
                technique = self._methodology.closing.techniques[move]
                progress.closes.append(
                    CloseRecord(
                        turn.index,
                        move,
                        _timing(fired),
                        turn.persona not in technique.avoid_personas,
                    )
                )
            progress.small_talk_turns += move == "small_talk"
            progress.direct_closes += move == "close_direct"

    def _feedback(self, move: str | None, notes: list[Note]) -> str:
        """One line a rep reads under his sentence: the rule that mattered most on this turn."""
        weighed = sorted(notes, key=lambda note: (-abs(note.delta), note.delta))
        if weighed and weighed[0].delta != 0:
            top = weighed[0]
            label = "做得好" if top.delta > 0 else "可以改进"
            return f"{label}:{top.rule.advice}({top.rule.m_id})"
        if move is None:
            return "没认出这句话是哪种销售动作,这一句只按用词评分。"
        name = self._methodology.moves[move].name
        step = self._methodology.visit_step(self._methodology.moves[move].step)
        return f"这是一句“{name}”,属于“{step.name}”阶段。"


def _handling(fired: list[str]) -> str:
    if "objection.arguing" in fired:
        return "argued"
    for rule_id, handling in (
        ("objection.acknowledge_pivot", "acknowledged_and_pivoted"),
        ("objection.acknowledge_only", "acknowledged"),
        ("objection.clarify", "clarified"),
    ):
        if rule_id in fired:
            return handling
    return "ignored"


def _timing(fired: list[str]) -> str:
    """When a close came (M7.1): too early, or once the needs were confirmed (whether the
    technique suits the persona is the record's `persona_fit`)."""
    return "premature" if "closing.premature" in fired else "well_timed"
