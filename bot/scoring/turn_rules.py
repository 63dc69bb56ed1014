"""Rules applied to one rep turn, given what came before. Each returns the ids of the rules
(scoring.yml) that fired; points and explanations live in the data, the conditions here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.cues import Cues
from bot.methodology import Methodology
from bot.methodology.vocabulary import MONOLOGUE, TIGER_LONG_TURN, VISIT_STEPS
from bot.scoring.progress import (
    CLOSE_MOVES,
    DISCOVERY_MOVES,
    PROPOSAL_MOVES,
    SPIN_LETTERS,
    Progress,
)

# A speech: past this many characters a line is a monologue (trust.monologue), and for a
# tiger the 长篇大论 he will not sit through whatever it says (disc.tiger_long_turn, M8).
DATA_WALL = 3
LOW_PRESSURE_CHOICES = {"close_alternative", "close_assumptive"}


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
    new_topics: tuple[str, ...] = ()  # qualification topics (M9) this line asks first

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
    def concrete_next_step(self) -> bool:
        """M7.3 a next step with an action and a day or time; the move without a time
        ("您有空我们再约") is a vague one."""
        return self.cues.next_step or (self.has("propose_next_step") and self.cues.timed)

    @property
    def closes(self) -> list[str]:
        """The closing techniques the line uses. A choice of times or an assumption offered
        inside a concrete next step ("下周三来测,您看上午还是下午?") proposes that step: it is
        judged as the next step, not as a close (M7.3)."""
        closes = [move for move in self.moves if move in CLOSE_MOVES]
        if self.concrete_next_step and set(closes) <= LOW_PRESSURE_CHOICES:
            return []
        return closes

    @property
    def unbacked_claim(self) -> bool:
        """M5 有凭有据: a claim about our offer ("特别稳定", "服务很好") in a statement that
        gives no figure, evidence or reference to check it by."""
        cues = self.cues
        about_offer = self.has(*PROPOSAL_MOVES, "handle_objection") or cues.self_address > 0
        return (
            bool(cues.unbacked_claims)
            and about_offer
            and not cues.question
            and not cues.has_evidence
        )

    @property
    def conceding(self) -> bool:
        """M6: a price cut or gift offered in answer to a price or competitor objection."""
        kinds = self.progress.open_objection.kinds if self.progress.open_objection else []
        return bool(self.cues.concession) and bool(set(kinds) & {"price", "competitor"})

    @property
    def answering_objection(self) -> bool:
        """The customer just raised a concern, or the rep acknowledges one we did not spot."""
        if self.progress.open_objection is not None:
            return True
        # Not after his answer to a discovery question: "确实让人悬着心" there is empathy with
        # the problem he just told, not the answer to a concern.
        return (
            self.has("handle_objection")
            and self.progress.last_speaker == "customer"
            and not self.progress.last_rep_asked
            and bool(self.cues.acknowledge)
        )

    @property
    def technique_fits(self) -> bool:
        """No closing technique of the line is one to avoid with this persona (M7, M8)."""
        techniques = self.methodology.closing.techniques
        return all(self.persona not in techniques[move].avoid_personas for move in self.closes)


def visit_flow(turn: TurnContext) -> list[str]:
    """M2/M3: open first, follow the five steps, discover before proposing or closing."""
    fired = []
    steps = turn.steps
    if turn.first and steps:
        # A tiger who says "说吧" is opened with his business (M3 审时度势, M8 respect his
        # time): a first question about it is the opening, not a skipped one.
        tiger_direct = turn.persona == "tiger" and turn.has(*DISCOVERY_MOVES)
        opened = min(steps) <= 1 or tiger_direct
        if opened and not turn.cues.rude:  # "您这人怎么这么磨叽" opens nothing (M1)
            fired.append("flow.opening")
        elif not opened and not turn.has("handle_objection"):
            fired.append("flow.no_opening")
    elif steps and max(steps) > turn.progress.max_step:
        fired.append("flow.advance")
    if turn.has(*PROPOSAL_MOVES) and not turn.progress.discovered:
        fired.append("flow.pitch_before_discovery")
    if turn.closes and not turn.progress.discovered:
        fired.append("flow.close_before_discovery")
    if turn.has("small_talk") and not turn.first and turn.progress.discovered:
        # Once the business is on the table, chat about the weather or lunch drifts off it
        # (M3: never circle without getting to the point; 多听少说).
        fired.append("flow.off_topic")
    if turn.new_topics:
        fired.append("flow.qualify")
    if turn.cues.rude:
        fired.append("flow.rude")
    if turn.has("thank_and_leave"):
        fired.append("flow.farewell")
    return fired


def spin(turn: TurnContext) -> list[str]:
    """M4: ask before telling, S->P->I->N, confirm in the customer's words, assume nothing."""
    fired = []
    asked = list(turn.progress.spin)
    for letter in [SPIN_LETTERS[move] for move in turn.moves if move in SPIN_LETTERS]:
        if letter == "S":
            # Stuck in situation questions: three and none beyond (M4.2).
            too_many = asked.count("S") >= 3 and not {"P", "I", "N"} & set(asked)
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
    if cues.spoils_trust or turn.high_pressure:
        # "是的……可是他们家就是皮包公司" is no answer: a concern met with an insult, a
        # swipe at the others, a promise nobody can keep or a deadline to sign is not
        # handled (M6, M5, M7).
        return ["objection.answered_badly"]
    if turn.conceding and not cues.acknowledge_pivot:
        return ["objection.concession"]
    fired = []
    if cues.acknowledge_pivot:
        fired.append("objection.acknowledge_pivot")
    elif cues.acknowledge or turn.has("handle_objection"):
        fired.append("objection.acknowledge_only")
    if cues.question and not turn.has(*CLOSE_MOVES, "propose_next_step"):
        fired.append("objection.clarify")
    if not fired and (cues.evidence or cues.reassurance or cues.process):
        # A remedy, a safeguard or proof offered, without a word of acknowledgement; a
        # figure alone ("能接六家银行") is a pitch, not an answer.
        fired.append("objection.answered")
    if not fired:
        fired.append("objection.ignored")
    elif cues.has_evidence:
        fired.append("objection.evidence")
    return fired


def closing(turn: TurnContext) -> list[str]:
    """M7: close only when needs are confirmed and concerns answered; end with a next step."""
    fired = []
    if turn.closes:
        progress = turn.progress
        concern_open = bool(progress.open_objection) or progress.unresolved
        if progress.needs_confirmed and not concern_open:
            # A technique this persona must not be closed with is never good timing (M7).
            if turn.technique_fits:
                fired.append("closing.well_timed")
        else:
            # Premature when the needs are really unconfirmed (not restated, not explored to
            # their value) or a concern is open. A restatement the NLU missed is read from
            # its words (Scorer.read_question), so a disciplined visit is not told this.
            fired.append("closing.premature")
        if turn.high_pressure:
            fired.append("closing.high_pressure")
    if turn.concrete_next_step:
        fired.append("closing.next_step")
    elif turn.has("propose_next_step"):
        fired.append("closing.vague_next_step")
    if turn.has("ask_referral") and turn.progress.customer_agreed:
        fired.append("closing.referral")
    return fired


def disc_fit(turn: TurnContext) -> list[str]:
    """M8: speak the way this personality listens (persona do/don't lists)."""
    cues, persona, fired = turn.cues, turn.persona, []
    if cues.rude:
        fired.append("disc.rude")
    if cues.competitor_bashing:
        fired.append("disc.bashing")
    repeated_push = turn.has("close_direct") and turn.progress.direct_closes > 0
    pushing = turn.high_pressure or repeated_push
    if persona in {"owl", "koala"} and pushing:
        fired.append("disc.pressure_on_cautious")
    if persona == "tiger":
        if turn.has("small_talk") and turn.progress.small_talk_turns >= 1:
            fired.append("disc.tiger_small_talk")
        # Long small talk or detail loses him (M8); two or three brisk sentences of results
        # and figures are what he asked for, until they become a speech.
        brings_results = bool(cues.results or cues.quantities)
        if cues.length > MONOLOGUE or (cues.length > TIGER_LONG_TURN and not brings_results):
            fired.append("disc.tiger_long_turn")
        if cues.results:
            fired.append("disc.tiger_results")
        if turn.has("close_alternative"):
            fired.append("disc.tiger_options")
        if cues.arguing:
            fired.append("disc.tiger_challenge")
    elif persona == "owl":
        if cues.has_evidence and not cues.question and not cues.spoils_trust:
            fired.append("disc.owl_evidence")
        if cues.over_promise:
            fired.append("disc.owl_hype")
        if cues.vague or turn.unbacked_claim:
            fired.append("disc.owl_vague")
        if cues.process:
            fired.append("disc.owl_process")
    elif persona == "koala":
        if cues.reassurance and not cues.spoils_trust:  # "保证零故障" is no reassurance
            fired.append("disc.koala_reassurance")
    elif persona == "peacock":
        if (cues.recognition or turn.has("open_praise")) and not cues.rude:
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
    # "那是您不了解……我们有案例" or "有数据,保证翻倍": the proof is spoilt by the rest (M1).
    statement = not cues.question and not cues.spoils_trust
    if statement and (cues.evidence or cues.references or turn.has("give_evidence")):
        fired.append("trust.evidence")
    value_moves = (*PROPOSAL_MOVES, "give_evidence", "handle_objection")
    if statement and cues.quantities and turn.has(*value_moves):
        fired.append("trust.quantified")
    if turn.has(*PROPOSAL_MOVES) and len(turn.progress.echoes_customer(cues.content_words)) >= 2:
        fired.append("trust.benefit_tied_to_need")
    if cues.over_promise:
        fired.append("trust.over_promise")
    if turn.unbacked_claim:
        fired.append("trust.unbacked_claim")
    if cues.rude:
        fired.append("trust.rude")
    if cues.competitor_bashing:
        fired.append("trust.bashing")
    if turn.conceding and not cues.acknowledge_pivot:
        fired.append("trust.concession")
    if not cues.question and cues.length > MONOLOGUE:
        fired.append("trust.monologue")
    return fired


TURN_RULES = (visit_flow, spin, objection_handling, closing, disc_fit, trust_value)
