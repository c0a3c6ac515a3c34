"""Generation throughput of the text-to-text path: xlt's evaluation (xlt.trial.train.predict on
xlt.formats.text: batches grouped by prompt length, KV cache on, greedy) against a plain loop that
calls `generate` on one example at a time in file order, in the same run, on the same randomly
initialised model and prompts, for an encoder-decoder (mT5-shaped) and a decoder (Llama-shaped).
Tokens generated are counted from each side's outputs; the random models are kept from emitting
padding or end-of-sequence, so every prompt gets `--max-new-tokens` tokens on both sides.

  python -m benchmarks.generation --size mid --examples 256
  python -m benchmarks.generation --quick
"""

import argparse
import time

import torch

from benchmarks.common import emit, lengths

VOCAB, PAD, EOS = 1283, 0, 1


def _models(size: str) -> dict:
    from transformers import LlamaConfig, LlamaForCausalLM, MT5Config, MT5ForConditionalGeneration

    d, layers, heads, ff = {"tiny": (64, 2, 2, 128), "mid": (256, 4, 4, 1024), "base": (768, 12, 12, 2048)}[size]
    special = dict(vocab_size=VOCAB, pad_token_id=PAD, eos_token_id=EOS)
    seq2seq = MT5ForConditionalGeneration(MT5Config(d_model=d, d_kv=d // heads, d_ff=ff, num_layers=layers,
                                                    num_decoder_layers=layers, num_heads=heads,
                                                    decoder_start_token_id=PAD, **special))
    decoder = LlamaForCausalLM(LlamaConfig(hidden_size=d, intermediate_size=ff, num_hidden_layers=layers,
                                           num_attention_heads=heads, num_key_value_heads=heads, bos_token_id=2,
                                           max_position_embeddings=1024, **special))
    seq2seq.xlt_family, decoder.xlt_family = "encoder-decoder", "decoder"
    for lm in (seq2seq, decoder):  # random weights: never stop early, so both sides write every token
        lm.generation_config.suppress_tokens = [PAD, EOS]
    return {"encoder-decoder": seq2seq.eval(), "decoder": decoder.eval()}


class _Ids:
    """The tokenizer the text format needs for decoding here: ids are already tokens."""
    eos_token_id = EOS

    def decode(self, ids, skip_special_tokens=True):
        return " ".join(str(i) for i in ids if i not in (PAD, EOS))


def _new_tokens(ids: list[int]) -> int:
    out = 0
    for i in ids:
        if i == EOS:
            break
        out += i != PAD
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["tiny", "mid", "base"], default="mid")
    parser.add_argument("--examples", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.size, args.examples, args.max_new_tokens = "tiny", 24, 8
    from xlt.formats import FORMATS, Features
    from xlt.formats.text import TextToText
    from xlt.models.text_model import TextModel
    from xlt.trial.runtime import LocalRuntime
    from xlt.trial.train import predict

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    prompts = [[(7 * i + j) % (VOCAB - 3) + 3 for j in range(n)] for i, n in enumerate(lengths(args.examples, seed=0))]
    rows, rt = [], LocalRuntime()
    for family, lm in _models(args.size).items():
        fmt = TextToText(FORMATS["generation"], _Ids(), family)
        features = Features(prompts, list(range(len(prompts))), {"target_ids": [[EOS]] * len(prompts)}, len(prompts))
        model = TextModel(lm, max_new_tokens=args.max_new_tokens)
        start = time.perf_counter()
        texts = predict(model, fmt, features, batch_size=args.batch, pad_id=PAD, rt=rt)
        xlt_s = time.perf_counter() - start
        xlt_tokens = sum(len(t.split()) for t in texts)

        start, plain_tokens = time.perf_counter(), 0
        with torch.inference_mode():
            for p in prompts:
                ids = torch.tensor([p])
                out = lm.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=args.max_new_tokens,
                                  do_sample=False, pad_token_id=PAD)
                plain_tokens += _new_tokens(out[0].tolist() if family == "encoder-decoder" else out[0, len(p):].tolist())
        plain_s = time.perf_counter() - start
        rows += [{"family": family, "runner": "xlt predict (batched, length-grouped, KV cache)",
                  "tokens": xlt_tokens, "tokens/s": xlt_tokens / xlt_s, "xlt ratio": 1.0},
                 {"family": family, "runner": "plain generate loop (one example at a time)",
                  "tokens": plain_tokens, "tokens/s": plain_tokens / plain_s,
                  "xlt ratio": (xlt_tokens / xlt_s) / (plain_tokens / plain_s) if plain_tokens else None}]
    return emit("generation", rows, {"size": args.size, "examples": args.examples, "batch": args.batch,
                                     "max_new_tokens": args.max_new_tokens})


if __name__ == "__main__":
    main()
