"""Each spaCy cue rule finds what a trainer would point at, and only that."""

import pytest

from bot.language.cues import CueFinder
from bot.methodology import load_methodology


@pytest.fixture(scope="module")
def cues():
    finder = CueFinder(load_methodology())
    return finder.find


@pytest.mark.parametrize(
    "sentence",
    [
        "是的,是的,可是算上耗材,三年总成本反而更低。",
        "我理解您的顾虑,不过我们可以先在一条线上试点。",
        "您说得对,同时我们也提供三个月的免费试用。",
        "对,价格确实高一点,但是一年能省下不少墨水钱。",
        "是的,這個價格確實不低,可是算上維護費反而便宜。",
    ],
)
def test_acknowledge_then_pivot_variants(cues, sentence: str) -> None:
    assert cues(sentence).acknowledge_pivot


@pytest.mark.parametrize(
    "sentence",
    [
        "可是我们的价格是最低的,是的。",  # pivot before the acknowledgement
        "是的,我们价格很合理。",  # acknowledgement without a pivot
        "目前贵厂用的是哪家的设备?",  # 的是 is not an acknowledgement
    ],
)
def test_no_acknowledge_pivot_without_both_in_order(cues, sentence: str) -> None:
    assert not cues(sentence).acknowledge_pivot


def test_arguing_words_are_whole_words(cues) -> None:
    assert cues("不对,您错了,这不可能。").arguing == ["不对", "您错了", "不可能"]
    assert cues("这个结构不对称,需要调整。").arguing == []


def test_questions_by_mark_particle_or_question_word(cues) -> None:
    assert cues("您现在用的是哪家的设备").question
    assert cues("一天能产多少箱?").question
    assert cues("设备还好用吗").question
    assert not cues("我们的设备很好用。").question
    assert not cues("那我们今天就签了吧").question


def test_evidence_numbers_documents_and_named_cases(cues) -> None:
    found = cues("去年青岛银行上线后效率提升了30%,这是SGS的检测报告和ISO证书,一年省了20万元。")
    assert found.references == ["青岛银行"]
    assert {"30%", "20万元"} <= set(found.quantities)
    assert {"SGS", "检测报告", "ISO", "证书"} <= set(found.evidence)
    assert found.has_evidence


def test_own_and_customer_company_are_not_references(cues) -> None:
    assert cues("贵公司和我们公司合作很久了。").references == []


def test_over_promising_and_its_number_is_not_evidence(cues) -> None:
    found = cues("我们保证百分之百没问题,绝对不会出故障。")
    assert "绝对" in found.over_promise
    assert any("百分之百" in word for word in found.over_promise)
    assert found.quantities == []
    assert not found.has_evidence


def test_customer_centred_address_counts(cues) -> None:
    found = cues("您和贵公司的团队最关心什么?我们会配合您。")
    assert found.customer_address == 3
    assert found.self_address == 1


def test_length_ignores_whitespace(cues) -> None:
    assert cues("  您 好  ").length == 2


def test_next_step_needs_an_action_and_a_time(cues) -> None:
    assert cues("下周三我带工程师来做现场测试,您看方便吗?").next_step
    assert not cues("有需要随时联系我。").next_step
    assert not cues("下周三天气不错。").next_step


def test_customer_objections_by_kind(cues) -> None:
    assert cues("你们太贵了,别家便宜多了").objections == ["competitor", "price"]
    assert cues("我再考虑考虑吧").objections == ["stalling"]
    assert cues("这事我做不了主,得领导批").objections == ["authority"]
    assert cues("好的,谢谢").objections == []


def test_traditional_characters_give_the_same_cues(cues) -> None:
    simplified = cues("是的,价格确实高,可是这是检测报告,故障率下降30%。")
    traditional = cues("是的,價格確實高,可是這是檢測報告,故障率下降30%。")
    assert simplified.to_dict() == traditional.to_dict()


@pytest.mark.parametrize(
    "text", ["", "   ", "😀😀😀", "OK fine, send me the ROI deck", "好" * 5000]
)
def test_odd_input_gives_cues_without_crashing(cues, text: str) -> None:
    found = cues(text)
    assert found.length == len("".join(text.split()))


def test_own_company_in_a_self_introduction_is_not_a_reference(cues) -> None:
    assert cues("陈总您好,我是XX银行的小王。").references == []
    assert cues("我们给XX银行做过同样的项目。").references == ["XX银行"]


def test_cue_words_do_not_change_the_shared_jieba_rasa_uses(cues) -> None:
    import jieba

    assert "您错了" not in list(jieba.cut("您错了"))


@pytest.mark.parametrize(
    ("line", "evidence"),
    [
        ("具体数据我没带,反正您相信我就行", False),
        ("没有案例,但是效果很好", False),
        ("案例暂时没整理出来,回头给您", False),
        ("我们有第三方检测报告,可以发您", True),
        ("数据没问题,报告下周发您", True),
        ("这是青岛啤酒的实测数据,停线减少了一半", True),
    ],
)
def test_evidence_the_rep_says_he_lacks_is_no_evidence(cues, line: str, evidence: bool) -> None:
    assert cues(line).has_evidence is evidence


@pytest.mark.parametrize(
    ("line", "bashing"),
    [
        ("您现在用的那家就是垃圾,代理商根本不行。", True),
        ("便宜三成那家我知道,就是个皮包公司,做一个项目烂一个。", True),
        ("别家也有类似的方案,不过我们的售后响应更快。", False),
        ("我们不坑人,价格都写在合同里。", False),
        ("您现在用的设备用了五年,我们先看看运行数据。", False),
        ("你们那个主办行的系统我知道,老掉牙了,跨行根本做不了。", True),
        ("说实话你们现在这种做法有点落后了。", True),
        ("账户散在六家银行,这种管理方式算是比较原始的了。", True),
        ("您也不想比同行落后吧?我们帮您把原始数据理清楚。", False),
        ("这种做法很常见,很多集团一开始都是这样。", False),
    ],
)
def test_running_down_a_competitor_is_its_own_cue(cues, line: str, bashing: bool) -> None:
    assert bool(cues(line).competitor_bashing) is bashing


# --- issue 15 item 6: cues the trainer-like rules read -------------------------------------


@pytest.mark.parametrize(
    ("sentence", "promised"),
    [
        ("是的,付款绝对不能出错,所以我们先并行跑一个月。", False),  # states a requirement
        ("这个绝对不允许出问题。", False),
        ("绝对没问题,您放心。", True),
        ("保证零故障。", True),
        ("今天不用做决定,您随便聊就好。", False),
        ("设备随便用,坏了随便换。", True),
    ],
)
def test_must_not_is_no_promise(cues, sentence: str, promised: bool) -> None:
    assert bool(cues(sentence).over_promise) is promised


@pytest.mark.parametrize(
    ("sentence", "concedes"),
    [
        ("这样,我给您打个八折,再送三个月运维。", True),
        ("我可以帮您申请一些优惠。", True),
        ("三年总成本算下来反而更低。", False),
        ("我们不打价格战,讲的是总成本。", False),  # no concession word: 不打价格战 is not 打折
    ],
)
def test_a_concession_is_a_price_cut_or_a_gift(cues, sentence: str, concedes: bool) -> None:
    assert bool(cues(sentence).concession) is concedes


@pytest.mark.parametrize(
    ("sentence", "dismisses"),
    [
        ("好……那我回去再想想。", True),
        ("你想好了再联系我吧。", True),
        ("不用了,我们暂时不需要。", True),
        ("好,周六下午我们过来。", False),
        ("先在一条线上试,这个我能接受。", False),
    ],
)
def test_the_customer_putting_the_rep_off(cues, sentence: str, dismisses: bool) -> None:
    assert cues(sentence).dismisses is dismisses


@pytest.mark.parametrize(
    ("sentence", "unbacked"),
    [
        ("我们的方案网络特别稳定,基本上不会断网。", True),
        ("服务也是很好的。", True),
        ("可用率99.95%,故障平均1.5小时恢复。", False),
        ("这个问题问得好。", False),
    ],
)
def test_claims_with_nothing_to_check(cues, sentence: str, unbacked: bool) -> None:
    assert bool(cues(sentence).unbacked_claims) is unbacked


@pytest.mark.parametrize(
    ("sentence", "authority"),
    [
        ("这个事我说了不算,得老板和采购部一起定。", True),
        ("我得跟老板商量一下。", True),
        ("行,你把材料准备好,我帮你递给老板。", False),  # agrees to pass it on
        ("我提需求,孙经理比价,郑总审批签字。", False),  # tells who decides (M9)
    ],
)
def test_an_authority_objection_says_he_cannot_decide(cues, sentence, authority) -> None:
    assert ("authority" in cues(sentence).objections) is authority


@pytest.mark.parametrize(
    ("sentence", "timed"),
    [("下周初约吴董秘和邓总监。", True), ("这周先把方案发给您。", True), ("回头再约。", False)],
)
def test_a_day_inside_a_longer_word_is_a_time(cues, sentence: str, timed: bool) -> None:
    assert cues(sentence).timed is timed
