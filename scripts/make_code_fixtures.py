"""Write the offline fixtures of the CodeXGLUE intermediate tasks, in the hub's columns:
`code_defect` (google/code_x_glue_cc_defect_detection: id, func, target, project, commit_id) and
`code_clone` (google/code_x_glue_cc_clone_detection_big_clone_bench: id, id1, id2, func1, func2,
label) and `code_search` (google/code_x_glue_tc_nl_code_search_adv: CodeSearchNet's columns, matching
docstring-code pairs only). The code is generated from templates written for xlt: C functions with and without a
classic defect (off-by-one write, unchecked allocation, use after free, unchecked length), and
Java methods paired with a renamed, reformatted copy of themselves (clones) or with another method.

    python scripts/make_code_fixtures.py
"""

import json
import random
import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "xlt" / "data" / "fixtures"
NAMES = ["buf", "data", "items", "values", "out", "dst", "src", "tmp", "block", "table"]
SIZES = ["n", "len", "count", "size", "cap"]

C_OK = [
    "int {f}(int *{a}, int {n}) {{\n  int s = 0;\n  for (int i = 0; i < {n}; i++) s += {a}[i];\n  return s;\n}}",
    "char *{f}(int {n}) {{\n  char *{a} = malloc({n} + 1);\n  if ({a} == NULL) return NULL;\n  {a}[{n}] = '\\0';\n  return {a};\n}}",
    "void {f}(char *{a}, const char *{b}, size_t {n}) {{\n  if (strlen({b}) >= {n}) return;\n  strcpy({a}, {b});\n}}",
    "int {f}(struct node *{a}) {{\n  int v = {a}->value;\n  free({a});\n  return v;\n}}",
]
C_BAD = [
    "int {f}(int *{a}, int {n}) {{\n  int s = 0;\n  for (int i = 0; i <= {n}; i++) s += {a}[i];\n  return s;\n}}",
    "char *{f}(int {n}) {{\n  char *{a} = malloc({n} + 1);\n  {a}[{n}] = '\\0';\n  return {a};\n}}",
    "void {f}(char *{a}, const char *{b}, size_t {n}) {{\n  strcpy({a}, {b});\n}}",
    "int {f}(struct node *{a}) {{\n  free({a});\n  return {a}->value;\n}}",
]
JAVA = [
    "public static int {f}(int[] {a}) {{ int {b} = 0; for (int x : {a}) {{ {b} += x; }} return {b}; }}",
    "public static String {f}(String {a}) {{ return new StringBuilder({a}).reverse().toString(); }}",
    "public static boolean {f}(int {a}) {{ if ({a} < 2) return false; for (int {b} = 2; {b} * {b} <= {a}; {b}++) if ({a} % {b} == 0) return false; return true; }}",
    "public static int {f}(int[] {a}) {{ int {b} = {a}[0]; for (int x : {a}) if (x > {b}) {b} = x; return {b}; }}",
    "public static long {f}(int {a}) {{ long {b} = 1; for (int i = 2; i <= {a}; i++) {b} *= i; return {b}; }}",
    "public static int {f}(String {a}, char {b}) {{ int c = 0; for (char x : {a}.toCharArray()) if (x == {b}) c++; return c; }}",
    "public static void {f}(int[] {a}) {{ java.util.Arrays.sort({a}); }}",
    "public static String {f}(java.util.List<String> {a}, String {b}) {{ return String.join({b}, {a}); }}",
]
PY = [  # (docstring, body); {f} function name, {a} {b} argument names
    ("Return the sum of all values in {a}.", "def {f}({a}):\n    total = 0\n    for x in {a}:\n        total += x\n    return total"),
    ("Return {a} with its characters in reverse order.", "def {f}({a}):\n    return {a}[::-1]"),
    ("Check whether {a} is a prime number.", "def {f}({a}):\n    if {a} < 2:\n        return False\n    return all({a} % d for d in range(2, int({a} ** 0.5) + 1))"),
    ("Return the largest element of {a}.", "def {f}({a}):\n    best = {a}[0]\n    for x in {a}:\n        if x > best:\n            best = x\n    return best"),
    ("Count how many times {b} occurs in {a}.", "def {f}({a}, {b}):\n    return sum(1 for x in {a} if x == {b})"),
    ("Read a text file and return its lines.", "def {f}({a}):\n    with open({a}) as handle:\n        return handle.read().splitlines()"),
    ("Join the strings in {a} with the separator {b}.", "def {f}({a}, {b}):\n    return {b}.join({a})"),
    ("Return the factorial of {a}.", "def {f}({a}):\n    result = 1\n    for i in range(2, {a} + 1):\n        result *= i\n    return result"),
    ("Remove duplicate items from {a}, keeping their order.", "def {f}({a}):\n    seen = set()\n    return [x for x in {a} if not (x in seen or seen.add(x))]"),
    ("Convert a temperature {a} from Celsius to Fahrenheit.", "def {f}({a}):\n    return {a} * 9 / 5 + 32"),
]
FUNCS = ["process", "compute", "handle", "run", "apply", "calc", "work", "doTask", "helper", "step"]


def _fill(template: str, rng: random.Random) -> str:
    a, b = rng.sample(NAMES, 2)
    return template.format(f=rng.choice(FUNCS) + str(rng.randrange(100)), a=a, b=b, n=rng.choice(SIZES))


def defect_rows(n: int, rng: random.Random, start: int) -> list[dict]:
    rows = []
    for i in range(n):
        bad = i % 2 == 1
        func = _fill(rng.choice(C_BAD if bad else C_OK), rng)
        rows.append({"id": start + i, "func": func, "target": bad, "project": rng.choice(["qemu", "ffmpeg"]),
                     "commit_id": f"{rng.getrandbits(40):010x}"})
    return rows


def clone_rows(n: int, rng: random.Random, start: int) -> list[dict]:
    rows = []
    for i in range(n):
        t1 = rng.randrange(len(JAVA))
        clone = i % 2 == 0
        t2 = t1 if clone else rng.choice([t for t in range(len(JAVA)) if t != t1])
        f1, f2 = _fill(JAVA[t1], rng), _fill(JAVA[t2], rng)
        if clone:
            f2 = f2.replace("; ", ";\n    ").replace("{ ", "{\n    ")  # reformatted as well as renamed
        rows.append({"id": start + i, "id1": 2 * (start + i), "id2": 2 * (start + i) + 1, "func1": f1, "func2": f2,
                     "label": clone})
    return rows


def _tokens(code: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", code)


def search_rows(n: int, rng: random.Random, start: int) -> list[dict]:
    """CodeSearchNet rows: `code` holds the docstring, `code_tokens` do not (as on the hub); AdvTest
    normalises function names to `f` and arguments to `arg_i`, which the fixture mimics for names."""
    rows = []
    for i in range(n):
        doc_t, body_t = PY[(start + i) % len(PY)]
        a, b = rng.sample(NAMES, 2)
        doc, body = doc_t.format(a=a, b=b), body_t.format(f="f", a=a, b=b)
        header, _, rest = body.partition("\n")
        code = f'{header}\n    """{doc}"""\n{rest}'
        repo = rng.choice(["octo/utils", "acme/toolbox", "lab/helpers"])
        rows.append({"id": start + i, "repo": repo, "path": "src/helpers.py", "func_name": "f", "original_string": code,
                     "language": "python", "code": code, "code_tokens": _tokens(body), "docstring": doc,
                     "docstring_tokens": _tokens(doc.rstrip(".")), "sha": f"{rng.getrandbits(40):010x}",
                     "url": f"https://github.com/{repo}/blob/main/src/helpers.py#L{10 * i + 1}"})
    return rows


def main() -> None:
    rng = random.Random(0)
    for task, make in (("code_defect", defect_rows), ("code_clone", clone_rows), ("code_search", search_rows)):
        start = 0
        for split, n in (("train", 96), ("validation", 24), ("test", 24)):
            out = FIXTURES / task / "en"
            out.mkdir(parents=True, exist_ok=True)
            rows = make(n, rng, start)
            start += n
            (out / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
