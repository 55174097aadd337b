#!/usr/bin/env python3
"""Evaluate a formulas file with Operon (pyoperon.EvaluateTrees) for comparison with
`sdl bench eval`.

Same workload as sdl's benchmark: one plain infix formula per line over x0..x9 (`#` comments),
uniform random data in [0.5, 2], float32, node evaluations counted as written (each operator,
call, variable and constant once; `x0^2` is 3, `-x0` is 2, `-1.3` is one constant as in
`sdl_formula::parse`). Prints
`engine=operon node_evals_per_s=X`.

    pip install pyoperon numpy
    python3 bench/operon_eval.py crates/sdl-kernel/benches/formulas.txt --rows 10000 --threads 1
"""
import argparse
import ast
import time

import numpy as np
import pyoperon as op


def nodes_as_written(text: str) -> int:
    """Node count with sdl's rule, via Python's parser (`^` read as `**`, same precedence)."""
    tree = ast.parse(text.replace("^", "**"), mode="eval")
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.Call, ast.Constant, ast.Name)):
            count += 1
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
            # sdl_formula::parse reads a minus written before a number as part of the constant.
            count += 1
    # Function names are Name nodes under Call but are not operands.
    count -= sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call))
    return count


UNARY = {"exp": "Exp", "log": "Log", "sin": "Sin", "cos": "Cos", "tan": "Tan", "tanh": "Tanh",
         "sqrt": "Sqrt", "cbrt": "Cbrt", "abs": "Abs", "sinh": "Sinh", "cosh": "Cosh", "asin": "Asin",
         "acos": "Acos", "atan": "Atan", "log1p": "Log1p", "square": "Square"}
BINARY = {ast.Add: "Add", ast.Sub: "Sub", ast.Mult: "Mul", ast.Div: "Div", ast.BitXor: "Pow", ast.Pow: "Pow"}


def to_operon(text: str, hashes: dict) -> "op.Tree":
    """Builds an Operon tree from a formula (Operon's InfixParser crashes on variable maps in
    pyoperon 0.6.2). Operon's postfix puts a node's first argument immediately before it, so
    arguments are emitted last-first. `x^2` becomes Operon's Square and `-x` a variable of
    weight -1 (or `x * -1`), each at least as cheap for Operon as the written form."""
    nodes = []

    def node(kind):
        return op.Node(getattr(op.NodeType, kind))

    def emit(e):
        if isinstance(e, ast.Expression):
            return emit(e.body)
        if isinstance(e, ast.Constant):
            nodes.append(op.Node.Constant(float(e.value)))
        elif isinstance(e, ast.Name):
            v = op.Node(op.NodeType.Variable)
            v.HashValue = hashes[e.id]
            v.CalculatedHashValue = hashes[e.id]
            v.Value = 1.0
            nodes.append(v)
        elif isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            if isinstance(e.operand, ast.Constant):
                nodes.append(op.Node.Constant(-float(e.operand.value)))
            elif isinstance(e.operand, ast.Name):
                emit(e.operand)
                nodes[-1].Value = -1.0
            else:
                nodes.append(op.Node.Constant(-1.0))
                emit(e.operand)
                nodes.append(node("Mul"))
        elif isinstance(e, ast.BinOp):
            kind = BINARY[type(e.op)]
            if kind == "Pow" and isinstance(e.right, ast.Constant) and e.right.value == 2:
                emit(e.left)
                nodes.append(node("Square"))
                return
            emit(e.right)
            emit(e.left)
            nodes.append(node(kind))
        elif isinstance(e, ast.Call):
            for a in reversed(e.args):
                emit(a)
            nodes.append(node(UNARY[e.func.id]))
        else:
            raise ValueError(f"unsupported syntax in {text!r}")

    emit(ast.parse(text.replace("^", "**"), mode="eval"))
    return op.Tree(nodes).UpdateNodes()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("formulas")
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--min-time", type=float, default=1.0)
    args = ap.parse_args()

    lines = []
    with open(args.formulas) as fh:
        for line in fh:
            text = line.split("#", 1)[0].strip()
            if text:
                lines.append(text)

    rng = np.random.default_rng(args.seed)
    # Operon's Dataset keeps a view of this array: it must stay alive while ds is used.
    values = np.asfortranarray(rng.uniform(0.5, 2.0, size=(args.rows, 10)).astype(np.float32))
    ds = op.Dataset(values)
    # Operon names the columns X1..X10; map sdl's x0..x9 onto them.
    by_index = {i: v for i, v in enumerate(ds.Variables)}
    var_map = {f"x{i}": by_index[i].Hash for i in range(10)}
    trees = [to_operon(t, var_map) for t in lines]
    # Check the trees against numpy before timing them.
    env = {f"x{i}": values[:, i].astype(np.float64) for i in range(10)}
    env.update(exp=np.exp, log=np.log, sin=np.sin, cos=np.cos, tanh=np.tanh, sqrt=np.sqrt, tan=np.tan)
    for text, tree in zip(lines, trees):
        got = np.zeros(args.rows, dtype=np.float32)
        op.EvaluateTrees([tree], ds, op.Range(0, args.rows), got, 1)
        want = eval(text.replace("^", "**"), {}, env)
        err = np.max(np.abs(got - want) / (1 + np.abs(want)))
        if not err < 1e-4:
            raise SystemExit(f"operon disagrees with numpy on {text!r}: {err}")
    nodes = sum(nodes_as_written(t) for t in lines)

    rng_rows = op.Range(0, args.rows)
    out = np.zeros(args.rows * len(trees), dtype=np.float32)
    op.EvaluateTrees(trees, ds, rng_rows, out, args.threads)  # warm-up
    reps = 0
    start = time.perf_counter()
    while True:
        op.EvaluateTrees(trees, ds, rng_rows, out, args.threads)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.min_time:
            break
    print(f"engine=operon node_evals_per_s={nodes * args.rows * reps / elapsed:.4e}")


if __name__ == "__main__":
    main()
