"""Hub row -> canonical record, one small function per hub column layout.

Each takes (row, index) and returns the format's canonical record (see `xlt.formats`), or None for a row skipped by
the task's documented rule. A missing column raises KeyError, which the loader turns into an
error naming the task, split, row and field. Each declares the columns it reads and what they
must hold (`adapter.reads`), which `xlt data check` compares with a source's features before any
data is downloaded:
  text     a string                          texts   a list of strings
  label    a class id (ClassLabel, int, bool, or a string of digits)
  labels   a list of class ids               answers {text: [str], answer_start: [int]}
  any      anything
"""


def reads(**columns: str):
    """Declare the columns an adapter reads and their kinds (see the module's docstring)."""
    def mark(adapter):
        adapter.reads = columns
        return adapter
    return mark


def pair(first: str, second: str, label: str = "label"):
    @reads(**{first: "text", second: "text", label: "label"})
    def adapt(row: dict, index: int) -> dict | None:
        if row[label] == -1:  # SNLI/MNLI rows without a gold label
            return None
        return {"text": row[first], "text_pair": row[second], "label": int(row[label])}  # bool labels (CodeXGLUE) too
    return adapt


def single(text: str, label: str = "label"):
    @reads(**{text: "text", label: "label"})
    def adapt(row: dict, index: int) -> dict | None:
        return {"text": row[text], "text_pair": None, "label": int(row[label])}
    return adapt


def text(column: str):
    @reads(**{column: "text"})
    def adapt(row: dict, index: int) -> dict:
        return {"text": row[column]}
    return adapt


@reads(id="any", question="text", context="text", answers="answers")
def squad(row: dict, index: int) -> dict:
    answers = row["answers"]
    return {"id": str(row["id"]), "question": row["question"], "context": row["context"],
            "answers": {"text": list(answers["text"]), "answer_start": list(answers["answer_start"])}}


def generation(source: str, target: str):
    """Source text -> target text (XGLUE QG: answer passage -> question; NTG: news body -> title)."""
    @reads(**{source: "text", target: "text"})
    def adapt(row: dict, index: int) -> dict:
        return {"id": str(index), "source": row[source], "target": row[target]}
    return adapt


@reads(code_tokens="texts", docstring_tokens="texts")
def code_to_text(row: dict, index: int) -> dict:
    """CodeXGLUE code-to-text, as its run.py `read_examples` builds an example
    (microsoft/CodeXGLUE@ac74a62 Code-Text/code-to-text/code/run.py lines 69-72): the code tokens
    joined by spaces, line breaks to spaces, whitespace runs to one space; the docstring tokens
    likewise, except that line breaks are removed (run.py replaces them with nothing)."""
    code = " ".join(" ".join(row["code_tokens"]).replace("\n", " ").split())
    docstring = " ".join(" ".join(row["docstring_tokens"]).replace("\n", "").split())
    return {"id": str(index), "source": code, "target": docstring}


def tags(tag_column: str, token_column: str = "tokens"):
    @reads(**{token_column: "texts", tag_column: "labels"})
    def adapt(row: dict, index: int) -> dict:
        return {"tokens": list(row[token_column]), "tags": list(row[tag_column])}
    return adapt


@reads(ctx="text", endings="texts", label="label")
def hellaswag(row: dict, index: int) -> dict:
    label = row["label"]
    return {"context": row["ctx"], "choices": list(row["endings"]),
            "label": int(label) if str(label).isdigit() else label}


@reads(premise="text", question="text", choice1="text", choice2="text", label="label")
def copa(row: dict, index: int) -> dict:
    """COPA/XCOPA: the premise and its question against two alternatives, worded as XTREME-R's
    run_xcopa.py does ("<premise> What was the cause?" / "... effect?", in English for every language)."""
    return {"context": f"{row['premise']} What was the {row['question']}?", "choices": [row["choice1"], row["choice2"]],
            "label": int(row["label"])}


@reads(context="text", question="text", answerA="text", answerB="text", answerC="text", label="label")
def siqa(row: dict, index: int) -> dict:
    """Social IQa: "<context> <question>" against answers A-C, as XTREME-R's run_xcopa.py; the hub's
    label is the answer's number as a string ("1".."3", older copies with a newline)."""
    return {"context": f"{row['context']} {row['question']}", "choices": [row["answerA"], row["answerB"], row["answerC"]],
            "label": int(str(row["label"]).strip()) - 1}


@reads(query="text", ad_title="text", ad_description="text", relevance_label="label")
def qadsm(row: dict, index: int) -> dict:
    """XGLUE QADSM: a search query against an ad's title and description."""
    return {"text": row["query"], "text_pair": f"{row['ad_title']} {row['ad_description']}",
            "label": int(row["relevance_label"])}


@reads(query="text", web_page_title="text", web_page_snippet="text", relavance_label="label")
def wpr(row: dict, index: int) -> dict:
    """XGLUE WPR: a query against a web page (title and snippet), graded 0-4 (the hub spells the
    column `relavance_label`); pages are ranked per query."""
    return {"text": row["query"], "text_pair": f"{row['web_page_title']} {row['web_page_snippet']}",
            "label": int(row["relavance_label"]), "group": row["query"]}


def with_mismatched_code(rows: list[dict], seed: int = 0) -> list[dict]:
    """NL-code search as pair classification (CodeBERT's code-search fine-tuning): each hub row is
    a matching (docstring, code) pair, labelled 1, followed by its docstring with another row's
    code, labelled 0. The other row is the next one in a seeded shuffle, so no row meets its own
    code and every code appears once as a negative: the same pairs on every run."""
    import random

    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    mismatch = {order[k]: order[(k + 1) % len(order)] for k in range(len(order))}
    out = []
    for i, row in enumerate(rows):
        out.append({**row, "label": 1})
        if len(rows) > 1:
            out.append({**row, "code_tokens": rows[mismatch[i]]["code_tokens"], "label": 0})
    return out


@reads(docstring_tokens="texts", code_tokens="texts")  # `label` is added by with_mismatched_code
def code_search(row: dict, index: int) -> dict:
    """CodeXGLUE NL-code search: the docstring's and the function's tokens (docstring and comments
    stripped), space-joined as CodeXGLUE's own scripts feed them."""
    return {"text": " ".join(row["docstring_tokens"]), "text_pair": " ".join(row["code_tokens"]),
            "label": int(row["label"])}


@reads(context="text", question="text", answer0="text", answer1="text", answer2="text", answer3="text", label="label")
def cosmosqa(row: dict, index: int) -> dict:
    return {"context": f"{row['context']} {row['question']}",
            "choices": [row[f"answer{i}"] for i in range(4)], "label": row["label"]}


@reads(question="text", choices="any", answerKey="text")
def commonsenseqa(row: dict, index: int) -> dict:
    keys = list(row["choices"]["label"])
    key = row["answerKey"]
    return {"context": row["question"], "choices": list(row["choices"]["text"]),
            "label": keys.index(key) if key in keys else key}


@reads(source_sentence="text", target_sentence="text", source_lang="any", target_lang="any")
def parallel(row: dict, index: int) -> dict:
    """Tatoeba's parallel pairs (google/xtreme keeps each sentence's trailing newline: stripped)."""
    return {"source": row["source_sentence"].strip(), "target": row["target_sentence"].strip(),
            "source_id": f"{row['source_lang']}-{index:06d}", "target_id": f"{row['target_lang']}-{index:06d}"}


MENTION_WINDOW = 300
"""Characters of the article kept each side of a Mewsli-X mention (the tokenizer cuts the rest)."""


@reads(question="text", id="any", context="text", answers="answers")
def lareqa(row: dict, index: int) -> dict:
    """XQuAD-R (LAReQA): a question and the passage holding its answer; the pool (xlt/data/pools.py)
    turns passages into candidate sentences. `sentence_breaks` ([start, end] a sentence) where the
    source has them, as LAReQA's release does."""
    starts = list(row["answers"]["answer_start"])
    breaks = row.get("sentence_breaks")
    return {"query": row["question"], "query_id": str(row["id"]), "passage": row["context"],
            "answer_start": starts[0] if starts else -1,
            "sentence_breaks": [list(b) for b in breaks] if breaks is not None else None}


def mewslix_mention(row: dict, index: int) -> dict:
    """A Mewsli-X mention (one a row, see `xlt.data.mewslix.unnest_mentions`): the mention's text and
    the article around it; the relevant candidate is its Wikidata entity."""
    text, mention = row["context"]["text"], row["mention"]
    span = mention["mention_span"]
    start, end = int(span["start"]), int(span["end"])
    return {"query": span["text"], "query_context": text[max(0, start - MENTION_WINDOW): end + MENTION_WINDOW],
            "query_id": str(mention["example_id"]), "relevant": [str(mention["entity_id"])],
            "span_in_context": text[start:end]}
