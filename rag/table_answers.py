"""A figure the answer takes from a table is bound by its cell's row and column, not by a sentence:
asked one cell, an answer giving another is corrected to the asked cell when a passage shows it,
or says what the table gives instead. An asked cell holding no figure ("--") is said to be missing:
it is no answer, and the neighbouring row's figure is not one either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import reduce
from dataclasses import replace
from typing import TYPE_CHECKING

from index.text import compact, figure_terms, terms
from rag.answer_edits import NOT_ASKED, NOTICE_NEAR_MISS, NOTICE_REBOUND
from rag.constraints import Mismatch, describe_missing, find_mismatch
from rag.records import Citation
from rag.binding import figure_scopes
from rag.table_cells import Cell, asked_cell, cell_named, cell_of, labels_in_order, named_column, prose

if TYPE_CHECKING:
    from rag.grounding import Grounded
    from rag.prepare import Prepared

_EACH = re.compile(r"分别|依次")  # figures given in turn to the things named before


def cell_given(stated: list[str], cited: list[Citation]) -> tuple[Cell, Citation] | None:
    """The table cell of a cited passage that states one of the answer's figures, unless the
    passage's prose states it too (then its sentence is judged as any other)."""
    for citation in cited:
        for figure in stated:
            cell = cell_of(citation.chunk.text, figure)
            if cell is not None and figure not in figure_terms(terms(prose(citation.chunk.text))):
                return cell, citation
    return None


def misread_cells(grounded: Grounded, prepared: Prepared, said: str, cited: list[Citation]) -> Grounded | None:
    """Each figure of the answer's sentence `said` that a shown table states (the cited ones first)
    is held to the cell its clause names (its row and column, from the clause or the question):
    "2020年创业板指涨了38.73%" gives 深证成指's cell as 创业板指's, "黑龙江…有4个" gives 湖南's row as
    黑龙江's. None when every such figure is its clause's cell; else the cells every clause names,
    cited, and whose cells the wrong figures were."""
    shown = [*cited, *prepared.passages]
    read: list[tuple[Cell, Citation]] = []
    wrong: list[tuple[str, Cell]] = []
    scopes = figure_scopes(said)
    cells = {figure: _first(shown, lambda text: None if figure in figure_terms(terms(prose(text))) else cell_of(text, figure))
             for figure, _, _ in scopes}
    own = _one_clause_each([(f, clause) for f, clause, _ in scopes if cells[f] is not None], shown)
    for figure, clause, _ in scopes:
        clause = own.get(figure, clause)
        named = _first(shown, lambda text: cell_named(text, clause)) or \
            _first(shown, lambda text: cell_named(text, clause, prepared.standalone))
        given = cells[figure]
        if named is None or given is None:
            continue  # the clause names no cell, or its figure is no table's: the other rules hold it
        if not any(ch.isdigit() for ch in named.value):
            return None  # a cell holding no figure ("--"): kept_to_table says so
        chunk = next(p.chunk for p in shown if named.line in p.chunk.text.splitlines())
        read.append((named, Citation(0, chunk, named.line)))
        if figure not in figure_terms(terms(named.value)):
            wrong.append((figure, given))
    if not wrong:
        return None
    return _say_the_named_cells(grounded, read, wrong)


def _one_clause_each(figures: list[tuple[str, str]], shown: list) -> dict[str, str]:
    """Figures given one each to things a clause names in turn ("2017年沪深300和创业板指分别涨了3.54%和
    10.67%"), each with its clause naming only its own thing ("2017年沪深300…3.54%"): the things are a
    table's columns (or rows), paired with the figures in order, as 分别 says. {} for no such clause."""
    own: dict[str, str] = {}
    for clause in dict.fromkeys(clause for _, clause in figures):
        stated = [f for f, c in figures if c == clause]
        if len(stated) < 2 or not _EACH.search(clause):
            continue
        labels = next((found for found in (labels_in_order(p.chunk.text, clause) for p in shown) if found), [])
        if len(labels) != len(stated):
            continue
        for i, figure in enumerate(stated):
            own[figure] = reduce(lambda text, other: text.replace(other, ""), labels[:i] + labels[i + 1:], clause)
    return own


def _first(shown: list, read: Callable[[str], Cell | None]) -> Cell | None:
    """The first passage's reading that is not None."""
    return next((found for found in (read(p.chunk.text) for p in shown) if found is not None), None)


def _say_the_named_cells(grounded: Grounded, read: list[tuple[Cell, Citation]],
                         wrong: list[tuple[str, Cell]]) -> Grounded:
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    said: list[str] = []
    for cell, citation in read:
        if cell.line not in numbers:
            numbers[cell.line] = len(numbers) + 1
            citations.append(replace(citation, n=numbers[cell.line]))
        said.append(f"{cell.row}，{cell.column}为{cell.value}[{numbers[cell.line]}]")
    whose = "".join(f"“{cell.value}”是{cell.row}{cell.column}的数字，{NOT_ASKED}。" for _, cell in wrong)
    return replace(grounded, text=f"资料中与问题对应的是：{'；'.join(dict.fromkeys(said))}。{whose}", citations=citations,
                   missing="", notice=NOTICE_REBOUND)


def kept_to_table(grounded: Grounded, prepared: Prepared, stated: list[str], given: Cell,
                   citation: Citation) -> Grounded | None:
    """None when the answer's cell is the asked one (or the question does not say which); else the
    asked cell, when a passage shows it, or what the table gives instead."""
    for passage in [citation, *prepared.passages]:  # a long table runs on in the next passage
        asked = asked_cell(passage.chunk.text, prepared.standalone)
        if asked is not None:
            if set(stated) & set(figure_terms(terms(asked.value))):
                return None
            if not any(ch.isdigit() for ch in asked.value):  # "--": the table gives no figure there
                return _say_the_cell_is_empty(grounded, asked, Citation(1, passage.chunk, asked.line))
            return _say_what_the_table_gives(grounded, asked, given, Citation(1, passage.chunk, asked.line))
    read_as = f"{given.row}，{given.column}为{given.value}"  # the cell as the sentence the table means
    miss = find_mismatch(prepared.constraints, read_as, citation.chunk.title) or _of_another_row(prepared, read_as, citation)
    if miss is None:
        other_column = named_column(citation.chunk.text, prepared.standalone)
        if other_column and other_column != given.column:
            miss = Mismatch("measure", other_column, given.column)
    if miss is None:
        return None
    kept = replace(citation, n=1, quote=given.line)
    return replace(grounded, text=f"{describe_missing(prepared.constraints, miss)}：{read_as}[1]。", citations=[kept],
                   missing=describe_missing(prepared.constraints, miss), notice=NOTICE_NEAR_MISS)


def _of_another_row(prepared: Prepared, read_as: str, citation: Citation) -> Mismatch | None:
    """Comparing things, each figure is one of theirs: a sentence may name both, but a table's
    row is one thing's, and a row naming none of them (nor its table's title) is another's."""
    asked = prepared.constraints
    said = compact(citation.chunk.title + read_as)
    if asked.compares and asked.names and not any(compact(name) in said for name in asked.names):
        return Mismatch("entity", "、".join(sorted(asked.names)), "其他对象")
    return None


def quoting_row(grounded: Grounded, cell: Cell, citation: Citation) -> Grounded:
    quoted = [replace(c, quote=cell.line) if c.n == citation.n else c for c in grounded.citations]
    return replace(grounded, citations=quoted)


def _say_what_the_table_gives(grounded: Grounded, cell: Cell, other: Cell, citation: Citation) -> Grounded:
    """The asked cell, cited with its row, and whose cell the answer's figure was: the asked
    figure is in the answer, so this is not counted as declining."""
    text = (f"资料中与问题对应的是：{cell.row}，{cell.column}为{cell.value}[1]。"
            f"“{other.value}”是{other.row}{other.column}的数字，{NOT_ASKED}。")
    return replace(grounded, text=text, citations=[citation], missing="", notice=NOTICE_REBOUND)


def _say_the_cell_is_empty(grounded: Grounded, cell: Cell, citation: Citation) -> Grounded:
    """The asked cell holds no figure ("--", "—"): a near miss, the row cited."""
    missing = f"资料中没有{cell.row}{cell.column}的数字"
    return replace(grounded, text=f"{missing}；表中这一格为“{cell.value}”[1]。", citations=[citation],
                   missing=missing, notice=NOTICE_NEAR_MISS)
