"""Arithmetic over claim ids, exactly: '+ - * /' and brackets over the ranges
the published figures allow (methods.md 3.4). A check expression comes from a
CSV file, so it is parsed with ast and walked, never passed to eval()."""

from __future__ import annotations

import ast
from fractions import Fraction

from police_lists.methods.rounding import Interval


def expression_names(expression: str) -> list[str]:
    """Claim ids used in a check expression, in order of appearance."""
    tree = ast.parse(expression, mode="eval")
    return [n.id for n in ast.walk(tree) if isinstance(n, ast.Name)]


def evaluate(expression: str, values: dict[str, Interval]) -> Interval:
    """Evaluate + - * / over claim ranges, exactly. Only arithmetic is allowed:
    the expression comes from a CSV file, so nothing is passed to eval()."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Interval.point(Fraction(str(node.value)))
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"expression {expression!r}: {node.id} is not a numeric claim")
            return values[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp):
            ops = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__"}
            op = ops.get(type(node.op))
            if op:
                return getattr(walk(node.left), op)(walk(node.right))
        raise ValueError(f"expression {expression!r}: only numbers, claim ids, + - * / and brackets are allowed")

    return walk(ast.parse(expression, mode="eval"))
