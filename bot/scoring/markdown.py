"""The session report as Markdown in Chinese: what a rep reads after a role-play and what a
trainer prints. Rendered from the report dict only, so it never disagrees with the JSON.
"""

from __future__ import annotations

from bot.methodology import Methodology
from bot.scoring.contracts import Quote, Report

_HANDLING = {
    "acknowledged_and_pivoted": "先认同再转折 ✔",
    "acknowledged": "认同了,但没有转折",
    "clarified": "提问澄清",
    "argued": "争辩 ✘",
    "ignored": "没有回应 ✘",
    "unanswered": "对话结束前没有回应",
}
_TIMING = {"well_timed": "时机成熟", "premature": "过早", "next_step": "约定下一步"}
_STATUS = {
    "done": "✅",
    "missed": "❌",
    "not_applicable": "➖ 本次不适用",
    "not_observable": "➖ 对话中看不出",
}
_SHARES = {
    "relationship": "建立关系",
    "needs": "了解需求",
    "presentation": "介绍",
    "closing": "促成",
}


def _cell(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split()).replace("|", "/")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _quote(quote: Quote) -> str:
    return f"第{quote['turn']}句:“{_cell(quote['text'], 80)}”"


def render_markdown(methodology: Methodology, report: Report) -> str:
    persona = methodology.personas[report["persona"]]
    scenario = "通用场景" if report["scenario"] == "generic" else report["scenario"]
    lines = [
        "# 销售陪练评分报告",
        "",
        f"- 场景:{scenario}",
        f"- 客户性格:{persona.animal}型({persona.name})",
        f"- **总分:{report['overall']}**",
        "",
        "## 六项得分",
        "",
        "| 维度 | 得分 | 依据 |",
        "|---|---|---|",
    ]
    for dimension in report["dimensions"].values():
        score = dimension["score"] if dimension["observed"] else "未评"
        lines.append(f"| {dimension['name']} | {score} | {_cell(dimension['explanation'], 200)} |")
    lines += ["", "## 做得好的地方", ""]
    for strength in report["strengths"]:
        lines.append(f"- **{strength['name']}**:{strength['advice']}({strength['m_id']})")
        lines += [f"  - {_quote(quote)}" for quote in strength["quotes"]]
    if not report["strengths"]:
        lines.append("- 这次还没有明显的加分动作。")
    lines += ["", "## 最值得改进的几点", ""]
    for improvement in report["improvements"]:
        lines.append(f"- **{improvement['name']}**:{improvement['advice']}({improvement['m_id']})")
        lines += [f"  - {_quote(quote)}" for quote in improvement["quotes"]]
        if "better_sentence" in improvement:
            lines.append(f"  - 可以这样说:“{improvement['better_sentence']}”")
    talk = report["talk"]
    lines += [
        "",
        "## 拜访流程",
        "",
        " → ".join(
            f"{segment['step_name']}(第{segment['from_turn'] + 1}"
            + (f"-{segment['to_turn'] + 1}" if segment["to_turn"] != segment["from_turn"] else "")
            + "句)"
            for segment in report["timeline"]
        )
        or "没有识别出拜访步骤。",
        "",
        "时间分配:"
        + ",".join(f"{_SHARES[part]} {share:.0%}" for part, share in talk["time_split"].items())
        + {"new": "。接近新模式(40/30/20/10)。", "old": "。更像旧模式(介绍和促成占大头)。"}.get(
            talk["closest_time_model"] or "", "。"
        ),
        "",
        f"说话比例:销售 {talk['rep_share']:.0%}(销售 {talk['rep_turns']} 句,"
        f"客户 {talk['customer_turns']} 句)。",
        "",
        "## SPIN 提问",
        "",
    ]
    spin = report["spin"]
    counts = spin["counts"]
    lines.append(
        f"背景 S {counts['S']} · 难点 P {counts['P']} · 暗示 I {counts['I']} · "
        f"需求效益 N {counts['N']};顺序:{spin['order'] or '无'}"
        + (";按 S→P→I→N 推进。" if spin["in_order"] and spin["order"] else "。")
    )
    lines += ["", "## 异议处理", ""]
    lines += [
        f"- 第{o['turn'] + 1}句 客户:“{_cell(o['customer_said'], 40)}” → "
        f"{_HANDLING.get(o['handling'], o['handling'])}"
        for o in report["objections"]
    ] or ["- 本次客户没有提出异议。"]
    lines += ["", "## 促成尝试", ""]
    lines += [
        f"- 第{c['turn'] + 1}句 {c['name']}:{_TIMING.get(c['timing'], c['timing'])}"
        + ("" if c["fits_persona"] else ",不适合这类客户")
        for c in report["closing_attempts"]
    ] or ["- 本次没有促成,也没有约定下一步。"]
    lines += ["", "## 自检清单(M11)", ""]
    lines += [
        f"- {_STATUS[item['status']]} {item['group']}:{item['text']}"
        for item in report["self_check"]
    ]
    lines += ["", "## 逐句点评", "", "| # | 销售说的话 | 动作 | 变化 | 点评 |"]
    lines.append("|---|---|---|---|---|")
    for turn in report["turns"]:
        changes = " ".join(
            f"{report['dimensions'][dim]['name']}{delta:+d}"
            for dim, delta in turn["changes"].items()
            if delta
        )
        moves = " + ".join(turn["move_names"])
        lines.append(
            f"| {turn['index'] + 1} | {_cell(turn['text'])} | {moves or '未识别'} | "
            f"{changes or '—'} | {_cell(turn['feedback'], 120)} |"
        )
    return "\n".join(lines) + "\n"
