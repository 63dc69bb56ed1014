"""Rules applied to one rep turn, given what came before. Each returns the ids of the rules
(scoring.yml) that fired; points and explanations live in the data, the conditions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.cues import Cues
from bot.methodology import Methodology
from bot.methodology.vocabulary import TIGER_LONG_TURN, VISIT_STEPS
from bot.scoring.progress import CLOSE_MOVES, PROPOSAL_MOVES, SPIN_LETTERS, Progress

MONOLOGUE = 100
DATA_WALL = 3


@dataclass(frozen=True)
class TurnContext:
    index: int
    move: str | None
    step: str | None
    cues: Cues
    persona: str
    progress: Progress
    methodology: Methodology

    @property
    def first(self) -> bool:
        return self.progress.rep_turns == 0

    @property
    def high_pressure(self) -> bool:
        technique = self.methodology.closing.techniques.get(self.move or "")
        return technique is not None and technique.pressure == "high"

    @property
    def answering_objection(self) -> bool:
        """The customer just raised a concern, or the rep acknowledges one we did not spot."""
        if self.progress.open_objection is not None:
            return True
        return (
            self.move == "handle_objection"
            and self.progress.last_speaker == "customer"
            and bool(self.cues.acknowledge)
        )


def visit_flow(turn: TurnContext) -> list[str]:
    """M2/M3: open first, follow the five steps, discover before proposing or closing."""
    fired = []
    step_index = VISIT_STEPS.index(turn.step) if turn.step else None
    if turn.first and step_index is not None:
        if step_index <= 1:
            fired.append("flow.opening")
        elif turn.move != "handle_objection":
            fired.append("flow.no_opening")
    elif step_index is not None and step_index > turn.progress.max_step:
        fired.append("flow.advance")
    if turn.move in PROPOSAL_MOVES and not turn.progress.discovered:
        fired.append("flow.pitch_before_discovery")
    if turn.move in CLOSE_MOVES and not turn.progress.discovered:
        fired.append("flow.close_before_discovery")
    if turn.move == "thank_and_leave":
        fired.append("flow.farewell")
    return fired


def spin(turn: TurnContext) -> list[str]:
    """M4: ask before telling, S->P->I->N, confirm in the customer's words, assume nothing."""
    fired = []
    letter = SPIN_LETTERS.get(turn.move or "")
    asked = turn.progress.spin
    if letter == "S":
        too_many = asked.count("S") >= 3 and "P" not in asked
        fired.append("spin.too_many_situation" if too_many else "spin.situation")
    elif letter == "P":
        fired.append("spin.problem")
    elif letter in {"I", "N"}:
        fired.append("spin.implication" if letter == "I" else "spin.need_payoff")
        if "P" not in asked:
            fired.append("spin.out_of_order")
    if turn.move == "confirm_understanding":
        fired.append("spin.confirm")
    telling = turn.move in PROPOSAL_MOVES | CLOSE_MOVES | {"give_evidence"}
    if telling and not turn.cues.question and not turn.progress.needs_known:
        fired.append("spin.tell_before_ask")
    if turn.cues.assumed_need:
        fired.append("spin.assumed_need")
    return fired


def objection_handling(turn: TurnContext) -> list[str]:
    """M6: listen, ask, acknowledge then pivot, cite a case; never argue."""
    cues = turn.cues
    if cues.arguing:
        return ["objection.arguing"]
    if not turn.answering_objection:
        return []
    fired = []
    if cues.acknowledge_pivot:
        fired.append("objection.acknowledge_pivot")
    elif cues.acknowledge or turn.move == "handle_objection":
        fired.append("objection.acknowledge_only")
    if cues.question and turn.move not in CLOSE_MOVES | {"propose_next_step"}:
        fired.append("objection.clarify")
    if not fired:
        fired.append("objection.ignored")
    elif cues.has_evidence:
        fired.append("objection.evidence")
    return fired


def closing(turn: TurnContext) -> list[str]:
    """M7: close only when needs are confirmed and concerns answered; end with a next step."""
    fired = []
    if turn.move in CLOSE_MOVES:
        progress = turn.progress
        ready = progress.needs_confirmed and not progress.open_objection and not progress.unresolved
        fired.append("closing.well_timed" if ready else "closing.premature")
        if turn.high_pressure:
            fired.append("closing.high_pressure")
    if turn.move == "propose_next_step" or turn.cues.next_step:
        fired.append("closing.next_step")
    if turn.move == "ask_referral" and turn.progress.customer_agreed:
        fired.append("closing.referral")
    return fired


def disc_fit(turn: TurnContext) -> list[str]:
    """M8: speak the way this personality listens (persona do/don't lists)."""
    cues, persona, fired = turn.cues, turn.persona, []
    repeated_push = turn.move == "close_direct" and turn.progress.direct_closes > 0
    pushing = turn.high_pressure or repeated_push
    if persona in {"owl", "koala"} and pushing:
        fired.append("disc.pressure_on_cautious")
    if persona == "tiger":
        if turn.move == "small_talk" and turn.progress.small_talk_turns >= 1:
            fired.append("disc.tiger_small_talk")
        if cues.length > TIGER_LONG_TURN:
            fired.append("disc.tiger_long_turn")
        if cues.results:
            fired.append("disc.tiger_results")
        if turn.move == "close_alternative":
            fired.append("disc.tiger_options")
        if cues.arguing:
            fired.append("disc.tiger_challenge")
    elif persona == "owl":
        if cues.has_evidence and not cues.question:
            fired.append("disc.owl_evidence")
        if cues.over_promise:
            fired.append("disc.owl_hype")
        if cues.vague:
            fired.append("disc.owl_vague")
        if cues.process:
            fired.append("disc.owl_process")
    elif persona == "koala":
        if cues.reassurance:
            fired.append("disc.koala_reassurance")
    elif persona == "peacock":
        if cues.recognition or turn.move == "open_praise":
            fired.append("disc.peacock_recognition")
        if cues.vision:
            fired.append("disc.peacock_vision")
        if len(cues.quantities) >= DATA_WALL:
            fired.append("disc.peacock_data_wall")
        if cues.in_writing:
            fired.append("disc.peacock_in_writing")
    return fired


def trust_value(turn: TurnContext) -> list[str]:
    """M1/M5: prove with evidence, quantify value, tie it to stated needs, promise carefully."""
    cues, fired = turn.cues, []
    statement = not cues.question
    if statement and (cues.evidence or cues.references or turn.move == "give_evidence"):
        fired.append("trust.evidence")
    value_moves = PROPOSAL_MOVES | {"give_evidence", "handle_objection"}
    if statement and cues.quantities and turn.move in value_moves:
        fired.append("trust.quantified")
    if turn.move in PROPOSAL_MOVES and len(turn.progress.echoes_customer(cues.content_words)) >= 2:
        fired.append("trust.benefit_tied_to_need")
    if cues.over_promise:
        fired.append("trust.over_promise")
    if statement and cues.length > MONOLOGUE:
        fired.append("trust.monologue")
    return fired


TURN_RULES = (visit_flow, spin, objection_handling, closing, disc_fit, trust_value)
