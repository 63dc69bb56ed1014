"""Scored sample role-plays for the web app's tests and benchmark: real reports from the real
scorer (moves given, as Rasa would give them), stored through the same Storage calls the
action server makes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.storage import Storage
from bot.adapters.storage.records import NewSession
from bot.scoring import Scorer
from bot.scoring.report import build_report
from bot.scoring.transcript import Turn

OPENING = "嗯,你好。有什么事直接说,我十点还有个会。"
# (rep sentence, its move, the customer's answer)
CONSULTATIVE = [
    ("王厂长您好,我是XX喷码的小李,就占用您十分钟。", "greet", "好,你说。"),
    ("贵厂现在几条线在用喷码机?", "ask_situation", "三条线,十二台喷码机,用了五年了。"),
    ("用下来有没有让您头疼的地方?", "ask_problem", "最烦的是喷头老堵,一堵就得停线。"),
    ("停一次线,对交货有什么影响?", "ask_implication", "旺季停一次线,一天的货就交不上。"),
    ("如果不用再停线,对您旺季交货有什么帮助?", "ask_need_payoff", "那当然好,能多出不少货。"),
    ("我确认一下,您最关心的是少停机和码要清晰,对吗?", "confirm_understanding", "对。"),
    (
        "按您说的停线损失算,换新喷头一年能少停机六十小时,省下十五万元。",
        "present_benefit",
        "听起来不错,不过价格比现在的贵吧?",
    ),
    (
        "是的,单价确实高一些,可是三年总成本反而低20%,我给您算一笔账?",
        "handle_objection",
        "行,你算给我看看。",
    ),
    ("那设备先装在一号线,您看下周一还是周三方便?", "close_alternative", "下周三吧。"),
    ("好的,周三上午我带工程师过来,先装一号线试用。", "propose_next_step", "可以。"),
]
PITCHING = [
    ("王总您好,今天天气真不错啊,路上一点都不堵。", "small_talk", "嗯。有事吗?"),
    ("我们公司是行业领先的喷码机厂家,产品有十几个系列。", "present_product", "我们有设备了。"),
    ("我们的喷码机质量绝对没问题,保证百分之百满意。", "present_product", "谁都这么说。"),
    ("这个价格只到月底,您今天就把合同签了吧。", "close_scarcity", "不用了,我还有会。"),
]


@dataclass(frozen=True)
class Visit:
    scenario: str
    persona: str
    turns: list[dict]  # the customer's opening, then rep and customer alternately
    assessments: list[dict]  # one per rep turn, as stored beside it
    report: dict
    outcome: str


def scored_visit(scorer: Scorer, persona: str, lines: list[tuple[str, str, str]]) -> Visit:
    """A visit to the inkjet factory scored turn by turn, as the action server scores it."""
    session = scorer.start("inkjet_factory", persona)
    turns = [{"speaker": "customer", "text": OPENING}]
    session.add(Turn.parse_obj(turns[0]))
    assessments = []
    for text, move, answer in lines:
        rep = {"speaker": "rep", "text": text, "move": move, "confidence": 0.93}
        assessment = session.add(Turn.parse_obj(rep))
        assessments.append(
            {
                "step": assessment.step,
                "changes": assessment.changes(),
                "notes": [note.to_dict() for note in assessment.notes],
                "feedback": assessment.feedback,
            }
        )
        customer = {"speaker": "customer", "text": answer}
        session.add(Turn.parse_obj(customer))
        turns += [rep, customer]
    report = build_report(scorer.methodology, session.finish())
    outcome = "signed" if lines is CONSULTATIVE else "lost"
    return Visit("inkjet_factory", persona, turns, assessments, report, outcome)


def store_visit(
    storage: Storage, user_id: int, session_id: str, visit: Visit, finished: bool = True
) -> None:
    """The visit written as the action server writes it: start, opening, each exchange, end."""
    storage.start_roleplay(
        NewSession(
            session_id, user_id, f"sample-{user_id}", "rest", visit.scenario, visit.persona, 1
        )
    )
    storage.record_opening(session_id, visit.turns[0])
    for index, assessment in enumerate(visit.assessments):
        position = 1 + 2 * index
        storage.record_exchange(
            session_id, position, visit.turns[position : position + 2], assessment
        )
    if finished:
        storage.finish_roleplay(session_id, visit.outcome, visit.report)
