"""Entity-level precision/recall/F1 for tag sequences, as seqeval computes them (default mode,
micro average), which XTREME uses for PAN-X and, on bare POS tags, for UDPOS."""

from collections.abc import Sequence

Chunk = tuple[str, int, int]


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    return (prev_tag in ("E", "S")
            or (prev_tag in ("B", "I") and tag in ("B", "S", "O"))
            or (prev_tag not in ("O", ".") and prev_type != type_))


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    return (tag in ("B", "S")
            or (prev_tag in ("E", "S", "O") and tag in ("E", "I"))
            or (tag not in ("O", ".") and prev_type != type_))


def get_entities(sequences: Sequence[Sequence[str]]) -> list[Chunk]:
    """seqeval's `get_entities` over sentences joined with an `O` between them: the tag is a
    label's first character, the type what follows the first '-' (`B-PER` -> B, PER). A label
    without a prefix (UDPOS's `NOUN`) is read the same way (N, OUN), exactly as seqeval does."""
    seq = [label for sentence in sequences for label in (*sentence, "O")]
    prev_tag, prev_type, begin, chunks = "O", "", 0, []
    for i, label in enumerate([*seq, "O"]):
        tag = label[0]
        type_ = label[1:].split("-", maxsplit=1)[-1] or "_"
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def seqeval_prf(labels: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall, F1 over entity chunks; 0 where a denominator is 0."""
    if len(labels) != len(predictions):
        raise ValueError(f"{len(predictions)} predicted sentences for {len(labels)} gold sentences")
    for i, (g, p) in enumerate(zip(labels, predictions)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(p)} predicted tags for {len(g)} gold tags")
    gold, pred = set(get_entities(labels)), set(get_entities(predictions))
    correct = len(gold & pred)
    precision = correct / len(pred) if pred else 0.0
    recall = correct / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}
