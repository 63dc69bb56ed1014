"""Linguistic cues in one sentence, found by spaCy rules over jieba-segmented Chinese.

The scorer needs facts a trainer can check by eye: is it a question, does it acknowledge and
then pivot (M6), does it argue, cite evidence or over-promise (M5), does it talk about the
customer or about us (M1). Those come from word lists in `cues.yml` and the methodology files,
matched as whole words with `PhraseMatcher`/`Matcher`, so "不对称" is not the arguing word
"不对". The segmenter is jieba with the project dictionary, as in the NLU pipeline.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field

import jieba
import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from bot.language.quantities import find_quantities
from bot.language.text import normalize
from bot.methodology import KNOWLEDGE_DIRECTORY, Methodology

DICTIONARY_DIRECTORY = KNOWLEDGE_DIRECTORY / "dictionary"
BASHING_REACH = 2  # the clause naming the others and the one after it
_CLAUSE_END = re.compile(r"[,.!?;:。,!?;:~\s]+")
_QUESTION_END = re.compile(r"[??]\s*[)\])]*\s*$|[吗呢][\s.!~]*$")
_SENTENCE_END = re.compile(r"(?<=[.!?;])")
# "您觉得怎么样?" checks how a pitch landed; it discovers nothing (M4).
_CHECK_QUESTION = re.compile(
    r"(?:您|你)(?:看|觉得)(?:这个)?(?:怎么样|如何|呢|行吗|可以吗|好吗)[?]?$"
)
# A restatement asks whether it is right even when closed by a full stop.
_ASKS_IF_RIGHT = re.compile(r"是否准确|对不对|对吗|对吧|没错吧|是不是这样")
# Requests to tell something ask as a question does, whatever ends the sentence.
_REQUESTS = ("您说说", "您讲讲", "您聊聊", "跟我说说", "给我讲讲", "给我说说", "请教", "想了解")
# One-character acknowledgements ("对,……" "是,……") only count at the start of a sentence;
# elsewhere they are ordinary words (用的"是", "对"交货期的影响).
_SHORT_ACKNOWLEDGEMENT_REACH = 2
_GUARANTEE = re.compile(
    r"(?:保证|保障|承诺)\s*(?:100|百分之百)\s*%?|(?:100\s*%|百分之百)\s*(?:保证|没问题)"
)

# Phrase lists matched as token sequences, by label.
_PHRASE_LISTS = (
    "rude",
    "acknowledge",
    "pivot",
    "question_words",
    "evidence",
    "customer_address",
    "self_address",
    "assumed_need",
    "next_step_actions",
    "time_words",
    "results",
    "reassurance",
    "recognition",
    "vision",
    "vague",
    "process",
    "in_writing",
)


@dataclass
class Cues:
    """What one sentence contains; every list holds the words as the rep wrote them."""

    length: int
    question: bool
    acknowledge: list[str] = field(default_factory=list)
    pivot: list[str] = field(default_factory=list)
    acknowledge_pivot: bool = False
    arguing: list[str] = field(default_factory=list)
    over_promise: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    quantities: list[str] = field(default_factory=list)
    customer_address: int = 0
    self_address: int = 0
    assumed_need: list[str] = field(default_factory=list)
    next_step: bool = False
    timed: bool = False  # names a day or a time (下周三上午, 周五10点)
    results: list[str] = field(default_factory=list)
    reassurance: list[str] = field(default_factory=list)
    recognition: list[str] = field(default_factory=list)
    vision: list[str] = field(default_factory=list)
    vague: list[str] = field(default_factory=list)
    rude: list[str] = field(default_factory=list)  # insults, condescension (M1)
    competitor_bashing: list[str] = field(default_factory=list)  # clauses running others down
    process: list[str] = field(default_factory=list)
    in_writing: list[str] = field(default_factory=list)
    objections: list[str] = field(default_factory=list)
    agrees: bool = False
    # Customer concerns and agreement are single characters and short phrases (贵, 太贵了,
    # 签吧) that jieba glues to their neighbours, so they are found as substrings.
    content_words: list[str] = field(default_factory=list)
    # The sentences that ask something, and what kind of question the words make of them
    # (M4: "confirm", "N", "I", "P", "S"), for a line the NLU is unsure of.
    asked: list[str] = field(default_factory=list)
    question_kind: str | None = None
    concession: list[str] = field(default_factory=list)  # a price cut or gift offered (M6)
    dismisses: bool = False  # the customer sends the rep away or puts him off (M7)
    unbacked_claims: list[str] = field(default_factory=list)  # claims with nothing to check

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence or self.references or self.quantities)

    @property
    def spoils_trust(self) -> bool:
        """An insult, a swipe at the others or a promise nobody can keep in the line: what
        else it says earns no credit for proof or reassurance (M1, M5)."""
        return bool(self.rude or self.competitor_bashing or self.over_promise)

    def to_dict(self) -> dict:
        """The cues a person would want to see, without empty entries."""
        shown = {key: value for key, value in asdict(self).items() if value not in ([], 0, False)}
        shown.pop("content_words", None)
        shown.pop("asked", None)
        shown["length"] = self.length
        shown["question"] = self.question
        return shown


# A date, day or hour however jieba cuts it (10号, 3点, 下周三下午, 星期五, 明天上午).
_TIME_MENTION = re.compile(
    r"(?:下下?|这|本)?(?:周|星期|礼拜)[一二三四五六日天](?:[上下]午|晚上)?"
    r"|(?:明天|后天)(?:[上下]午|晚上)?|(?:[上下]午)?\d+\s*[号点日](?:[上下]午)?"
)


def times_in(text: str) -> list[str]:
    """The dates, days and hours a line names, in order, each once (M7: a concrete step)."""
    return list(dict.fromkeys(match.group() for match in _TIME_MENTION.finditer(text)))


def _positions(text: str, phrase: str) -> list[int]:
    """Where `phrase` starts in `text`, every time."""
    return [match.start() for match in re.finditer(re.escape(phrase), text)]


def _tag_question(doc: Doc, start: int, word: str) -> bool:
    """ "对不对?" asks the customer to confirm; its 不对 is not a rep saying he is wrong."""
    return word == "不对" and start > 0 and doc[start - 1].text.endswith("对")


class CueFinder:
    """One spaCy pipeline and its matchers, built from the methodology's word lists.

    Building it loads jieba's dictionary (about a second), so it is created once by the
    scorer's start-up, never at import. It segments with its own jieba tokenizer: the extra
    cue words added here must not change how Rasa's JiebaTokenizer (the global jieba) splits
    text when the NLU model runs in the same process, as in `python -m bot score`.
    """

    def __init__(self, methodology: Methodology) -> None:
        jieba.setLogLevel(logging.WARNING)
        segmenter = jieba.Tokenizer()
        for dictionary in sorted(DICTIONARY_DIRECTORY.glob("*.txt")):
            segmenter.load_userdict(str(dictionary))
        cues = methodology.cues
        extra_words = [
            *methodology.objections.arguing_words,
            *methodology.fabe.over_promising_words,
            *cues.acknowledge,
            *cues.pivot,
            *cues.assumed_need,
            *cues.rude,
        ]
        for word in extra_words:
            segmenter.add_word(word, freq=2000)
        self._nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        self._nlp.tokenizer.jieba_seg = segmenter  # type: ignore[union-attr]  # spaCy's zh tokenizer
        self._phrases = PhraseMatcher(self._nlp.vocab)  # type: ignore[call-arg]  # attr has a default
        lists = {name: getattr(cues, name) for name in _PHRASE_LISTS}
        lists["arguing"] = methodology.objections.arguing_words
        lists["over_promise"] = methodology.fabe.over_promising_words
        self._customer_objections = {
            kind: [normalize(word) for word in words]
            for kind, words in cues.customer_objections.items()
        }
        self._customer_agrees = [normalize(word) for word in cues.customer_agrees]
        self._competitor_refs = [normalize(word) for word in cues.competitor_refs]
        self._disparaging = [normalize(word) for word in cues.disparaging]
        self._negation = [normalize(word) for word in cues.negation]
        self._negation_exceptions = [normalize(word) for word in cues.negation_exceptions]
        self._spin_words = {
            kind: [normalize(word) for word in getattr(cues.spin_words, kind)]
            for kind in type(cues.spin_words).__fields__
        }
        self._self_address = [normalize(word) for word in cues.self_address]
        self._concession = [normalize(word) for word in cues.concession]
        self._dismisses = [normalize(word) for word in cues.customer_dismisses]
        self._unbacked = [normalize(word) for word in cues.unbacked_claims]
        self._requests = _REQUESTS
        self._time_words = [normalize(word) for word in cues.time_words if len(word) >= 2]
        self._promise_exceptions = [normalize(word) for word in cues.promise_exceptions]
        for label, words in lists.items():
            self._phrases.add(label, [self._nlp.make_doc(normalize(word)) for word in words])
        self._organisations = Matcher(self._nlp.vocab)
        suffixes = "|".join(map(re.escape, cues.organisation_suffixes))
        # "青岛银行" may be one token or two (青岛 / 银行) depending on jieba's dictionary.
        self._organisations.add(
            "reference",
            [
                [{"TEXT": {"REGEX": rf"^[\u4e00-\u9fffA-Za-z]{{2,8}}(?:{suffixes})$"}}],
                [
                    {"TEXT": {"REGEX": r"^[\u4e00-\u9fffA-Za-z]{2,8}$"}},
                    {"TEXT": {"IN": list(cues.organisation_words)}},
                ],
            ],
        )
        self._not_a_reference = tuple(cues.not_a_reference)
        self._self_introduction = frozenset(cues.self_introduction)

    def _negated(self, doc: Doc, start: int) -> bool:
        """The clause around token `start` says the thing is not there ("数据我没带")."""
        left = start
        while left > 0 and not doc[left - 1].is_punct:
            left -= 1
        right = start
        while right < len(doc) and not doc[right].is_punct:
            right += 1
        clause = doc[left:right].text
        for phrase in self._negation_exceptions:
            clause = clause.replace(phrase, "")
        return any(word in clause for word in self._negation)

    def _bashing(self, text: str) -> list[str]:
        """M6: a clause that names the others, run down in it or in the next clause ("那家
        我知道,做一个项目烂一个"), as the rep wrote them."""
        clauses = [clause for clause in _CLAUSE_END.split(text) if clause]
        found = []
        for index, clause in enumerate(clauses):
            if not any(ref in clause for ref in self._competitor_refs):
                continue
            said = "".join(clauses[index : index + BASHING_REACH])
            if any(word in said for word in self._disparaging):
                found.append(said)
        return found

    def _asked(self, text: str) -> list[str]:
        """The sentences of `text` that ask the customer something: ending in a question
        mark or 吗/呢, or carrying an open question word."""
        sentences = [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
        return [
            sentence
            for sentence in sentences
            if _QUESTION_END.search(sentence)
            or any(word in sentence for word in self._requests)
            # A question word in a sentence closed as a statement ("什么时候都能用。") asks
            # nothing.
            or (
                not sentence.endswith((".", "!"))
                and any(word in sentence for word in self._spin_words["situation"])
            )
        ]

    def _question_kind(self, text: str, asked: list[str]) -> str | None:
        """M4's typical forms: restating needs and asking if that is right (M4.4), then a
        solution imagined and its value asked (N), consequences (I), difficulties (P), any
        other open question about the customer (S). A question about ourselves ("您知道我们
        的优势是什么吗?") is no discovery question."""
        words = self._spin_words
        restates = any(word in text for word in words["confirm"])
        if restates and (asked or _ASKS_IF_RIGHT.search(text)):
            return "confirm"  # "我归纳一下,您看是否准确:一……二……。"
        if not asked:
            return None
        about_customer = [
            sentence
            for sentence in asked
            if not any(word in sentence for word in self._self_address)
            and not _CHECK_QUESTION.search(sentence)
        ]

        def said(kind: str) -> bool:
            return any(word in sentence for sentence in about_customer for word in words[kind])

        if said("need_payoff_if") and said("need_payoff"):
            return "N"
        for kind in ("implication", "problem"):
            if said(kind):
                return kind[0].upper()
        return "S" if said("situation") else None

    def tokens(self, text: str) -> Doc:
        return self._nlp.make_doc(normalize(text))

    def find(self, text: str) -> Cues:
        doc = self.tokens(text)
        clean = doc.text.strip()
        found: dict[str, list[tuple[int, str]]] = {}
        for label_id, start, end in self._phrases(doc):
            label = self._nlp.vocab.strings[label_id]
            found.setdefault(label, []).append((start, doc[start:end].text))

        def words(label: str) -> list[str]:
            return [word for _, word in found.get(label, [])]

        acknowledgements = [
            (position, word)
            for position, word in found.get("acknowledge", [])
            if len(word) > 1 or position < _SHORT_ACKNOWLEDGEMENT_REACH
        ]
        pivots = found.get("pivot", [])
        first_ack = min((position for position, _ in acknowledgements), default=None)
        acknowledge_pivot = first_ack is not None and any(
            position > first_ack for position, _ in pivots
        )
        excepted = [
            (found_at, found_at + len(phrase))
            for phrase in self._promise_exceptions
            for found_at in _positions(doc.text, phrase)
        ]
        found["over_promise"] = [
            (start, word)
            for start, word in found.get("over_promise", [])
            if not any(a <= doc[start].idx < b for a, b in excepted)
        ]
        promise_spans = [
            (doc[start].idx, doc[start].idx + len(word))
            for start, word in found.get("over_promise", [])
        ] + [match.span() for match in _GUARANTEE.finditer(doc.text)]
        over_promise = list(
            dict.fromkeys(words("over_promise") + [doc.text[a:b] for a, b in promise_spans])
        )
        # "保证百分之百" is a promise, not a figure: its number is not evidence.
        quantities = [
            q.value
            for q in find_quantities(doc.text)
            if q.entity != "quiz_answer"
            and not any(q.start < end and start < q.end for start, end in promise_spans)
        ]
        references = list(
            dict.fromkeys(
                doc[start:end].text
                for _, start, end in self._organisations(doc)
                if not doc[start:end].text.startswith(self._not_a_reference)
                and (start == 0 or doc[start - 1].text not in self._self_introduction)
            )
        )
        asked = self._asked(doc.text)
        has_action = bool(found.get("next_step_actions"))
        has_time = bool(found.get("time_words")) or bool(_TIME_MENTION.search(doc.text))
        return Cues(
            length=len(re.sub(r"\s", "", clean)),
            question=bool(_QUESTION_END.search(clean)) or bool(found.get("question_words")),
            acknowledge=[word for _, word in acknowledgements],
            pivot=words("pivot"),
            acknowledge_pivot=acknowledge_pivot,
            arguing=[
                word
                for start, word in found.get("arguing", [])
                if not _tag_question(doc, start, word)
            ],
            over_promise=over_promise,
            evidence=[
                word for start, word in found.get("evidence", []) if not self._negated(doc, start)
            ],
            references=references,
            quantities=quantities,
            customer_address=len(found.get("customer_address", [])),
            self_address=len(found.get("self_address", [])),
            assumed_need=words("assumed_need"),
            next_step=has_action and has_time,
            # A day said inside a longer word (下周初, 这周内) names the time all the same.
            timed=has_time or any(word in doc.text for word in self._time_words),
            results=words("results"),
            reassurance=words("reassurance"),
            recognition=words("recognition"),
            vision=words("vision"),
            vague=words("vague"),
            rude=words("rude"),
            process=words("process"),
            in_writing=words("in_writing"),
            objections=sorted(
                kind
                for kind, words in self._customer_objections.items()
                if any(word in doc.text for word in words)
            ),
            agrees=any(word in doc.text for word in self._customer_agrees),
            competitor_bashing=self._bashing(doc.text),
            asked=asked,
            question_kind=self._question_kind(doc.text, asked),
            concession=[word for word in self._concession if word in doc.text],
            dismisses=any(word in doc.text for word in self._dismisses),
            unbacked_claims=[word for word in self._unbacked if word in doc.text],
            content_words=[
                token.text
                for token in doc
                if len(token.text) >= 2 and not token.is_punct and not token.like_num
            ],
        )
