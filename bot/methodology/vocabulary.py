"""The names every layer shares, each defined once: score dimensions, the M2 visit steps, the
M8 personas, the account roles, visit outcomes, concept ids, and the one number the
scorer and the customer must agree on."""

from __future__ import annotations

from typing import Literal, get_args

# The six dimensions a visit is scored on (scoring.yml names and weighs them).
Dimension = Literal[
    "visit_flow", "spin", "objection_handling", "closing", "disc_fit", "trust_value"
]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)

# M2: the customer-perspective visit flow, in order.
VisitStepId = Literal["rapport", "trust", "discovery", "proposal", "closing"]
VISIT_STEPS: tuple[str, ...] = get_args(VisitStepId)

# M8: the four DISC-style personalities the customer can have.
PersonaId = Literal["tiger", "peacock", "owl", "koala"]
PERSONAS: tuple[str, ...] = get_args(PersonaId)

# Who uses the product: reps practise, trainers review their team, admins manage everyone.
Role = Literal["rep", "trainer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
REP, TRAINER, ADMIN = ROLES
ROLE_NAMES: dict[str, str] = {REP: "销售(学员)", TRAINER: "培训师", ADMIN: "管理员"}

# How a visit ended: the customer agreed, walked out, or the rep stopped it.
Outcome = Literal["signed", "lost", "ended"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
OUTCOME_NAMES: dict[str, str] = {"signed": "签约", "lost": "客户离开", "ended": "中途结束"}

# The concepts the coach explains (concepts.yml must define exactly these).
CONCEPT_IDS = (
    "spin",
    "fabe",
    "disc",
    "closing",
    "objection",
    "visit_flow",
    "decision_roles",
    "funnel",
    "trust",
)

# M8: a tiger wants it short. A rep turn longer than this many characters loses the tiger's
# patience (the simulator) and costs personality fit (the scorer).
TIGER_LONG_TURN = 60
# The rep speaks of the price or its value (M6: a price worry is answered about the price).
PRICE_WORDS = (
    "价格",
    "报价",
    "多少钱",
    "费用",
    "优惠",
    "折扣",
    "单价",
    "总价",
    "价钱",
    "收费",
    "成本",
    "投入",
    "省",
    "回本",
    "划算",
    "值",
    "算账",
    "回报",
    "预算",
    "分期",
    "付款",
    "钱",
)
# A speech, whatever it brings: every persona stops listening (M3 多听少说).
MONOLOGUE = 100

# M8: the moments a persona answers in his own words (voices.yml gives lines for each).
Situation = Literal[
    "greet",
    "small_talk",
    "praise",
    "interest",
    "suggestion",
    "go_on",
    "unclear",
    "pitch_too_early",
    "hype",
    "benefit_for_need",
    "evidence_for_need",
    "case_for_need",
    "evidence",
    "pitch_off_need",
    "price_question",
    "no_more_needs",
    "not_thought",
    "confirm_ok",
    "confirm_nothing",
    "next_step_ok",
    "next_step_again",
    "next_step_refused",
    "farewell",
    "objection_eased",
    "argued",
    "competitor_bashed",
    "pressured",
    "impatient",
    "stall_no_needs",
    "stall_not_confirmed",
    "stall_low_trust",
    "nothing_more",
    "walk_out",
]
SITUATIONS: tuple[str, ...] = get_args(Situation)
# What a voice line may name: the scenario's own line for the moment, a need's label, the product.
VOICE_PLACEHOLDERS = ("line", "need", "product")
