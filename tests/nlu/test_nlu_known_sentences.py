"""Typical sentences, simplified and traditional, must land on the intent a trainer expects.

These run against a real Rasa server with the model `make train` built. None of the
sentences is in the training data (tests/nlu/test_nlu_data.py checks that).
"""

import pytest

KNOWN_SENTENCES = [
    ("刘总您好,我是华信科技的小周,之前跟您约过今天上午", "greet"),
    ("今天外面好冷啊,路上还堵了半小时", "small_talk"),
    ("贵厂的车间真干净,我跑了这么多工厂很少见到这么规范的", "open_praise"),
    ("张姐,您这副耳环挑得真好,又大方又有品味", "open_praise"),
    ("我最近看到一个工业园区用电的新政策,可能帮您省一笔电费,想跟您说说", "open_suggestion"),
    ("目前贵公司用的是哪个品牌的喷码机?一共有几条产线?", "ask_situation"),
    ("你们现在的网络平时会不会经常掉线,影响办公?", "ask_problem"),
    ("要是这批货因为喷码问题被退回来,对你们跟大客户的合同会有什么影响?", "ask_implication"),
    ("假如每个月能少加两天班,对您团队的稳定有什么好处?", "ask_need_payoff"),
    (
        "我把您的意思理一下:最急的是换掉老设备,预算控制在五十万以内,是这样吗?",
        "confirm_understanding",
    ),
    ("这款路由器支持双WAN口,两条线路可以自动切换", "present_product"),
    ("换成集中付款以后,您财务部每个月能少处理几百张单据,省下一个人力", "present_benefit"),
    ("想想看,以后每个月结账那天,您的团队六点就能准时下班", "present_benefit"),
    ("这是我们给某省农信做的项目总结,上线后日均处理量提升了三倍", "give_evidence"),
    ("您说的对,切换系统确实麻烦,可是我们有成熟的迁移工具,一个周末就能完成", "handle_objection"),
    ("设备到了以后,您希望放在哪个车间?我好安排人搬运", "close_assumptive"),
    ("您是倾向于买断,还是按年订阅?", "close_alternative"),
    ("这个折扣周五就截止了,之后恢复原价", "close_urgency"),
    ("仓库里就剩这一批货了,好几个客户都在抢", "close_scarcity"),
    ("王总,没什么问题的话,咱们现在就把协议签了?", "close_direct"),
    ("要不这周五我带上样机,到车间给您实际演示一下?", "propose_next_step"),
    ("您朋友里有开工厂的吗?方便的话引荐给我认识认识", "ask_referral"),
    ("时间不早了,谢谢您的接待,我就先回去了", "thank_and_leave"),
    ("帮我开一局,客户要老虎型的", "start_roleplay"),
    ("不练了,结束吧,给我看看报告", "end_roleplay"),
    ("我现在该问什么?给点提示", "request_hint"),
    ("我刚才那句话说得怎么样?", "request_feedback"),
    ("什么是SPIN提问法?", "ask_concept"),
    ("来点题目检验一下我", "start_quiz"),
    ("我选C", "answer_quiz"),
    ("我最近几次练习的成绩怎么样?", "show_progress"),
    ("你都能干些什么?", "help"),
    ("好的,没问题", "affirm"),
    ("不用了,谢谢", "deny"),
    ("明天北京会下雪吗", "out_of_scope"),
]

# What reps type on a phone: one or two words, where "好" alone would mean yes.
SHORT_MESSAGES = [
    ("孙总您好", "greet"),
    ("早上好,王总", "greet"),
    ("谢谢,回见", "thank_and_leave"),
    ("来个提示", "request_hint"),
    ("结束练习", "end_roleplay"),
    ("嗯,可以呀", "affirm"),
    ("那不用了吧", "deny"),
]

TRADITIONAL_SENTENCES = [
    ("請問貴行目前的對公客戶大概有多少家?", "ask_situation"),
    ("要是系統當機一天,對你們的出貨會造成多大損失?", "ask_implication"),
    ("我明白您的顧慮,不過我們可以先簽一個小訂單試試看", "handle_objection"),
    ("下週二我帶技術人員過來給您做個演示,您看可以嗎?", "propose_next_step"),
    ("開一局對練,客戶要考拉型的", "start_roleplay"),
    ("什麼是FABE?", "ask_concept"),
]

# Commands in English: answered in Chinese, but understood.
ENGLISH_COMMANDS = [
    ("let's practise a customer visit", "start_roleplay"),
    ("end the role play now", "end_roleplay"),
    ("can I get a hint", "request_hint"),
    ("how was my last answer", "request_feedback"),
    ("show me my progress", "show_progress"),
    ("test me with a quiz", "start_quiz"),
    ("what can this bot do", "help"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "intent"), SHORT_MESSAGES)
def test_short_message_lands_on_expected_intent(rasa_server, text: str, intent: str) -> None:
    parsed = rasa_server.parse(text)
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "intent"), KNOWN_SENTENCES + TRADITIONAL_SENTENCES + ENGLISH_COMMANDS
)
def test_sentence_lands_on_expected_intent(rasa_server, text: str, intent: str) -> None:
    parsed = rasa_server.parse(text)
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("来个老虎型的客户练练", "persona", "tiger"),
        ("幫我安排一個貓頭鷹型客戶練習", "persona", "owl"),
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
