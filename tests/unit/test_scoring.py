"""Scoring rules on transcripts whose moves are already known (as in a live role-play, where
Rasa classified each message), so these run without a trained model."""

from __future__ import annotations

import json

import pytest

from bot.methodology import DIMENSIONS
from bot.scoring import Transcript, TranscriptError, render_markdown, score_transcript
from bot.scoring.report import build_report
from bot.scoring.transcript import parse_transcript, read_transcripts


def transcript(persona: str, *turns: tuple[str, str, str | None]) -> Transcript:
    """Turns as (speaker, text, move); customer turns have no move."""
    return Transcript(
        scenario="inkjet_factory",
        persona=persona,
        turns=[
            {"speaker": speaker, "text": text, **({"move": move} if move else {})}
            for speaker, text, move in turns
        ],
    )


def rules_on(report: dict, turn_index: int) -> list[str]:
    turn = next(t for t in report["turns"] if t["index"] == turn_index)
    return [note["rule"] for note in turn["notes"]]


CONSULTATIVE = (
    ("rep", "王总您好,我是XX喷码的小李。", "greet"),
    ("customer", "你好。", None),
    ("rep", "贵厂现在用的是哪家的喷码机?", "ask_situation"),
    ("customer", "用了五年的老设备。", None),
    ("rep", "用下来有没有让您头疼的地方?", "ask_problem"),
    ("customer", "喷头老堵,经常停线。", None),
    ("rep", "停线一次对交货期有什么影响?", "ask_implication"),
    ("customer", "订单赶不上,客户投诉。", None),
    ("rep", "我确认一下,您最关心的是少停机,对吗?", "confirm_understanding"),
    ("customer", "对。", None),
    ("rep", "按您说的停线算,换新喷头一年能少停机六十小时,省下十五万元。", "present_benefit"),
    ("customer", "听起来不错。", None),
    ("rep", "下周二我带样机来产线做现场测试,您看方便吗?", "propose_next_step"),
)


def test_report_has_the_documented_shape(scorer, methodology) -> None:
    report = score_transcript(scorer, methodology, transcript("tiger", *CONSULTATIVE))
    assert set(report["dimensions"]) == set(DIMENSIONS)
    for dimension in report["dimensions"].values():
        assert 0 <= dimension["score"] <= 100
        assert "M" in dimension["explanation"] or not dimension["observed"]
    assert 0 <= report["overall"] <= 100
    assert len(report["turns"]) == 7
    assert all(turn["feedback"] for turn in report["turns"])
    assert report["spin"]["order"] == "S→P→I"
    assert [segment["step"] for segment in report["timeline"]] == [
        "rapport",
        "discovery",
        "proposal",
        "closing",
    ]
    json.dumps(report, ensure_ascii=False)


def test_scoring_is_deterministic(scorer, methodology) -> None:
    first = score_transcript(scorer, methodology, transcript("owl", *CONSULTATIVE))
    second = score_transcript(scorer, methodology, transcript("owl", *CONSULTATIVE))
    assert first == second


def test_pitch_before_any_question_is_flagged(scorer, methodology) -> None:
    report = score_transcript(
        scorer,
        methodology,
        transcript(
            "tiger",
            ("rep", "王总您好。", "greet"),
            ("customer", "你好。", None),
            ("rep", "我们的喷码机采用最新喷头,速度很快。", "present_product"),
        ),
    )
    assert {"flow.pitch_before_discovery", "spin.tell_before_ask"} <= set(rules_on(report, 2))
    assert report["turns"][1]["changes"]["visit_flow"] < 0
    assert "M2" in report["turns"][1]["feedback"] or "M4.1" in report["turns"][1]["feedback"]


def test_spin_out_of_order_and_confirmation(scorer, methodology) -> None:
    report = score_transcript(
        scorer,
        methodology,
        transcript(
            "koala",
            ("rep", "如果停机少一半,对您有什么帮助?", "ask_need_payoff"),
            ("customer", "帮助挺大。", None),
            ("rep", "我确认一下,您要的是少停机,对吗?", "confirm_understanding"),
        ),
    )
    assert "spin.out_of_order" in rules_on(report, 0)
    assert "spin.confirm" in rules_on(report, 2)


def test_objection_answer_is_judged_on_the_turn_after_the_customer_raises_it(
    scorer, methodology
) -> None:
    report = score_transcript(
        scorer,
        methodology,
        transcript(
            "owl",
            ("rep", "贵厂现在停机多吗?", "ask_problem"),
            ("customer", "你们太贵了。", None),
            ("rep", "是的,单价确实高,可是三年总成本低20%,您看这份测算?", "handle_objection"),
        ),
    )
    assert {"objection.acknowledge_pivot", "objection.clarify"} <= set(rules_on(report, 2))
    assert report["objections"][0]["kinds"] == ["price"]
    assert report["objections"][0]["handling"] == "acknowledged_and_pivoted"
    assert report["dimensions"]["objection_handling"]["observed"]


def test_no_objection_means_objection_handling_does_not_count(scorer, methodology) -> None:
    report = score_transcript(scorer, methodology, transcript("tiger", *CONSULTATIVE))
    assert not report["dimensions"]["objection_handling"]["observed"]
    assert "未评" in report["dimensions"]["objection_handling"]["explanation"]


def test_ignoring_an_objection_makes_the_next_close_premature(scorer, methodology) -> None:
    report = score_transcript(
        scorer,
        methodology,
        transcript(
            "tiger",
            *CONSULTATIVE[:10],
            ("customer", "不过你们太贵了。", None),
            ("rep", "那设备您希望发到哪个厂区?", "close_assumptive"),
        ),
    )
    assert {"objection.ignored", "closing.premature"} <= set(rules_on(report, 11))
    assert report["closing_attempts"][0]["timing"] == "premature"


def test_pressure_close_counts_against_fit_only_for_cautious_personas(scorer, methodology) -> None:
    turns = (*CONSULTATIVE[:10], ("rep", "这个价格只到月底,下个月就涨了。", "close_urgency"))
    for persona, penalised in (("koala", True), ("owl", True), ("tiger", False)):
        report = score_transcript(scorer, methodology, transcript(persona, *turns))
        assert ("disc.pressure_on_cautious" in rules_on(report, 10)) is penalised, persona
        assert "closing.high_pressure" in rules_on(report, 10)


def test_caps_stop_repetition_from_inflating_a_score(scorer, methodology) -> None:
    many = [("rep", f"还有哪些地方让您头疼{i}?", "ask_problem") for i in range(10)]
    report = score_transcript(scorer, methodology, transcript("owl", *many))
    cap = methodology.scoring.rules["spin.problem"].cap
    gained = sum(t["changes"]["spin"] for t in report["turns"])
    assert gained == cap


def test_improvements_come_with_a_better_sentence_for_the_scenario(scorer, methodology) -> None:
    pitch = transcript(
        "tiger",
        ("rep", "我们的喷码机采用最新喷头,速度很快。", "present_product"),
        ("customer", "哦。", None),
        ("rep", "我们的墨水也是进口的。", "present_product"),
    )
    report = score_transcript(scorer, methodology, pitch)
    assert len(report["improvements"]) >= 2
    sentences = methodology.better_sentences
    rep_lines = {0: "我们的喷码机采用最新喷头,速度很快。", 2: "我们的墨水也是进口的。"}
    for improvement in report["improvements"]:
        assert improvement["better_sentence"]
        assert improvement["quotes"]  # every point quotes the turns it is about
        assert all(rep_lines[q["turn"]] == q["text"] for q in improvement["quotes"])
        key = methodology.scoring.rules[improvement["rule"]].better
        # Without the scenario's scene the sentence is the key's generic one (its last).
        assert improvement["better_sentence"] == sentences[key][-1]


def test_unknown_scenario_scores_with_generic_sentences(scorer, methodology) -> None:
    generic = Transcript(
        scenario="hospital_beds",
        persona="koala",
        turns=[{"speaker": "rep", "text": "我们的床很好。", "move": "present_product"}],
    )
    report = score_transcript(scorer, methodology, generic)
    better = [i["better_sentence"] for i in report["improvements"] if "better_sentence" in i]
    generic_sentences = {s[-1] for s in methodology.better_sentences.values()}
    assert better and set(better) <= generic_sentences


def test_self_check_ticks_only_what_the_transcript_shows(scorer, methodology) -> None:
    report = score_transcript(scorer, methodology, transcript("tiger", *CONSULTATIVE))
    status = {item["id"]: item["status"] for item in report["self_check"]}
    assert status["agree_next_step"] == "done"
    assert status["ask_before_tell"] == "done"
    assert status["converted_to_value"] == "done"
    assert status["know_role"] == "not_observable"
    assert status["clarify_vague"] == "not_applicable"


def test_markdown_report_is_chinese_and_complete(scorer, methodology) -> None:
    report = score_transcript(scorer, methodology, transcript("tiger", *CONSULTATIVE))
    markdown = render_markdown(methodology, report)
    for heading in ("# 销售陪练评分报告", "## 六项得分", "## 最值得改进的几点", "## 逐句点评"):
        assert heading in markdown
    assert f"总分:{report['overall']}" in markdown
    assert "老虎型" in markdown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"persona": "lion", "turns": [{"speaker": "rep", "text": "你好"}]}, "persona"),
        ({"persona": "owl", "turns": [{"speaker": "customer", "text": "你好"}]}, "rep"),
        ({"persona": "owl", "turns": [{"speaker": "rep", "text": "   "}]}, "text"),
        ({"persona": "owl"}, "turns"),
        (["not", "an", "object"], "JSON 对象"),
    ],
)
def test_malformed_transcripts_say_what_is_wrong(data, message: str) -> None:
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(data, "visit.json")


def test_malformed_files_name_file_and_line(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"persona": "owl", "turns": [', encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"broken\.json: 第 1 行"):
        read_transcripts(broken)
    batch = tmp_path / "batch.jsonl"
    good = json.dumps({"persona": "owl", "turns": [{"speaker": "rep", "text": "你好"}]})
    batch.write_text(f"{good}\n\n{{oops\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"batch\.jsonl:3"):
        read_transcripts(batch)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TranscriptError, match="UTF-8"):
        read_transcripts(binary)
    with pytest.raises(TranscriptError, match="不存在"):
        read_transcripts(tmp_path / "missing.json")


def test_turn_by_turn_scoring_matches_scoring_the_whole_transcript(scorer, methodology) -> None:
    whole = transcript("peacock", *CONSULTATIVE)
    session = scorer.start("inkjet_factory", "peacock")
    live = [session.add(turn) for turn in whole.turns]
    assert [a.index for a in live if a is not None] == [0, 2, 4, 6, 8, 10, 12]
    assert build_report(methodology, session.finish()) == score_transcript(
        scorer, methodology, whole
    )


def test_a_statement_is_not_credited_as_a_spin_question(scorer, methodology) -> None:
    report = score_transcript(
        scorer,
        methodology,
        transcript("owl", ("rep", "我们绝对比其他银行强。", "ask_implication")),
    )
    assert report["turns"][0]["move"] is None
    assert report["spin"]["counts"]["I"] == 0


def test_no_improvement_asks_for_what_the_rep_already_said(scorer, methodology) -> None:
    """The better sentence of every improvement is checked against the rep's own lines: a rep
    who said (nearly) it is not told to say it, and no habit is both praised and faulted."""
    key = methodology.scoring.rules["flow.pitch_before_discovery"].better
    better = methodology.better_sentences[key][-1]
    pitch = transcript(
        "owl",
        ("rep", "我们的喷码机采用最新喷头,速度很快。", "present_product"),
        ("customer", "哦。", None),
        ("rep", better, "ask_problem"),
    )
    report = score_transcript(scorer, methodology, pitch)
    shown = [i.get("better_sentence") for i in report["improvements"]]
    assert better not in shown
    praised = {s["rule"] for s in report["strengths"]}
    assert not praised & {i["rule"] for i in report["improvements"]}
