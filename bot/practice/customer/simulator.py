"""The simulated customer: he feels each rep turn (trust and patience, M1 and M8), answers
what he is asked from the scenario's facts (M4, M9), reacts to what he is told (M5), objects
(M6) and accepts a close only when it is earned (M7.1), all in his persona's voice (M8).

He reacts to the scorer's assessment of each rep turn, so what the rep is scored on and how
the customer behaves can never disagree. Replies are deterministic for a given seed: the seed
and the turn number order the equivalent lines, and none is said twice in a visit.
"""

from __future__ import annotations

import random
import re

from bot.language.clauses import clauses
from bot.language.cues import times_in
from bot.language.text import normalize
from bot.language.topics import NO_TOPIC, cue_topic, shared_reader
from bot.methodology import Methodology
from bot.methodology.vocabulary import MONOLOGUE, PRICE_WORDS, TIGER_LONG_TURN
from bot.practice.customer.needs import need_named, stakeholder_named
from bot.practice.customer.state import START_TRUST, CustomerState, Reaction
from bot.practice.customer.voice import Speaker
from bot.practice.scenarios import HiddenNeed, Scenario
from bot.scoring.progress import CLOSE_MOVES, PROPOSAL_MOVES
from bot.scoring.scorer import TurnAssessment

INSULT_TRUST_COST = 15
INSULT_PATIENCE_COST = 30
INSULTS_TO_WALK_OUT = 3
ARGUING_PATIENCE_COST = 20
BASHING_TRUST_COST = 10
BASHING_PATIENCE_COST = 20
PRESSURE_PATIENCE_COST = 25
STALLS_BEFORE_PRESSURE = 2  # asking again after he has put off two closes is pressure
TIGER_SMALL_TALK_COST = 35  # a tiger lets one remark about the weather pass, not three more
TIGER_LONG_TURN_COST = 15
LOW_PATIENCE = 30  # below this every persona lets the rep know
# A customer who trusts the rep this much no longer voices every remaining worry at a close.
TRUST_WITHOUT_MORE_OBJECTIONS = 85
NEED_QUESTIONS = frozenset({"ask_problem", "ask_implication", "ask_need_payoff"})
OPENING_MOVES = frozenset({"greet", "small_talk", "open_praise", "open_interest"})
QUESTION_MOVES = NEED_QUESTIONS | {"ask_situation", "confirm_understanding"}
PRESSURE_MOVES = frozenset({"close_urgency", "close_scarcity"})
# Questions that ask about a person he names ("郑总那边怎么看?"); a close or a next step that
# names someone ("给郑总汇报一下?") is about the close or the step.
PERSON_QUESTIONS = frozenset(
    {None, "ask_situation", "ask_referral", "ask_problem", "ask_implication", "ask_need_payoff"}
)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]{2,}")
_KEYBOARD_MASH = re.compile(r"[bcdfghjklmnpqrstvwxz]{4,}")
# A need question or a close is still read as a topic question when the topic reader is this
# sure ("您这边还在跟哪几家谈?" taken by the NLU for a problem question, "是您定,还是要跟
# 老板汇报?" for an alternative close); its examples hold closes as not a topic.
SURE_TOPIC = 0.5
# Replies that agree or are pleased: no impatient remark after them ("可以,你安排吧。啰嗦。").
PLEASED = frozenset(
    {
        "accepted",
        "next_step_ok",
        "next_step_again",
        "farewell",
        "benefit_for_need",
        "evidence_for_need",
        "case_for_need",
        "answered_objection",
        "confirm_ok",
    }
)
# "韩先生和苏太太是?", "郑总是做什么的?": who someone is, whatever move the NLU read.
_WHO_IS = re.compile(r"(?:是谁|是哪位|是做什么|是干什么|是什么人|负责什么|管什么|是\?)")
# The questions of one line a customer answers; a third waits for the rep to ask again.
MAX_QUESTIONS_ANSWERED = 2
_QUESTION_MARK = re.compile(r"(?<=\?)")


def _clamp(value: int) -> int:
    return max(0, min(100, value))


class CustomerSimulator:
    def __init__(self, methodology: Methodology, scenarios: dict[str, Scenario]) -> None:
        self._methodology = methodology
        self._topics = shared_reader(methodology.topic_examples)
        self._scenarios = scenarios

    def start(self, scenario_id: str, persona: str, seed: int) -> Reaction:
        scenario = self._scenarios[scenario_id]
        if persona not in self._methodology.personas:
            raise ValueError(f"unknown persona {persona!r}")
        state = CustomerState(scenario_id, persona, seed)
        replies = scenario.replies
        return Reaction(replies.opening_by_persona.get(persona, replies.opening), state)

    def react(self, state: CustomerState, assessment: TurnAssessment) -> Reaction:
        """The customer's reply to one assessed rep turn, and his new state."""
        state = CustomerState.from_dict(state.to_dict())
        state.turn += 1
        scenario = self._scenarios[state.scenario]
        speaker = Speaker(
            self._methodology.voices[state.persona],
            state,
            random.Random(f"{state.seed}:{state.turn}"),
            scenario.product,
            self._methodology.topics.already_told,
            self._methodology.workplace_words if scenario.private_customer else None,
        )
        if assessment.cues.rude:
            return Reaction(speaker.remember(self._take_offence(state)), state, "insulted")
        upset = self._feel(state, assessment)
        if state.patience <= 0 or state.trust <= 0:
            state.outcome = "lost"
            return Reaction(speaker.remember(speaker.say("walk_out")), state, "walk_out")
        if upset in {"argued", "competitor_bashed", "pressured"}:
            reply = speaker.say(upset)
        else:
            reply = self._reply(state, scenario, assessment, speaker)
            long_line = assessment.cues.length > TIGER_LONG_TURN // 2
            if (upset == "impatient" or (state.patience < LOW_PATIENCE and long_line)) and (
                speaker.situation not in PLEASED
            ):
                # Said once in his words, not after a yes, and never the same remark twice.
                remark = speaker.fresh_line("impatient")
                reply = f"{reply}{remark}" if remark else reply
        if speaker.said_before(reply):  # every line of the moment used up: say it told
            told = self._methodology.topics.already_told
            reply = speaker.say("go_on") if reply.startswith(told) else f"{told}{reply}"
        return Reaction(speaker.remember(reply), state, speaker.situation)

    def _take_offence(self, state: CustomerState) -> str:
        """M1/M8: rudeness costs trust and patience; he says so in his own way, and the third
        time (or when trust or patience runs out first) he ends the visit: lost."""
        persona = self._methodology.personas[state.persona]
        state.insults += 1
        state.trust = _clamp(state.trust - INSULT_TRUST_COST)
        state.patience = _clamp(state.patience - INSULT_PATIENCE_COST)
        if state.insults >= INSULTS_TO_WALK_OUT or state.trust <= 0 or state.patience <= 0:
            state.outcome = "lost"
            return persona.insulted_exit
        return persona.insulted[min(state.insults, len(persona.insulted)) - 1]

    def _feel(self, state: CustomerState, assessment: TurnAssessment) -> str | None:
        """Trust and patience move with the persona's do/don't list (M8). Returns what upset
        him, if anything (arguing, running others down, being pushed to decide, a long speech
        to a tiger): the situation he answers in his voice."""
        cues, persona = assessment.cues, state.persona
        moves = set(assessment.moves)  # every move of the line is felt, not only the main one
        trust, upset = 0, None
        if cues.arguing and state.open_objection is None:
            trust -= 15
            state.patience -= ARGUING_PATIENCE_COST
            upset = "argued"
        if cues.competitor_bashing:
            trust -= BASHING_TRUST_COST
            state.patience -= BASHING_PATIENCE_COST
            upset = upset or "competitor_bashed"
        if cues.over_promise:
            trust -= 20 if persona == "owl" else 8
        if cues.has_evidence and not cues.question:
            trust += 10 if persona == "owl" else 4
        if moves & PRESSURE_MOVES:
            trust -= 20 if persona in {"owl", "koala"} else 5
        if moves & PRESSURE_MOVES or (
            moves & CLOSE_MOVES and state.stalls >= STALLS_BEFORE_PRESSURE
        ):
            state.pressure += 1
            if state.pressure >= 2:
                state.patience -= PRESSURE_PATIENCE_COST * (2 if persona == "koala" else 1)
                upset = upset or "pressured"
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
            # Two or three brisk sentences of figures and results are what he asked for
            # ("代价多少?" answered with the cost and the payback), until they become a speech.
            brings_results = bool(cues.results or cues.quantities)
            if cues.length > MONOLOGUE or (cues.length > TIGER_LONG_TURN and not brings_results):
                state.patience -= TIGER_LONG_TURN_COST
                if state.patience < 50:
                    upset = upset or "impatient"
        if moves & {"ask_problem", "ask_implication", "ask_need_payoff", "confirm_understanding"}:
            trust += 4
        state.trust = _clamp(state.trust + trust)
        state.patience = _clamp(state.patience)
        return upset

    def _reply(
        self,
        state: CustomerState,
        scenario: Scenario,
        assessment: TurnAssessment,
        speaker: Speaker,
    ) -> str:
        replies, cues = scenario.replies, assessment.cues
        move, text = _answered_move(assessment), assessment.text
        if _unintelligible(text):  # no move can be read from it, whatever the NLU guessed
            return speaker.say("unclear", replies.unclear)  # emoji, keyboard mash, "???"
        if state.open_objection is not None:
            answered = self._answer_to_objection(state, scenario, assessment, speaker)
            if answered is not None:
                return answered
        if cues.over_promise and move not in NEED_QUESTIONS | {"ask_situation"}:
            return speaker.say("hype")  # M5: a promise nobody can keep is not a benefit
        if move == "confirm_understanding" and assessment.move == move:  # "总结一下……对吗?"
            if state.needs:
                state.confirmed = True
                return speaker.say("confirm_ok")
            return speaker.say("confirm_nothing")
        if self._leaving(assessment):  # "……今天耽误您时间了,谢谢!" ends the visit
            if move == "propose_next_step" or cues.next_step:
                return self._next_step(state, scenario, text, speaker)
            state.outcome = state.outcome or "ended"
            return speaker.say("farewell", replies.farewell)
        if cues.question:  # gated on the move the NLU is sure of, not its guess
            asked = self._answer_question(state, scenario, text, assessment.move, speaker)
            if asked is not None:
                # "现在用哪家的?用下来有什么不满意的?": the need question after the topic one
                # is answered too.
                need_question = next((m for m in assessment.moves if m in NEED_QUESTIONS), None)
                if need_question and len(_QUESTION_MARK.findall(normalize(text))) >= 2:
                    before = dict(state.needs)
                    more = self._open_up(state, scenario, text, need_question, speaker)
                    return f"{asked}{more}" if state.needs != before else asked
                return asked
        if state.open_objection is not None and move in CLOSE_MOVES:
            state.stalls += 1  # M6: pushed to decide with his concern still open
            objection = next(o for o in scenario.objections if o.type == state.open_objection)
            again = f"{self._methodology.topics.already_told}{objection.line}"
            if speaker.said_before(again):
                state.pressure += 1
                return speaker.say("pressured")
            speaker.note("objection")
            return again
        if move == "ask_situation":
            return self._tell_fact(state, scenario, speaker)
        if move in NEED_QUESTIONS:
            return self._open_up(state, scenario, text, move, speaker)
        if move == "open_interest":  # "很想听听您是怎么做起来的": he tells, not only says he will
            opener = speaker.say("interest")
            told = None
            if "company" not in state.topics_told:
                told = self._tell_topic(state, scenario, "company", speaker)
            return f"{opener}{told or self._tell_fact(state, scenario, speaker)}"
        if cues.question and (move is None or move in OPENING_MOVES | {"ask_referral"}):
            # A question he could not place still gets an answer from what he knows: the
            # need it names, else the next fact of his situation (M4), never "go on".
            if need_named(text, scenario.hidden_needs) is not None:
                return self._open_up(state, scenario, text, "ask_problem", speaker)
            if state.facts_told < len(scenario.facts):
                return self._tell_fact(state, scenario, speaker)
        if move == "propose_next_step" or (cues.next_step and cues.question):
            # "那先在一号线装一台试用两周,下周一开始可以吗?" proposes a step, whatever else
            # the line says about the product.
            return self._next_step(state, scenario, text, speaker)
        if move in PROPOSAL_MOVES or move in {"give_evidence", "handle_objection"}:
            return self._hear_pitch(state, scenario, assessment, move, speaker)
        if move in CLOSE_MOVES:
            return self._consider_close(state, scenario, speaker)
        if move == "thank_and_leave":
            state.outcome = state.outcome or "ended"
            return speaker.say("farewell", replies.farewell)
        if cues.next_step:
            return self._next_step(state, scenario, text, speaker)
        situation, lines = {
            "greet": ("greet", replies.greet),
            "small_talk": ("small_talk", replies.small_talk),
            "open_praise": ("praise", replies.praise),
            "open_suggestion": ("suggestion", replies.suggestion),
        }.get(move or "", ("go_on", ()))
        return speaker.say(situation, lines)

    def _next_step(
        self, state: CustomerState, scenario: Scenario, text: str, speaker: Speaker
    ) -> str:
        """M7: a concrete next step is agreed once trust allows; proposed again, it stands.
        Offered two times ("周三下午还是周四上午?"), he picks one, as a person does."""
        if state.trust < START_TRUST - 10 and not state.next_step_agreed:
            return speaker.say("next_step_refused")
        times = _offered_times(text)
        picked = f"{times[state.seed % len(times)]}吧。" if len(times) > 1 else ""
        if state.next_step_agreed:
            return f"{picked}{speaker.say('next_step_again')}"
        state.next_step_agreed = True
        return f"{picked}{speaker.say('next_step_ok', scenario.replies.next_step)}"

    def _leaving(self, assessment: TurnAssessment) -> bool:
        """A goodbye at the end of a line that did something else first ("……下周二我带方案
        过来,今天耽误您时间了,谢谢!"), or a goodbye the NLU was unsure of ("不耽误您时间了,
        再见!"); a thank-you inside an opening or before a question is not one."""
        if assessment.move == "thank_and_leave" or assessment.cues.question:
            return False  # a plain goodbye is answered as one further down
        last = clauses(normalize(assessment.text))[-1:] or [""]
        if any(word in last[0] for word in self._methodology.cues.farewell):
            return True
        return "thank_and_leave" in assessment.moves and assessment.move not in OPENING_MOVES

    def _answer_question(
        self,
        state: CustomerState,
        scenario: Scenario,
        text: str,
        move: str | None,
        speaker: Speaker,
    ) -> str | None:
        """M9: a question about someone in the decision, or about a qualification topic."""
        person = stakeholder_named(text, scenario.stakeholders)
        asked = [
            one
            for one, question in self._asked_topics(text, move)
            if one not in state.topics_told or self._asked_again(question, one, move)
        ]
        topic = asked[0] if asked else None
        # "郑总那边预算批了吗?" asks the budget; "采购部那边谁来定?" the decision, which names
        # everyone, the first time; "郑总一般看重什么?" asks about the person.
        topics = self._methodology.topics.topics
        about_person = (
            topic is None
            or topics[topic].person_answers
            or (topic == "decision" and topic in state.topics_told)
        )
        who_is = person is not None and bool(_WHO_IS.search(normalize(text)))
        if person is not None and (who_is or (move in PERSON_QUESTIONS and about_person)):
            speaker.note("person")
            return speaker.tell(person.line)
        if topic is None:
            return None
        opens_needs = self._methodology.topics.topics[topic].opens_needs
        if move in NEED_QUESTIONS and opens_needs and _needs_left(state, scenario, move):
            return None  # M4: "有什么不放心的?" brings out a need while needs remain
        answers = [self._tell_topic(state, scenario, one, speaker) for one in asked]
        told = [answer for answer in answers if answer is not None]
        return "".join(told) if told else None

    def _asked_again(self, text: str, topic: str, move: str | None) -> bool:
        """Whether a question asks again about a topic he told: only when the topic reader is
        sure or both readers say so, and never in a question about what a need costs or is
        worth ("如果到时候赶不上,影响大吗?" asks what being late costs, not the date again).
        Otherwise the line gets what it asks for, not "刚才说过了"."""
        if move in {"ask_implication", "ask_need_payoff"}:
            return False
        heard, probability = self._topics.best(text)
        agreed = heard == cue_topic(text, self._methodology.topics)
        return heard == topic and (agreed or probability >= SURE_TOPIC)

    def _asked_topics(self, text: str, move: str | None) -> list[tuple[str, str]]:
        """The topics a line asks about, in order, each with the question that asks it: two
        questions in one line ("预算大概多少?什么时候要定?") get two answers, as a person gives
        them; a question the reader cannot place on its own leaves the line's topic as read
        whole."""
        whole = self._asked_topic(text, move)
        alone = [(whole, text)] if whole else []
        questions = [part for part in _QUESTION_MARK.split(normalize(text)) if part.strip()]
        if not _QUESTION_MARK.search(normalize(text)) or len(questions) < 2:
            return alone
        asked: dict[str, str] = {}
        for question in questions[: MAX_QUESTIONS_ANSWERED + 1]:
            heard, probability = self._topics.best(question)
            agreed = heard == cue_topic(question, self._methodology.topics)
            if heard != NO_TOPIC and (agreed or probability >= SURE_TOPIC) and heard not in asked:
                asked[heard] = question
        if len(asked) < 2:
            return alone
        if whole and whole not in asked:
            asked = {whole: text, **asked}
        return list(asked.items())[:MAX_QUESTIONS_ANSWERED]

    def topic_of(self, text: str) -> str | None:
        """The qualification topic (M9) a rep line asks about: the classifier's reading, or
        failing that the cue words' (make eval, the customer part, compares them)."""
        return self._topics.topic_or_cue(text, self._methodology.topics)

    def _asked_topic(self, text: str, move: str | None) -> str | None:
        """The topic to answer. A problem, implication or need-payoff question opens up needs
        (M4), a close asks for the order and a next step for a meeting (M7): those get their
        topic answered only when both readers name it or the reader is sure; any other
        question, or one the NLU could not read, gets it answered."""
        if move in CLOSE_MOVES or move in NEED_QUESTIONS or move == "propose_next_step":
            heard, probability = self._topics.best(text)
            agreed = heard == cue_topic(text, self._methodology.topics)
            sure = probability >= SURE_TOPIC
            return heard if heard != NO_TOPIC and (agreed or sure) else None
        return self.topic_of(text)

    def _tell_topic(
        self, state: CustomerState, scenario: Scenario, topic: str, speaker: Speaker
    ) -> str | None:
        """M9: a qualification question gets the scenario's answer, in the persona's words
        where the scenario has them; a guarded topic (budget) only once trust is earned; asked
        again, he says he told it already, in another phrasing."""
        topics = self._methodology.topics
        written = scenario.topics.get(topic)
        answer = (
            written.answer if written else scenario.topic_answer(topic, topics.decision_by_role)
        )
        if answer is None:
            return None
        own = written.by_persona.get(state.persona, []) if written else []
        spec = topics.topics[topic]
        if state.trust < spec.min_trust:
            speaker.note("held_back")
            return speaker.pick((written.held_back if written else None) or spec.held_back)
        speaker.note(f"topic:{topic}")
        if topic in state.topics_told:
            phrasings = [answer, *(written.variants if written else [])]
            return f"{topics.already_told}{speaker.tell(speaker.pick(phrasings), own)}"
        state.topics_told.append(topic)
        return speaker.tell(answer, own)

    @staticmethod
    def _tell_fact(state: CustomerState, scenario: Scenario, speaker: Speaker) -> str:
        """M4 S: the next fact of his situation; then a need a situation question brings up."""
        if state.facts_told < len(scenario.facts):
            state.facts_told += 1
            return speaker.tell(scenario.facts[state.facts_told - 1].line)
        for need in scenario.hidden_needs:
            if "ask_situation" in need.revealed_by and need.id not in state.needs:
                state.needs[need.id] = "problem"
                return speaker.tell(need.line)
        return speaker.say("nothing_more")

    def _open_up(
        self,
        state: CustomerState,
        scenario: Scenario,
        text: str,
        move: str,
        speaker: Speaker,
    ) -> str:
        """M4: a problem question reveals a need; implication and payoff questions deepen the
        need they name, or the one on the table. A need already out is elaborated on, never
        denied."""
        needs = scenario.hidden_needs
        named = need_named(text, needs)
        revealed = [need for need in needs if need.id in state.needs]

        speaker.note("need")

        def reveal(need: HiddenNeed, stage: str) -> str:
            state.needs[need.id] = stage
            lines = {"problem": need.line, "implication": need.implication_line}
            return speaker.tell(lines.get(stage, need.payoff_line))

        def revealable(question: str) -> HiddenNeed | None:
            if named is not None and named.id not in state.needs:
                return named  # the need the rep asks about, if he names one
            return next(
                (n for n in needs if question in n.revealed_by and n.id not in state.needs), None
            )

        if move == "ask_problem":
            if named is not None and named.id in state.needs:
                return self._elaborate(state, named, speaker)
            fresh = revealable("ask_problem")
            if fresh is not None:
                return reveal(fresh, "problem")
            if revealed:
                return speaker.say("no_more_needs", need=revealed[-1].spoken)
            return speaker.say("not_thought")
        reached = "implication" if move == "ask_implication" else "payoff"
        if named is not None and named.id not in state.needs:
            # The rep named a need he has not told ("尺寸不合适要返工,您考虑过吗?"): he
            # recognises it and says how it is, as far as the question goes.
            state.needs[named.id] = reached
            deeper = named.implication_line if reached == "implication" else named.payoff_line
            return speaker.tell(f"{named.line}{deeper}")
        order = ["problem", "implication", "payoff"]
        candidates = (
            [named]
            if named is not None
            else [n for n in revealed if order.index(state.needs[n.id]) < order.index(reached)]
        )
        for need in candidates:
            if order.index(state.needs[need.id]) < order.index(reached):
                state.needs[need.id] = reached
                return speaker.tell(
                    need.implication_line if reached == "implication" else need.payoff_line
                )
        if named is not None:
            return self._elaborate(state, named, speaker)
        if move == "ask_implication":
            fresh = revealable("ask_implication")
            if fresh is not None:
                state.needs[fresh.id] = "implication"
                return speaker.tell(f"{fresh.line}{fresh.implication_line}")
        if revealed:
            return self._elaborate(state, revealed[-1], speaker)
        return speaker.say("not_thought")

    def _elaborate(self, state: CustomerState, need: HiddenNeed, speaker: Speaker) -> str:
        """Asked again about a need he told: more about it, or what he said, said again."""
        more = [line for line in need.elaboration if not speaker.said_before(speaker.cut(line))]
        if more:
            return speaker.tell(more[0])
        stage = state.needs.get(need.id, "problem")
        line = {"problem": need.line, "implication": need.implication_line}.get(
            stage, need.payoff_line
        )
        return f"{self._methodology.topics.already_told}{speaker.cut(line)}"

    def _hear_pitch(
        self,
        state: CustomerState,
        scenario: Scenario,
        assessment: TurnAssessment,
        move: str | None,
        speaker: Speaker,
    ) -> str:
        """M5: a benefit or proof that answers a need he told gets a reaction about that need;
        a pitch before any need is pushed back; the price worry (M6) comes when price is
        talked about or with the second pitch, not with the first sentence about the product."""
        replies, cues = scenario.replies, assessment.cues
        if not state.needs and move != "give_evidence":
            state.trust = _clamp(state.trust - 5)
            return speaker.say("pitch_too_early", replies.pitch_too_early)
        state.proposals += 1
        told = [need for need in scenario.hidden_needs if need.id in state.needs]
        need = need_named(assessment.text, told)
        if need is not None and need.id not in state.addressed:
            state.addressed.append(need.id)
            return speaker.say(self._proof_kind(assessment), need=need.spoken)
        talks_price = any(word in normalize(assessment.text) for word in PRICE_WORDS)
        if talks_price and cues.acknowledge_pivot:  # the price worry met before he voices it
            forestalled = self._forestall(state, scenario, "price")
            if forestalled is not None:
                speaker.note("answered_objection")
                return speaker.say("objection_eased", [forestalled])
        if talks_price or state.proposals >= 2:
            upcoming = self._next_objection(state, scenario, "proposal")
            if upcoming == "price" and not talks_price and not state.asked_price:
                state.asked_price = True  # he asks the price before he finds it too high
                return speaker.say("price_question")
            raised = self._raise_objection(state, scenario, "proposal", speaker)
            if raised:
                return raised
        if need is None and move != "give_evidence":
            waiting = [n for n in told if n.id not in state.addressed]
            if waiting:
                return speaker.say("pitch_off_need", need=waiting[0].spoken)
        if cues.has_evidence:
            return speaker.say("evidence", replies.evidence)
        return speaker.say("suggestion", replies.suggestion)

    def _proof_kind(self, assessment: TurnAssessment) -> str:
        """How a benefit for a need he told lands (M5 B/E): as another customer's story when
        it names one (a case, a reference, a visit), as proof when it gives figures or a
        report, else as a benefit."""
        cues = assessment.cues
        case_words = self._methodology.cues.case_evidence
        if cues.references or any(word in case_words for word in cues.evidence):
            return "case_for_need"
        return "evidence_for_need" if cues.has_evidence else "benefit_for_need"

    @staticmethod
    def _forestall(state: CustomerState, scenario: Scenario, kind: str) -> str | None:
        """M6: a rep who acknowledges a concern before it is voiced ("是的,单价是高一些,可是……")
        has answered it; the customer does not raise it afterwards."""
        for objection in scenario.objections:
            if objection.type == kind and objection.type not in state.objections_raised:
                state.objections_raised.append(objection.type)
                state.trust = _clamp(state.trust + 4)
                return objection.answered_line
        return None

    @staticmethod
    def _next_objection(state: CustomerState, scenario: Scenario, moment: str) -> str | None:
        """The type of the objection he would raise next at `moment`, if any."""
        return next(
            (
                objection.type
                for objection in scenario.objections
                if objection.surfaces == moment and objection.type not in state.objections_raised
            ),
            None,
        )

    @staticmethod
    def _raise_objection(
        state: CustomerState, scenario: Scenario, moment: str, speaker: Speaker
    ) -> str | None:
        for objection in scenario.objections:
            if objection.surfaces == moment and objection.type not in state.objections_raised:
                state.objections_raised.append(objection.type)
                state.open_objection = objection.type
                speaker.note("objection")
                return objection.line
        return None

    def _answer_to_objection(
        self,
        state: CustomerState,
        scenario: Scenario,
        assessment: TurnAssessment,
        speaker: Speaker,
    ) -> str | None:
        """M6: acknowledged (and answered with a reason or a question) -> the concern eases.
        A concrete answer without the acknowledgement (a case, figures, a report, a plan the
        NLU reads as handling it) eases it too, as it would a person, for less trust."""
        cues = assessment.cues
        objection = next(o for o in scenario.objections if o.type == state.open_objection)
        acknowledged = cues.acknowledge_pivot or (
            cues.acknowledge and (cues.has_evidence or cues.question)
        )
        substance = not cues.over_promise and (
            assessment.move == "handle_objection" or cues.has_evidence
        )
        if objection.type == "price" and not self._about_price(assessment):
            # "是的,时间确实紧,可是我们有加急通道" answers another worry: the price one
            # stays open (M6: answer the concern he raised).
            return None
        if acknowledged or substance:
            state.open_objection = None
            state.trust = _clamp(state.trust + (8 if acknowledged else 4))
            speaker.note("answered_objection")
            return speaker.say("objection_eased", [objection.answered_line])
        return None

    @staticmethod
    def _about_price(assessment: TurnAssessment) -> bool:
        """The line speaks of the price: its words, the customer's own (贵, 便宜), or figures."""
        text = normalize(assessment.text)
        cues = assessment.cues
        return (
            any(word in text for word in PRICE_WORDS)
            or "price" in cues.objections
            or bool(cues.quantities)
        )

    def _consider_close(self, state: CustomerState, scenario: Scenario, speaker: Speaker) -> str:
        """M7.1: yes only when enough needs are out, confirmed, trusted and nothing is open;
        otherwise he puts it off, saying what is missing. A close before any need is out is
        put off as such, not met with the worries of a buyer who is close to deciding."""
        conditions = scenario.close
        if state.needs and state.trust < TRUST_WITHOUT_MORE_OBJECTIONS:
            raised = self._raise_objection(state, scenario, "closing", speaker)
            if raised:
                return raised
        enough = len(state.needs) >= conditions.min_needs_revealed
        confirmed = state.confirmed or not conditions.requires_confirmation
        if enough and confirmed and state.trust >= conditions.min_trust:
            state.outcome = "signed"
            speaker.note("accepted")
            return conditions.accepted_line
        state.stalls += 1
        if not state.needs:
            situation = "stall_no_needs"
        elif not enough or not confirmed:
            situation = "stall_not_confirmed"
        else:
            situation = "stall_low_trust"
        return speaker.say(situation, [conditions.stall_line])


def _unintelligible(text: str) -> bool:
    """Emoji, punctuation or keyboard mash only: no Chinese and no English word."""
    folded = normalize(text).lower()
    if _CHINESE.search(folded):
        return False
    return not _LATIN_WORD.search(folded) or bool(_KEYBOARD_MASH.search(folded))


def _offered_times(text: str) -> list[str]:
    """The days or times a line offers when it asks "A还是B" ("周三下午还是周四上午?")."""
    folded = normalize(text)
    if "还是" not in folded:
        return []
    return times_in(folded)


def _needs_left(state: CustomerState, scenario: Scenario, question: str) -> bool:
    """Whether `question` would still bring out a need he has not told."""
    return any(question in n.revealed_by and n.id not in state.needs for n in scenario.hidden_needs)


def _answered_move(assessment: TurnAssessment) -> str | None:
    """The move the customer answers: the line's main move, unless that only opens ("王总您好,
    ……") and the line goes on to ask, pitch or close; then what came after the opening, as
    a person answers the question at the end of a greeting. A thank-you after a greeting
    ("谢谢您抽时间见我") is part of the opening, not a goodbye. When the NLU was too unsure
    to score the line, its best guess: a person answers what he probably heard."""
    further = [
        move
        for move in assessment.moves
        if move not in OPENING_MOVES and not (move == "thank_and_leave" and move != assessment.move)
    ]
    if (assessment.move is None or assessment.move in OPENING_MOVES) and further:
        return further[-1]
    if further and further[-1] in QUESTION_MOVES and assessment.cues.question:
        return further[-1]  # "我们做过三十多个项目……想先听听您这边的情况?" asks
    if assessment.move or assessment.moves:
        return assessment.move or assessment.moves[-1]
    # A guess is answered as a question or a remark, never taken as a close he would have to
    # accept or put off ("婚礼是在室内还是户外?" is not an alternative close).
    guess = assessment.heard
    return None if guess in CLOSE_MOVES else guess
