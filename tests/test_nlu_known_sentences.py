"""Typical sentences, simplified and traditional, must land on the intent a trainer expects.

These run against a real Rasa server with the model `make train` built. None of the
sentences is in the training data (tests/test_nlu_data.py checks that).
"""

import pytest

KNOWN_SENTENCES = [
    ("刘总您好,我是华信科技的小周,之前跟您约过今天上午", "greet"),
    ("今天外面好冷啊,路上还堵了半小时", "small_talk"),
    ("贵厂的车间真干净,我跑了这么多工厂很少见到这么规范的", "open_praise"),
    ("下个月环保新规就要执行了,我整理了几条应对建议想跟您分享一下", "open_suggestion"),
    ("目前贵公司用的是哪个品牌的喷码机?一共有几条产线?", "ask_situation"),
    ("现在用的系统在稳定性方面有没有让您头疼的地方?", "ask_problem"),
    ("如果专线断一次,对你们的门店收银会有多大影响?", "ask_implication"),
    ("要是能把停机时间减少一半,对您今年完成KPI有什么帮助?", "ask_need_payoff"),
    ("我确认一下,您最关心的是售后响应速度和耗材成本,对吗?", "confirm_understanding"),
    ("我们这款设备采用压电喷头,可以同时打印四行字符", "present_product"),
    ("这样算下来,您一年能省下大概二十万的耗材费用", "present_benefit"),
    ("这是SGS出具的检测报告,另外隔壁园区的两家药厂也在用我们的设备", "give_evidence"),
    ("是的,我们的价格确实比别家高一点,可是算上三年的维护费,总成本反而更低", "handle_objection"),
    ("设备您看是发到一号厂区还是二号厂区?", "close_assumptive"),
    ("您看是选标准版还是高配版?", "close_alternative"),
    ("这个优惠价只到本月底,下个月就要涨百分之十了", "close_urgency"),
    ("现货只剩最后两台了,另外一家客户也在问", "close_scarcity"),
    ("那我们今天就把合同签了吧?", "close_direct"),
    ("下周三我带工程师来做个现场测试,您看方便吗?", "propose_next_step"),
    ("您身边要是有同行也需要,能不能帮我介绍一下?", "ask_referral"),
    ("今天耽误您这么长时间,非常感谢,我先告辞了", "thank_and_leave"),
    ("我想练一下,来个老虎型的客户", "start_roleplay"),
    ("不练了,结束吧,给我看看报告", "end_roleplay"),
    ("我现在该问什么?给点提示", "request_hint"),
    ("我刚才那句话说得怎么样?", "request_feedback"),
    ("什么是SPIN提问法?", "ask_concept"),
    ("出几道题考考我", "start_quiz"),
    ("我选C", "answer_quiz"),
    ("我最近几次练习的成绩怎么样?", "show_progress"),
    ("你都能干些什么?", "help"),
    ("好的,没问题", "affirm"),
    ("不用了,谢谢", "deny"),
    ("帮我订一张明天去上海的机票", "out_of_scope"),
]

TRADITIONAL_SENTENCES = [
    ("目前貴公司用的是哪種設備?每天產量大概多少?", "ask_situation"),
    ("如果停機一次,對交貨期和客戶投訴會有什麼影響?", "ask_implication"),
    ("是的,是的,價格確實高一些,可是我們的售後服務是最完善的", "handle_objection"),
    ("下週二我帶技術人員過來給您做個演示,您看可以嗎?", "propose_next_step"),
    ("我想練習一下,來個貓頭鷹型的客戶", "start_roleplay"),
    ("什麼是FABE?", "ask_concept"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "intent"), KNOWN_SENTENCES + TRADITIONAL_SENTENCES)
def test_sentence_lands_on_expected_intent(rasa_server, text: str, intent: str) -> None:
    parsed = rasa_server.parse(text)
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("来个老虎型的客户练练", "persona", "tiger"),
        ("我想練習一下,來個貓頭鷹型的客戶", "persona", "owl"),
        ("跟考拉型客户练一次银行现金管理的场景", "persona", "koala"),
        ("给我讲讲异议处理", "concept", "objection"),
        ("答案是B", "quiz_answer", "B"),
        ("一年能帮您省30%的电费", "percent", "30%"),
    ],
)
def test_entities_are_extracted_with_canonical_values(
    rasa_server, text: str, entity: str, value: str
) -> None:
    entities = rasa_server.parse(text)["entities"]
    found = {(e["entity"], e["value"]) for e in entities}
    assert (entity, value) in found, entities
