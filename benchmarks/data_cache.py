"""Data: tokenisation of a larger synthetic corpus (sentence pairs built from the shipped
multilingual text), cold (encode and store) against warm (load from xlt's feature cache).

  python -m benchmarks.data_cache --pairs 100000
  python -m benchmarks.data_cache --quick
"""

import argparse
import random
import tempfile
import time

from benchmarks.common import emit


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs = 2000
    from transformers import AutoTokenizer

    from xlt.data.feature_cache import FeatureCache, feature_key
    from xlt.formats import FORMATS
    from xlt.models.registry import resolve_model
    from xlt.models.tiny import corpus_lines
    from xlt.tasks import get_task

    rng = random.Random(0)
    words = " ".join(corpus_lines()).split()
    records = [{"text": " ".join(rng.choices(words, k=rng.randint(5, 40))),
                "text_pair": " ".join(rng.choices(words, k=rng.randint(3, 20))), "label": rng.randrange(3)}
               for _ in range(args.pairs)]
    path = resolve_model("tiny-xlmr")
    tokenizer = AutoTokenizer.from_pretrained(path)
    task, fmt = get_task("xnli"), FORMATS["classification"]
    cache = FeatureCache(tempfile.mkdtemp())
    key = feature_key(path, "bench", "classification", "en", "train", 128, None, f"synthetic-{args.pairs}")

    start = time.perf_counter()
    features = fmt.encode(task, records, tokenizer, 128)
    cache.put(key, (records, features))
    cold = time.perf_counter() - start
    start = time.perf_counter()
    _, warm_features = cache.get(key)
    warm = time.perf_counter() - start
    assert warm_features.input_ids == features.input_ids
    tokens = sum(features.lengths)
    rows = [{"path": "cold: tokenise + store", "seconds": cold, "pairs/s": args.pairs / cold, "tokens": tokens},
            {"path": "warm: load from cache", "seconds": warm, "pairs/s": args.pairs / warm, "tokens": tokens}]
    return emit("data_cache", rows, {"pairs": args.pairs, "speedup": cold / warm})


if __name__ == "__main__":
    main()
