"""Split a rep's line into the clauses that may each carry a move.

About three in ten real lines carry two or more moves: a greeting with a question
("王总您好,我是华德的小陈,想先了解一下您这边现在用的是哪家的设备?"), feature + benefit +
evidence in one breath (M5), "是的……可是……" followed by a next step (M6, M7). Each clause is
classified on its own (components/move_segmenter.py), so the scorer and the customer hear
every move the line carries.

Works on normalised text (bot/language/text.py: full-width punctuation is ASCII by then).
Where a line is cut:
- at sentence and clause punctuation (. ! ? ; , and the enumeration comma, which normalises to
  a comma), line breaks, ellipses, and a space between two Chinese characters (phone typing);
- not before a contrast word (可是, 但是, 不过 ...): "是的, 价格确实高一点, 可是算上耗材……" is
  one objection answer, acknowledgement and pivot together (M6);
- nor before a short tag question (您看方便吗, 对吧), which finishes the clause before it;
- a condition (如果……) or an announcement (我确认一下) joins the clause it leads into;
- a piece too short to be a move on its own (好的, 明白, 王总, OK) joins the piece after it, so
  back-channels and forms of address never stand alone.
"""

from __future__ import annotations

import re

# Clause punctuation after normalisation, line breaks, ellipses and dashes.
_CUT = re.compile(r"(?:[.!?;,\n]|\.\.\.|…|——|~)+")
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_CONTRAST = ("可是", "但是", "不过", "只是", "然而", "但")  # not 可: 可以, 可能 start new moves
MIN_CLAUSE_CHARS = 5  # shorter pieces (好的, 王总, 明白了) lean on their neighbour
# A clause that only leads into the next: a condition (如果故障率降一半, ...) or an
# announcement (我确认一下, 我想请教一下, 是这样的).
_LEAD_IN = re.compile(r"^(?:如果|要是|假如|假设|万一|一旦)|(?:一下|是这样的?|这么说)$")
# A short tag question (您看方便吗, 您觉得呢, 对吧) finishes the clause before it.
_TAG_QUESTION = re.compile(
    r"^(?:您看|你看|您觉得|你觉得|对吧|是吧|好吗|行吗|可以吗).{0,4}$|^.{1,5}[吗呢吧么]$"
)


def clauses(text: str) -> list[str]:
    """The clauses of `text` in order; a line with one clause gives a list of one."""
    split = _CUT.split(_SPACE_BETWEEN_HAN.sub(",", text))
    pieces = [piece.strip() for piece in split if piece.strip()]
    merged: list[str] = []
    for piece in pieces:
        if merged and (piece.startswith(_CONTRAST) or _TAG_QUESTION.match(piece)):
            merged[-1] = f"{merged[-1]},{piece}"
        else:
            merged.append(piece)
    joined: list[str] = []
    carry = ""
    for piece in merged:
        leads_in = bool(_LEAD_IN.search(piece))
        piece = f"{carry},{piece}" if carry else piece
        if len(piece.replace(",", "")) < MIN_CLAUSE_CHARS or leads_in:
            carry = piece
            continue
        carry = ""
        joined.append(piece)
    if carry:  # a short tail ("好吗", "谢谢") belongs to what came before
        if joined:
            joined[-1] = f"{joined[-1]},{carry}"
        else:
            joined.append(carry)
    return joined
