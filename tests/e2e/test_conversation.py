"""Conversations over the real REST channel: the coach answers, and bad input never breaks it."""

import uuid

import pytest

pytestmark = pytest.mark.slow


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def _sender() -> str:
    return f"rep-{uuid.uuid4().hex[:8]}"


def test_greeting_offers_a_menu_with_buttons(rasa_server) -> None:
    replies = rasa_server.say(_sender(), "你好")
    assert "陪练" in _texts(replies)
    titles = [button["title"] for reply in replies for button in reply.get("buttons", [])]
    assert "开始对练" in titles


def test_concept_question_is_answered_from_the_methodology(rasa_server) -> None:
    answer = _texts(rasa_server.say(_sender(), "什么是SPIN提问?"))
    assert "需求效益" in answer
    assert "M4" in answer


def test_traditional_concept_question_gets_the_same_answer(rasa_server) -> None:
    simplified = _texts(rasa_server.say(_sender(), "异议处理怎么做?"))
    traditional = _texts(rasa_server.say(_sender(), "異議處理怎麼做?"))
    assert "是的" in simplified
    assert traditional == simplified


def test_concept_button_without_a_concept_lists_the_topics(rasa_server) -> None:
    replies = rasa_server.say(_sender(), "/ask_concept")
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons", [])]
    assert any('"spin"' in payload for payload in payloads)
    assert len(payloads) == 9


def test_customer_sentence_said_to_the_coach_is_named(rasa_server) -> None:
    answer = _texts(rasa_server.say(_sender(), "如果停机一次,对你们交货期会有什么影响?"))
    assert "暗示问题" in answer


def test_unrelated_request_is_declined_politely(rasa_server) -> None:
    answer = _texts(rasa_server.say(_sender(), "帮我查一下今晚的电影排片"))
    assert "超出了我的能力范围" in answer


LONG_MESSAGE = ("我们工厂今年想换一批喷码设备,预算还没定,老板比较关心稳定性和耗材成本。" * 150)[
    :5000
]


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   \n\t ",
        "😀😀👍🙏",
        LONG_MESSAGE,
        "Can you book me a hotel room in Shanghai?",
        "这个ROI怎么算 lol 😂 asap!!",
        "<script>alert(1)</script>",
    ],
    ids=["empty", "whitespace", "emoji", "5000-chars", "english", "mixed", "markup"],
)
def test_bad_input_gets_an_answer_and_the_session_goes_on(rasa_server, message: str) -> None:
    sender = _sender()
    replies = rasa_server.say(sender, message)
    assert _texts(replies).strip(), f"no answer to {message[:30]!r}"
    assert "需求效益" in _texts(rasa_server.say(sender, "什么是SPIN?"))


def test_a_role_play_is_chosen_by_typing_at_the_menu(rasa_server) -> None:
    """开始对练, then the scenario and the persona typed, not tapped (REST, shell and WeCom
    carry typed text the same way)."""
    sender = _sender()
    menu = _texts(rasa_server.say(sender, "开始对练"))
    assert "选一个场景" in menu
    personas = _texts(rasa_server.say(sender, "银行那个吧"))
    assert "性格" in personas
    brief = _texts(rasa_server.say(sender, "猫头鹰"))
    assert "【对练开始】集团企业现金管理" in brief and "猫头鹰型" in brief
    answer = _texts(rasa_server.say(sender, "陈总您好,集团现在有几家子公司?"))
    assert answer.startswith("陈总:")
