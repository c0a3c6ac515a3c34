"""Multiple choice (HellaSwag, CosmosQA, CommonsenseQA, XCOPA): each (context, choice) pair is
encoded and scored, and the softmax runs over the choices. Scoring: a head on the pooled state
(first token, mean, or a decoder's last token), or on decoders the choice's log-likelihood under
the model's own LM head (`model.choice_scoring: loglik`: the mean log-probability of the choice's
tokens given the context and the tokens before them).

Canonical record: {"context": str, "choices": list[str], "label": int}.
"""

import torch
import torch.nn.functional as F
from torch import nn

from xlt.data.errors import DataError
from xlt.formats.base import Features, Format, HeadSource, PooledHead, pad
from xlt.models.backbone import backbone_of
from xlt.models.registry import resolve_model
from xlt.metrics import accuracy


class ChoiceHead(nn.Module):
    def __init__(self, hidden_size: int, pooling: str = "first"):
        super().__init__()
        self.scorer = PooledHead(hidden_size, 1, pooling=pooling)

    def forward(self, hidden, attention_mask):
        return self.scorer(hidden, attention_mask).squeeze(-1)


class LoglikChoiceHead(nn.Module):
    """A decoder's LM head scoring each (context, choice) row by the mean log-probability of the
    choice's tokens: position t-1 predicts token t where `answer_mask[t]` is 1."""

    wants_tokens = True

    def __init__(self, lm_head: nn.Module):
        super().__init__()
        self.lm_head = lm_head

    def forward(self, hidden, attention_mask, input_ids, answer_mask):
        logp = torch.log_softmax(self.lm_head(hidden[:, :-1]).float(), dim=-1)
        token_logp = logp.gather(-1, input_ids[:, 1:].unsqueeze(-1)).squeeze(-1)
        m = answer_mask[:, 1:].to(token_logp.dtype)
        return (token_logp * m).sum(1) / m.sum(1).clamp(min=1)


class MultipleChoice(Format):
    name = "multiple_choice"

    def validate(self, task, record):
        if not record["choices"] or not all(isinstance(c, str) for c in record["choices"]):
            return "field 'choices' must be a non-empty list of strings"
        if not isinstance(record["label"], int) or not 0 <= record["label"] < len(record["choices"]):
            return f"field 'label' is {record['label']!r}, expected an index into {len(record['choices'])} choices"
        return None

    def encode(self, task, records, tokenizer, max_length):
        ids, answers = [], []
        for r in records:
            enc = tokenizer([r["context"]] * len(r["choices"]), r["choices"], truncation="only_first",
                            max_length=max_length)
            ids.append(enc["input_ids"])
            # which tokens are the choice's (the second segment): what log-likelihood scoring sums
            answers.append([[int(s == 1) for s in enc.sequence_ids(j)] for j in range(len(r["choices"]))])
        return Features(ids, list(range(len(ids))), {"labels": [r["label"] for r in records], "answers": answers},
                        len(records))

    def collate(self, features, indices, pad_id):
        groups = [features.input_ids[i] for i in indices]
        n_choices, width = max(map(len, groups)), max(len(s) for g in groups for s in g)
        # a missing choice repeats the first (masked out of the softmax by choice_mask)
        flat = [s for g in groups for s in g + [g[0]] * (n_choices - len(g))]
        ids = pad(flat, pad_id, width).view(len(groups), n_choices, width)
        valid = torch.tensor([[j < len(g) for j in range(n_choices)] for g in groups])
        answers = [features.fields["answers"][i] for i in indices]
        answer_mask = pad([a for g in answers for a in g + [g[0]] * (n_choices - len(g))], 0, width)
        return {"input_ids": ids, "attention_mask": (ids != pad_id).long(), "choice_mask": valid,
                "answer_mask": answer_mask.view(len(groups), n_choices, width),
                "labels": torch.tensor([features.fields["labels"][i] for i in indices])}

    def gold(self, task, records):
        return "".join(f"{r['label']}\n" for r in records)

    def head(self, task, hidden_size, pooling="first"):
        return ChoiceHead(hidden_size, pooling)

    def build_head(self, task, encoder: nn.Module, source: HeadSource) -> nn.Module:
        """A choice head on pooled states, or with `choice_scoring: loglik` a decoder's own LM head
        scoring each choice's tokens."""
        if source.choice_scoring != "loglik":
            return super().build_head(task, encoder, source)
        family = backbone_of(encoder).family
        if family != "decoder":
            raise DataError(f"model.choice_scoring loglik needs a decoder-only model's LM head; "
                            f"{source.model} is an {family} model")
        return self.loglik_head(encoder, resolve_model(source.model), source.trust_remote_code)

    def loglik_head(self, encoder: nn.Module, model_path: str, trust_remote_code: bool = False) -> nn.Module:
        """The decoder's own LM head from its causal-LM checkpoint (tied to the embeddings when the
        model ties them)."""
        from transformers import AutoModelForCausalLM

        lm = AutoModelForCausalLM.from_pretrained(model_path, trust_remote_code=trust_remote_code)
        head = lm.get_output_embeddings()
        if getattr(lm.config, "tie_word_embeddings", False):
            head.weight = encoder.get_input_embeddings().weight
        return LoglikChoiceHead(head)

    def _masked(self, logits, batch):
        return logits.float().masked_fill(~batch["choice_mask"], float("-inf"))

    def loss(self, logits, batch):
        return F.cross_entropy(self._masked(logits, batch), batch["labels"])

    def decode(self, logits, batch):
        return self._masked(logits, batch).argmax(-1).tolist()

    def score(self, task, records, features, outputs, language):
        return {"accuracy": accuracy([r["label"] for r in records], outputs)}, [str(p) for p in outputs]
