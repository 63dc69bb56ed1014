"""The role-play coach without Rasa: turns kept live between messages score exactly like a
replay of the stored conversation (what happens after a restart or a retried message)."""

from bot.practice.customer import CustomerSimulator
from bot.practice.roleplay import RolePlayCoach
from bot.practice.scenarios import load_scenarios

TURNS = [
    ("王厂长您好,我是XX喷码的小李,就占用您十分钟。", "greet"),
    ("贵厂现在几条线在用喷码机?", "ask_situation"),
    ("用下来有没有让您头疼的地方?", "ask_problem"),
    ("停一次线,对交货有什么影响?", "ask_implication"),
    ("除了停线,还有别的让您不放心的地方吗?", "ask_problem"),
    ("如果不用再停线,对您旺季交货有什么帮助?", "ask_need_payoff"),
    ("我确认一下,您最关心的是少停机和码要清晰,对吗?", "confirm_understanding"),
    ("按您说的停线损失算,换新喷头一年能少停机六十小时,省下十五万元。", "present_benefit"),
    ("是的,单价确实高一些,可是三年总成本反而低20%,我给您算一笔账?", "handle_objection"),
    ("那设备先装在一号线,您看下周一还是周三方便?", "close_alternative"),
]


def _coach(methodology, scorer) -> RolePlayCoach:
    scenarios = load_scenarios(methodology).scenarios
    return RolePlayCoach(methodology, scenarios, scorer, CustomerSimulator(methodology, scenarios))


def test_live_scoring_matches_a_replay_and_a_retried_turn_gives_the_same_answer(
    methodology, scorer
) -> None:
    live = _coach(methodology, scorer)
    play, _ = live.start("session-1", "inkjet_factory", "tiger", seed=5)
    for text, move in TURNS:
        before = play
        said = live.rep_says(before, text, move, 0.9)
        play = said.play
        # the same message again on the state before it (a retry, or another server after a
        # restart) gets the same customer answer and the same scores
        replaying = _coach(methodology, scorer)  # has seen nothing: replays the turns
        retried = replaying.rep_says(before, text, move, 0.9)
        assert retried.messages == said.messages
        assert retried.play.to_dict() == play.to_dict()
        assert retried.assessment == said.assessment
        if play.finished:
            break
    # the customer raised an objection that the rep's answer was scored against
    assert any(turn.get("objection") for turn in play.turns if turn["speaker"] == "customer")


def test_only_the_objections_the_customer_raised_are_scored_as_objections(
    methodology, scorer
) -> None:
    """His answer to a handled concern ("贵一点也不是不能谈") and his questions carry words of
    a price objection; the report counts the objections he raised, marked on his lines."""
    coach = _coach(methodology, scorer)
    play, _ = coach.start("session-2", "inkjet_factory", "owl", seed=5)
    for text, move in TURNS:
        play = coach.rep_says(play, text, move, 0.9).play
        if play.finished:
            break
    customer = [turn for turn in play.turns if turn["speaker"] == "customer"]
    assert all("objection" in turn for turn in customer)
    raised = [turn for turn in customer if turn["objection"]]
    assert [turn["objection"] for turn in raised] == ["authority"]
    assert any("贵" in turn["text"] for turn in customer if not turn["objection"])
    report = coach.report(play)
    assert [o["kinds"] for o in report["objections"] if o["kinds"]] == [["authority"]]


def test_a_line_right_after_his_objection_is_scored_as_the_answer_it_probably_is(
    methodology, scorer
) -> None:
    coach = _coach(methodology, scorer)
    play, _ = coach.start("session-3", "inkjet_factory", "owl", seed=5)
    for text, move in TURNS:
        play = coach.rep_says(play, text, move, 0.9).play
        if play.turns[-1].get("objection"):
            break
    assert play.turns[-1].get("objection"), "the customer raised no objection"
    ranking = (("present_benefit", 0.5), ("handle_objection", 0.2))
    line = "王厂长,我帮您算笔账:墨水一年省两成,少停线的损失还没算进去。"
    answered = coach.rep_says(play, line, "present_benefit", 0.5, (), ranking).play
    assert answered.turns[-2]["move"] == "handle_objection"


def test_the_role_play_report_fills_its_better_sentences_from_the_scenario(
    methodology, scorer
) -> None:
    """Issue 15 item 3: the contact as the rep addresses him, never a canned 王总."""
    coach = _coach(methodology, scorer)
    play, _ = coach.start("session-3", "inkjet_factory", "owl", seed=5)
    for text, move in [
        ("我们的喷码机是最先进的,绝对没问题。", "present_product"),
        ("今天不签的话,下个月就涨价了。", "close_urgency"),
    ]:
        play = coach.rep_says(play, text, move, 0.9).play
        if play.finished:
            break
    report = coach.report(play)
    sentences = [i["better_sentence"] for i in report["improvements"] if "better_sentence" in i]
    assert sentences and all("王厂长" in sentence for sentence in sentences)
    assert not any("王总" in sentence for sentence in sentences)
