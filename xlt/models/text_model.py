"""Encoder-decoder and decoder-only models as themselves (`model.head: text`): text in, text out.

- encoder-decoder (mT5, mBART): `AutoModelForSeq2SeqLM`; trains with teacher forcing (the target
  is the decoder's input shifted right, the loss on every target token); generates with greedy or
  beam search.
- decoder (BLOOM, XGLM, Llama-family): `AutoModelForCausalLM`; trains as a causal LM on
  prompt + answer with the loss on the answer tokens only; generates after the prompt. Prompts are
  left-padded, so every row's answer starts right after its prompt; position ids count real
  tokens only, as `generate` counts them, so training and generation see the same positions.

A batch (xlt.formats.text) holds the prompts `input_ids`/`attention_mask` (left-padded for
decoders) and `target_ids` (right-padded with -100). Closed sets (classification label words,
multiple-choice choices) are scored, not generated: each candidate's mean token log-probability
given the prompt, the best one wins, so the prediction is always a valid label.
"""

import inspect

import torch
from torch import nn

from xlt.models.backbone import family_of
from xlt.models.registry import COMMIT, resolve_model

IGNORE = -100


def load_text_model(name: str, trust_remote_code: bool = False, revision: str | None = None) -> tuple[nn.Module, object]:
    """The whole model with its LM head, and its tokenizer. An encoder-only model has no text path."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    path = resolve_model(name)
    pin = {"revision": revision} if revision and COMMIT.match(revision) else {}
    config = AutoConfig.from_pretrained(path, trust_remote_code=trust_remote_code, **pin)
    family = family_of(config)
    if family == "encoder":
        raise ValueError(f"model {name!r} is an encoder: model.head text needs an encoder-decoder or a decoder "
                         "(use model.head: pooled)")
    auto = AutoModelForSeq2SeqLM if family == "encoder-decoder" else AutoModelForCausalLM
    model = auto.from_pretrained(path, trust_remote_code=trust_remote_code, **pin)
    model.xlt_family = family
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code, **pin)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def encoder_of(lm: nn.Module) -> nn.Module:
    """The part retrieval embeds with: an encoder-decoder's encoder, a decoder's base model."""
    encoder = lm.get_encoder() if lm.xlt_family == "encoder-decoder" else lm.base_model
    encoder.xlt_family = lm.xlt_family
    return encoder


class TextModel(nn.Module):
    """The LM a text-to-text phase trains: called with a batch, returns the mean token loss."""

    def __init__(self, lm: nn.Module, max_new_tokens: int = 32, num_beams: int = 1):
        super().__init__()
        self.lm = lm
        self.max_new_tokens, self.num_beams = max_new_tokens, num_beams
        self.seq2seq = lm.xlt_family == "encoder-decoder"
        self._positions = "position_ids" in inspect.signature(lm.forward).parameters

    def forward(self, batch: dict[str, torch.Tensor], task: str | None = None) -> torch.Tensor:
        if self.seq2seq:
            return self.lm(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                           labels=batch["target_ids"]).loss
        ids, mask, labels = self._joined(batch["input_ids"], batch["attention_mask"], batch["target_ids"])
        logits = self.lm(input_ids=ids, attention_mask=mask, **self._position_ids(mask)).logits
        return nn.functional.cross_entropy(logits[:, :-1].float().flatten(0, 1), labels[:, 1:].flatten(),
                                           ignore_index=IGNORE)

    def _joined(self, ids, mask, targets):
        """A decoder's training rows: [left padding, prompt, answer, right padding] and labels on the answer."""
        pad = self.lm.config.pad_token_id if self.lm.config.pad_token_id is not None else 0
        answer = targets.ne(IGNORE)
        joined = torch.cat([ids, torch.where(answer, targets, torch.full_like(targets, pad))], 1)
        labels = torch.cat([torch.full_like(ids, IGNORE), targets], 1)
        return joined, torch.cat([mask, answer.long()], 1), labels

    def _position_ids(self, mask: torch.Tensor) -> dict:
        return {"position_ids": (mask.cumsum(-1) - 1).clamp(min=0)} if self._positions else {}

    @torch.inference_mode()
    def generate(self, batch: dict[str, torch.Tensor]) -> list[list[int]]:
        """Greedy or beam search with the KV cache: the new tokens of each row (prompt cut off)."""
        out = self.lm.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                               max_new_tokens=self.max_new_tokens, num_beams=self.num_beams, do_sample=False,
                               use_cache=True, pad_token_id=self.lm.config.pad_token_id)
        new = out if self.seq2seq else out[:, batch["input_ids"].size(1):]
        return new.tolist()

    @torch.inference_mode()
    def candidate_scores(self, batch: dict[str, torch.Tensor], candidates: torch.Tensor) -> torch.Tensor:
        """[batch, choices]: the mean log-probability of each candidate's tokens given its row's
        prompt. `candidates`: [batch, choices, length], right-padded with -100."""
        b, c, length = candidates.shape
        ids = batch["input_ids"].repeat_interleave(c, 0)
        mask = batch["attention_mask"].repeat_interleave(c, 0)
        targets = candidates.reshape(b * c, length)
        if self.seq2seq:
            decoder_input = self.lm.prepare_decoder_input_ids_from_labels(labels=targets)
            logits = self.lm(input_ids=ids, attention_mask=mask, decoder_input_ids=decoder_input).logits
            labels = targets
        else:
            joined, joined_mask, labels = self._joined(ids, mask, targets)
            logits = self.lm(input_ids=joined, attention_mask=joined_mask, **self._position_ids(joined_mask)).logits
            logits, labels = logits[:, :-1], labels[:, 1:]
        logp = torch.log_softmax(logits.float(), -1)
        real = labels.ne(IGNORE)
        token = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * real
        return (token.sum(1) / real.sum(1).clamp(min=1)).view(b, c)
