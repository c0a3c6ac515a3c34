"""Backbones: load the part of a model that task heads sit on, for each architecture family.

- encoder (XLM-R, mBERT, mDeBERTa): the encoder, heads on its states; classification pools the
  first token.
- encoder-decoder (mT5, mBART): the encoder alone (its decoder is not loaded into the trial's
  model), heads on encoder states; classification pools the mean over tokens.
- decoder (BLOOM, XGLM, Qwen, Llama-family): the base model without its LM head; classification
  and multiple choice pool the last real token (found from the attention mask, so left and right
  padding both work; causal attention never lets a token see the padding after it), tagging and
  span heads sit on every token, retrieval mean-pools a chosen layer.

Every family returns a module called as `encoder(input_ids=, attention_mask=)` whose output has
`last_hidden_state` (and `hidden_states` when asked), so the formats and the training loop do not
change; only the pooling does (`Backbone.pooling`).
"""

from dataclasses import dataclass

import torch
from torch import nn

from xlt.models.registry import COMMIT, resolve_model

# Families whose AutoModel carries a pooler we never use (it would leave DDP with unused params).
_POOLER_FAMILIES = {"xlm-roberta", "roberta", "bert"}
DECODER_TYPES = {"bloom", "xglm", "qwen2", "qwen3", "llama", "mistral", "gemma", "gemma2", "gpt2", "gpt_neox",
                 "phi", "phi3", "olmo", "falcon"}
FAMILIES = ("encoder", "encoder-decoder", "decoder")


@dataclass(frozen=True)
class Backbone:
    family: str
    pooling: str
    """first | mean | last: how classification and multiple-choice heads pool the states."""
    retrieval_pooling: str
    """The retrieval default (a sweep's target.retrieval_pooling overrides it)."""


BACKBONES = {"encoder": Backbone("encoder", "first", "mean"),
             "encoder-decoder": Backbone("encoder-decoder", "mean", "mean"),
             "decoder": Backbone("decoder", "last", "mean")}


def family_of(config) -> str:
    if getattr(config, "is_encoder_decoder", False):
        return "encoder-decoder"
    if config.model_type in DECODER_TYPES or any("CausalLM" in a for a in (getattr(config, "architectures", None) or [])):
        return "decoder"
    return "encoder"


def model_family(name: str, trust_remote_code: bool = False, revision: str | None = None) -> str:
    """The family of a model, from its config alone (no weights loaded)."""
    from transformers import AutoConfig

    pin = {"revision": revision} if revision and COMMIT.match(revision) else {}
    return family_of(AutoConfig.from_pretrained(resolve_model(name), trust_remote_code=trust_remote_code, **pin))


def backbone_of(encoder: nn.Module) -> Backbone:
    return BACKBONES[getattr(encoder, "xlt_family", None) or family_of(encoder.config)]


def load_encoder(name: str, trust_remote_code: bool = False, revision: str | None = None) -> tuple[nn.Module, object]:
    """The encoder and tokenizer of `name`; `revision` (a hub commit, resolved at sweep start)
    pins a hub model (local models are identified by their files' digest instead)."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    path = resolve_model(name)
    pin = {"revision": revision} if revision and COMMIT.match(revision) else {}
    config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code, **pin)
    family = family_of(config)
    kwargs = {"add_pooling_layer": False} if config.model_type in _POOLER_FAMILIES else {}
    model = AutoModel.from_pretrained(path, trust_remote_code=trust_remote_code, **kwargs, **pin)
    # encoder-decoder: the encoder stack alone (its own config copy says it is no decoder)
    encoder = model.get_encoder() if family == "encoder-decoder" else model
    encoder.xlt_family = family
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code, **pin)
    if tokenizer.pad_token is None:  # decoder tokenizers often have none: pad with EOS (masked anyway)
        tokenizer.pad_token = tokenizer.eos_token
    return encoder, tokenizer


def with_lora(encoder: nn.Module, settings: dict) -> nn.Module:
    """The encoder frozen, with trainable LoRA adapters (peft); called like the encoder."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError:
        raise ImportError("model.lora needs peft: pip install 'xlt[lora]'") from None
    family = encoder.xlt_family
    config = LoraConfig(r=settings["r"], lora_alpha=settings["alpha"], lora_dropout=settings["dropout"],
                        target_modules=settings.get("target_modules"))
    wrapped = get_peft_model(encoder, config)
    wrapped.xlt_family = family
    return wrapped


def pool(hidden: torch.Tensor, attention_mask: torch.Tensor, how: str) -> torch.Tensor:
    """[batch, length, hidden] -> [batch, hidden]."""
    if how == "first":
        return hidden[:, 0]
    if how == "mean":
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
    if how == "last":  # the last position whose mask is 1, wherever the padding is
        length = attention_mask.size(1)
        last = length - 1 - attention_mask.flip(1).to(torch.long).argmax(1)
        return hidden[torch.arange(hidden.size(0), device=hidden.device), last]
    raise ValueError(f"unknown pooling {how!r} (first, mean or last)")
