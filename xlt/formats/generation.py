"""Text generation (XGLUE QG and NTG, CodeXGLUE code-to-text): a source text, a target text, scored
by the benchmark's own metric on the generated text (xlt.metrics.generation). Only the
text-to-text path trains and evaluates it (`model.head: text`, xlt.formats.text): a pooled head
cannot write text.

Canonical record: {"id": str, "source": str, "target": str}.
"""

from xlt.formats.base import Format
from xlt.metrics import codexglue_smoothed_bleu, xglue_bleu

METRICS = {"xglue_bleu": (xglue_bleu, "bleu"), "codexglue_bleu": (codexglue_smoothed_bleu, "smoothed_bleu")}


class Generation(Format):
    name = "generation"

    def validate(self, task, record):
        for key in ("source", "target"):
            if not isinstance(record.get(key), str):
                return f"field {key!r} is {record.get(key)!r}, expected a string"
        if not record["target"].strip():
            return "field 'target' is empty: the benchmark's scorer cannot score an example without a reference"
        return None

    def build_head(self, task, encoder, source):
        raise ValueError(f"task {task.name!r} generates text: it needs model.head: text (an encoder-decoder or "
                         "decoder model), not a pooled head")

    def score(self, task, records, features, outputs, language):
        metric, name = METRICS[task.metric]
        return {name: metric([r["target"] for r in records], outputs)}, outputs

    def submission(self, predictions):
        return "".join(f"{p.replace(chr(10), ' ')}\n" for p in predictions)

    def gold(self, task, records):
        return "".join(f"{r['target'].replace(chr(10), ' ')}\n" for r in records)
