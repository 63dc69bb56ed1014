"""What the coach says outside a role-play: concept explanations and names of rep moves.

Every answer is built from the methodology data, so a trainer who edits a YAML file changes
what the coach says, and every answer cites the section it comes from.
"""

import re

from bot.language.text import normalize
from bot.methodology import Methodology

# "客户说太贵了怎么办?" "他说要跟老板商量,我该怎么回?": a rep asking the coach about an
# objection, not saying something to the customer.
_ASKS_HOW = re.compile(r"怎么办|怎么回|怎么应对|怎么处理|怎么说|如何应对|如何处理|如何回应|该怎么")


def concept_choices(methodology: Methodology) -> list[tuple[str, str]]:
    """(concept id, title) pairs in the data's order, for a topic menu."""
    return [(concept_id, concept.title) for concept_id, concept in methodology.concepts.items()]


def explain_concept(methodology: Methodology, concept_id: str) -> str | None:
    """The coach's answer to 什么是X, or None when X is not a known concept."""
    concept = methodology.concepts.get(concept_id)
    if concept is None:
        return None
    lines = [f"【{concept.title}】", concept.answer.strip()]
    if concept.example:
        lines.append(f"例子:{concept.example.strip()}")
    lines.append(f"(依据 {'、'.join(concept.m_ids)})")
    return "\n".join(lines)


def explain_persona(methodology: Methodology, persona_id: str) -> str | None:
    """How to deal with one of the four personalities (M8), or None for an unknown one."""
    persona = methodology.personas.get(persona_id)
    if persona is None:
        return None
    return "\n".join(
        [
            f"【{persona.animal}型客户({persona.name},DISC中的{persona.disc})】",
            f"特点:{'、'.join(persona.traits)}。",
            f"这样做:{';'.join(persona.do)}。",
            f"别这样:{';'.join(persona.dont)}。",
            "(依据 M8)",
        ]
    )


def advise_on_objection(methodology: Methodology, text: str) -> str | None:
    """M6 advice for the objection a rep asks about ("客户说太贵了怎么办"), with the
    是的、是的、可是 answer for that kind of objection; None when he asks about none."""
    folded = normalize(text)
    if not _ASKS_HOW.search(folded):
        return None
    words = methodology.cues.customer_objections
    kinds = [kind for kind, cues in words.items() if any(normalize(w) in folded for w in cues)]
    types = {objection.id: objection for objection in methodology.objections.types}
    known = [types[kind] for kind in kinds if kind in types]
    if not known:
        return None
    objections = methodology.objections
    lines = []
    for objection in known[:2]:
        lines += [
            f"【客户提出{objection.name}异议时(比如“{objection.customer_says}”)】",
            f"先认同,再转折:“{objections.pattern}”。{objections.pattern_explained}",
            f"可以这样说:“{objection.good_answer}”",
        ]
    lines += [
        "步骤:" + ";".join(objections.steps),
        objections.unsure_rule,
        f"(依据 {objections.m_id})",
    ]
    return "\n".join(lines)


def describe_move(methodology: Methodology, intent: str | None) -> str:
    """Name the move a customer-directed sentence is and the visit step it serves (M2)."""
    move = methodology.moves.get(intent or "")
    if move is None:
        return "这句话我没认出是哪种销售动作。说“帮助”看看我能做什么。"
    step = methodology.visit_step(move.step)
    return (
        f"这句话像是对客户说的“{move.name}”:{move.description}\n"
        f"它属于拜访流程的“{step.name}”阶段,此时客户心里在问:{step.customer_asks}\n"
        f"(依据 {move.m_id})想实战练习的话,说“开始对练”。"
    )
