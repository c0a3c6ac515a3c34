"""Masked language modelling on raw multilingual text (the `mlm` task, continued pre-training
inside an intermediate mixture).

Texts are concatenated and cut into blocks of the sequence length. Each batch masks 15% of its
tokens (80% <mask>, 10% a random token, 10% unchanged) with a generator seeded by the batch's
example indices, so every DDP rank and every evaluation sees the same masks. The head is the
backbone's pretrained LM head (randomly initialised where the checkpoint has none), its decoder
tied to the encoder's input embeddings. Metric: accuracy of the masked-token predictions.

Canonical record: {"text": str}.
"""

import torch
import torch.nn.functional as F
from torch import nn

from xlt.data.errors import DataError
from xlt.formats.base import IGNORE, Features, Format, HeadSource, inputs
from xlt.models.backbone import backbone_of
from xlt.models.registry import resolve_model

MASK_PROBABILITY = 0.15


class LMHead(nn.Module):
    def __init__(self, lm_head: nn.Module):
        super().__init__()
        self.lm_head = lm_head

    def forward(self, hidden, attention_mask):
        return self.lm_head(hidden)


class MaskedLM(Format):
    name = "masked_lm"

    def validate(self, task, record):
        if not isinstance(record["text"], str) or not record["text"].strip():
            return "field 'text' must be a non-empty string"
        return None

    def encode(self, task, records, tokenizer, max_length):
        block = max_length - 2
        stream: list[int] = []
        for ids in tokenizer([r["text"] for r in records], add_special_tokens=False)["input_ids"]:
            stream += ids + [tokenizer.eos_token_id]
        blocks = [[tokenizer.bos_token_id, *stream[i:i + block], tokenizer.eos_token_id]
                  for i in range(0, len(stream), block) if len(stream[i:i + block]) > 1]
        special = sorted(set(tokenizer.all_special_ids))
        return Features(blocks, list(range(len(blocks))),
                        {"mask_token_id": tokenizer.mask_token_id, "special_ids": special,
                         "vocab_size": len(tokenizer)}, len(blocks))

    def collate(self, features, indices, pad_id):
        batch = inputs(features, indices, pad_id)
        ids = batch["input_ids"].clone()
        gen = torch.Generator().manual_seed(hash(tuple(indices)) % (2 ** 31))
        maskable = ~torch.isin(ids, torch.tensor(features.fields["special_ids"]))
        chosen = (torch.rand(ids.shape, generator=gen) < MASK_PROBABILITY) & maskable
        if not chosen.any():  # at least one target per batch
            first = maskable.nonzero()[:1]
            chosen[tuple(first.T)] = True
        labels = torch.where(chosen, ids, torch.full_like(ids, IGNORE))
        roll = torch.rand(ids.shape, generator=gen)
        ids[chosen & (roll < 0.8)] = features.fields["mask_token_id"]
        randomise = chosen & (roll >= 0.8) & (roll < 0.9)
        ids[randomise] = torch.randint(features.fields["vocab_size"], ids.shape, generator=gen)[randomise]
        return {"input_ids": ids, "attention_mask": batch["attention_mask"], "labels": labels}

    def lm_head(self, encoder: nn.Module, model_path: str, trust_remote_code: bool = False) -> nn.Module:
        """The backbone's LM head from its masked-LM checkpoint, tied to `encoder`'s embeddings."""
        from transformers import AutoModelForMaskedLM

        mlm = AutoModelForMaskedLM.from_pretrained(model_path, trust_remote_code=trust_remote_code)
        head = getattr(mlm, "lm_head", None) or getattr(mlm, "cls", None)
        if head is None:
            raise ValueError(f"{model_path}: no masked-LM head (lm_head/cls) to train the mlm task with")
        decoder = mlm.get_output_embeddings()
        decoder.weight = encoder.get_input_embeddings().weight
        return LMHead(head)

    def head(self, task, hidden_size, pooling="first"):
        raise TypeError("masked_lm heads come from the backbone: use MaskedLM.build_head(task, encoder, source)")

    def build_head(self, task, encoder: nn.Module, source: HeadSource) -> nn.Module:
        """The backbone's own LM head, tied to its embeddings: an encoder's only."""
        family = backbone_of(encoder).family
        if family != "encoder":
            raise DataError(f"task {task.name!r} (masked LM) needs an encoder with a masked-LM head; "
                            f"{source.model} is a {family} model")
        return self.lm_head(encoder, resolve_model(source.model), source.trust_remote_code)

    def loss(self, logits, batch):
        return F.cross_entropy(logits.float().flatten(0, 1), batch["labels"].flatten(), ignore_index=IGNORE)

    def decode(self, logits, batch):
        """Per block: (correct, masked) token counts."""
        masked = batch["labels"] != IGNORE
        correct = (logits.argmax(-1) == batch["labels"]) & masked
        return list(zip(correct.sum(1).tolist(), masked.sum(1).tolist()))

    def score(self, task, records, features, outputs, language):
        correct, total = (sum(x) for x in zip(*outputs)) if outputs else (0, 0)
        return {"accuracy": correct / total if total else 0.0}, []

    def gold(self, task, records):
        return ""
