"""Tiny local models, one per backbone family (XLM-R encoder, mT5 encoder-decoder, Llama-family
decoder), sharing one tokenizer: the tiny XLM-R's.

Tiny XLM-R: a SentencePiece tokenizer trained on the shipped multilingual text and a
randomly initialised few-layer XLMRobertaConfig, saved as a normal HF model directory.

The directory then loads through `from_pretrained` exactly like `xlm-roberta-large`, so tests
exercise the real loading path. Built once per cache directory, atomically (temp dir + rename),
deterministically (same corpus and seed -> same files), so concurrent builders are harmless.
"""

import hashlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

from xlt.tasks.spec import FIXTURES

BUILDER_VERSION = "2"  # 2: saved with its masked-LM head, as hub checkpoints are
TINY_XLMR = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                 intermediate_size=128, max_position_embeddings=514)
TINY_MT5 = dict(d_model=64, d_kv=32, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=2)
TINY_DECODER = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2,
                    num_key_value_heads=2, max_position_embeddings=1024)


def cache_root() -> Path:
    return Path(os.environ.get("XLT_CACHE_DIR", Path.home() / ".cache" / "xlt"))


def corpus_lines() -> list[str]:
    """Every text field of every shipped fixture, in a stable order."""
    lines = []
    for path in sorted(FIXTURES.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.extend(v for v in json.loads(line).values() if isinstance(v, str))
    return lines


def tiny_xlmr_dir() -> Path:
    """Path of the built tiny XLM-R, building it on first use."""
    lines = corpus_lines()
    digest = hashlib.sha256(("\n".join([BUILDER_VERSION, json.dumps(TINY_XLMR), *lines])).encode())
    return _built(cache_root() / "models" / f"tiny-xlmr-{digest.hexdigest()[:12]}", lambda out: build_tiny_xlmr(out, lines))


def tiny_mt5_dir() -> Path:
    """A tiny random mT5 (encoder-decoder), with the tiny XLM-R's tokenizer."""
    return _tiny_family("tiny-mt5", TINY_MT5, "MT5Config", "MT5ForConditionalGeneration")


def tiny_decoder_dir() -> Path:
    """A tiny random Llama-family decoder-only model, with the tiny XLM-R's tokenizer."""
    return _tiny_family("tiny-decoder", TINY_DECODER, "LlamaConfig", "LlamaForCausalLM")


def _tiny_family(name: str, dims: dict, config_class: str, model_class: str) -> Path:
    tokenizer_dir = tiny_xlmr_dir()
    spec = f"{BUILDER_VERSION}|{config_class}|{json.dumps(dims)}|{tokenizer_dir.name}"
    digest = hashlib.sha256(spec.encode()).hexdigest()[:12]
    return _built(cache_root() / "models" / f"{name}-{digest}",
                  lambda out: _build_random(out, tokenizer_dir, config_class, model_class, dims))


def _built(target: Path, build) -> Path:
    """`target`, built by `build(tmp_dir)` on first use: atomically, so racing builders are harmless."""
    if not (target / "config.json").is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
        from transformers.utils import logging as hf_logging

        shown = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # a tiny local build needs no "Writing model shards" bar on stderr
        try:
            build(tmp)
            os.replace(tmp, target)  # atomic; fails if another builder won the race
        except OSError:
            if not (target / "config.json").is_file():
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if shown:
                hf_logging.enable_progress_bar()
    return target


def _copy_tokenizer(tokenizer_dir: Path, out: Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    tokenizer.save_pretrained(str(out))
    return tokenizer


def _build_random(out: Path, tokenizer_dir: Path, config_class: str, model_class: str, dims: dict,
                  seed: int = 0) -> None:
    """A randomly initialised `model_class` (saved with its head, as hub checkpoints are) and the
    tiny XLM-R's tokenizer, its special tokens wired into the config."""
    import torch
    import transformers

    tok = _copy_tokenizer(tokenizer_dir, out)
    torch.manual_seed(seed)
    config = getattr(transformers, config_class)(
        vocab_size=len(tok), pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.pad_token_id, **dims)
    getattr(transformers, model_class)(config).save_pretrained(str(out))


def build_tiny_xlmr(out: Path, lines: list[str], vocab_size: int = 2000, seed: int = 0) -> None:
    import sentencepiece as spm
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM, XLMRobertaTokenizer

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, vocab_size=vocab_size,
        model_type="unigram", hard_vocab_limit=False, character_coverage=1.0,
        num_threads=1, minloglevel=2,
    )
    # XLMRobertaTokenizer needs this exact file name; constructing it from vocab_file
    # silently builds a 5-token vocabulary (RAY-NOTES).
    (out / "sentencepiece.bpe.model").write_bytes(model.getvalue())
    tokenizer = XLMRobertaTokenizer.from_pretrained(str(out), model_max_length=512)
    tokenizer.save_pretrained(str(out))
    torch.manual_seed(seed)
    config = XLMRobertaConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
                              bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                              **TINY_XLMR)
    XLMRobertaForMaskedLM(config).save_pretrained(str(out))
