"""Zero-shot evaluation throughput over many languages: xlt's predict (length-sorted batches,
each padded to its own longest) against a plain evaluation loop in file order, in the same run,
on the same model and data.

  python -m benchmarks.eval_throughput --size mid --languages 15 --examples 500
  python -m benchmarks.eval_throughput --quick
"""

import argparse
import time

import torch

from benchmarks.common import emit, model_config, synthetic

VOCAB = 1283


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["tiny", "mid", "base", "large"], default="mid")
    parser.add_argument("--languages", type=int, default=15)
    parser.add_argument("--examples", type=int, default=500, help="per language")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.languages, args.examples = "tiny", 3, 64
    from transformers import XLMRobertaModel

    from xlt.formats import FORMATS, Features
    from xlt.formats.base import PooledHead
    from xlt.models.task_model import TaskModel
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.train import predict

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = model_config(args.size, VOCAB)
    model = TaskModel(XLMRobertaModel(config, add_pooling_layer=False), PooledHead(config.hidden_size, 3)).eval()
    data = [synthetic(args.examples, VOCAB, seed=lang) for lang in range(args.languages)]
    n = args.languages * args.examples
    tokens = sum(len(x) for ids, _ in data for x in ids)

    fmt, rt = FORMATS["classification"], LocalRuntime()
    start = time.perf_counter()
    for ids, labels in data:
        features = Features(ids, list(range(len(ids))), {"labels": labels}, len(ids))
        predict(model, fmt, features, batch_size=args.batch, pad_id=1, rt=rt)
    xlt_s = time.perf_counter() - start

    start = time.perf_counter()
    with torch.inference_mode():
        for ids, _ in data:
            for b in range(0, len(ids), args.batch):
                chunk = ids[b:b + args.batch]
                x = torch.ones(len(chunk), max(map(len, chunk)), dtype=torch.long)
                for r, seq in enumerate(chunk):
                    x[r, : len(seq)] = torch.tensor(seq)
                model({"input_ids": x, "attention_mask": (x != 1).long()}).argmax(-1).tolist()
    plain_s = time.perf_counter() - start
    rows = [{"runner": "xlt predict (length-grouped)", "examples/s": n / xlt_s, "tokens/s": tokens / xlt_s,
             "xlt ratio": 1.0},
            {"runner": "plain loop (file order)", "examples/s": n / plain_s, "tokens/s": tokens / plain_s,
             "xlt ratio": plain_s / xlt_s}]
    return emit("eval_throughput", rows, {"size": args.size, "languages": args.languages,
                                          "examples_per_language": args.examples, "batch": args.batch})


if __name__ == "__main__":
    main()
