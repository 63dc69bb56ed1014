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
    """One rep turn as the rules see it. `move` is the line's main move (what the dialogue
    answers); `moves` every move it carries, main first, so that a greeting with a question
    is both and F, B and E said in one breath are each credited (M5)."""

    index: int
    move: str | None
    step: str | None
    cues: Cues
    persona: str
    progress: Progress
    methodology: Methodology
    moves: tuple[str, ...] = ()

    def has(self, *names: str) -> bool:
        return any(move in names for move in self.moves)

    @property
    def steps(self) -> list[int]:
        """The visit steps (M2) of the moves, as indexes."""
        return [VISIT_STEPS.index(self.methodology.moves[move].step) for move in self.moves]

    @property
    def first(self) -> bool:
        return self.progress.rep_turns == 0

    @property
    def high_pressure(self) -> bool:
        techniques = self.methodology.closing.techniques
        return any(techniques[move].pressure == "high" for move in self.moves if move in techniques)

    @property
    def answering_objection(self) -> bool:
        """The customer just raised a concern, or the rep acknowledges one we did not spot."""
        if self.progress.open_objection is not None:
            return True
        return (
            self.has("handle_objection")
            and self.progress.last_speaker == "customer"
            and bool(self.cues.acknowledge)
        )


def visit_flow(turn: TurnContext) -> list[str]:
    """M2/M3: open first, follow the five steps, discover before proposing or closing."""
    fired = []
    steps = turn.steps
    if turn.first and steps:
        if min(steps) <= 1:
            fired.append("flow.opening")
        elif not turn.has("handle_objection"):
            fired.append("flow.no_opening")
    elif steps and max(steps) > turn.progress.max_step:
        fired.append("flow.advance")
    if turn.has(*PROPOSAL_MOVES) and not turn.progress.discovered:
        fired.append("flow.pitch_before_discovery")
    if turn.has(*CLOSE_MOVES) and not turn.progress.discovered:
        fired.append("flow.close_before_discovery")
    if turn.has("thank_and_leave"):
        fired.append("flow.farewell")
    return fired


def spin(turn: TurnContext) -> list[str]:
    """M4: ask before telling, S->P->I->N, confirm in the customer's words, assume nothing."""
    fired = []
    asked = list(turn.progress.spin)
    for letter in [SPIN_LETTERS[move] for move in turn.moves if move in SPIN_LETTERS]:
        if letter == "S":
            too_many = asked.count("S") >= 3 and "P" not in asked
            fired.append("spin.too_many_situation" if too_many else "spin.situation")
        elif letter == "P":
            fired.append("spin.problem")
        elif letter in {"I", "N"}:
            fired.append("spin.implication" if letter == "I" else "spin.need_payoff")
            if "P" not in asked:
                fired.append("spin.out_of_order")
        asked.append(letter)  # a problem asked earlier in the same line counts for the order
    if turn.has("confirm_understanding"):
        fired.append("spin.confirm")
    telling = turn.has(*PROPOSAL_MOVES, *CLOSE_MOVES, "give_evidence")
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
    elif cues.acknowledge or turn.has("handle_objection"):
        fired.append("objection.acknowledge_only")
    if cues.question and not turn.has(*CLOSE_MOVES, "propose_next_step"):
        fired.append("objection.clarify")
    if not fired:
        fired.append("objection.ignored")
    elif cues.has_evidence:
        fired.append("objection.evidence")
    return fired


def closing(turn: TurnContext) -> list[str]:
    """M7: close only when needs are confirmed and concerns answered; end with a next step."""
    fired = []
    if turn.has(*CLOSE_MOVES):
        progress = turn.progress
        ready = progress.needs_confirmed and not progress.open_objection and not progress.unresolved
        fired.append("closing.well_timed" if ready else "closing.premature")
        if turn.high_pressure:
            fired.append("closing.high_pressure")
    if turn.has("propose_next_step") or turn.cues.next_step:
        fired.append("closing.next_step")
    if turn.has("ask_referral") and turn.progress.customer_agreed:
        fired.append("closing.referral")
    return fired


def disc_fit(turn: TurnContext) -> list[str]:
    """M8: speak the way this personality listens (persona do/don't lists)."""
    cues, persona, fired = turn.cues, turn.persona, []
    repeated_push = turn.has("close_direct") and turn.progress.direct_closes > 0
    pushing = turn.high_pressure or repeated_push
    if persona in {"owl", "koala"} and pushing:
        fired.append("disc.pressure_on_cautious")
    if persona == "tiger":
        if turn.has("small_talk") and turn.progress.small_talk_turns >= 1:
            fired.append("disc.tiger_small_talk")
        if cues.length > TIGER_LONG_TURN:
            fired.append("disc.tiger_long_turn")
        if cues.results:
            fired.append("disc.tiger_results")
        if turn.has("close_alternative"):
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
        if cues.recognition or turn.has("open_praise"):
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
    if statement and (cues.evidence or cues.references or turn.has("give_evidence")):
        fired.append("trust.evidence")
    value_moves = (*PROPOSAL_MOVES, "give_evidence", "handle_objection")
    if statement and cues.quantities and turn.has(*value_moves):
        fired.append("trust.quantified")
    if turn.has(*PROPOSAL_MOVES) and len(turn.progress.echoes_customer(cues.content_words)) >= 2:
        fired.append("trust.benefit_tied_to_need")
    if cues.over_promise:
        fired.append("trust.over_promise")
    if statement and cues.length > MONOLOGUE:
        fired.append("trust.monologue")
    return fired


TURN_RULES = (visit_flow, spin, objection_handling, closing, disc_fit, trust_value)
