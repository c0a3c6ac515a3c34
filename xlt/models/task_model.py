"""Encoder + heads: what a phase trains, and what DDP wraps. Heads come from formats."""

import torch
from torch import nn


def _forward(encoder: nn.Module, head: nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    ids, mask = batch["input_ids"], batch["attention_mask"]
    choices = ids.dim() == 3  # multiple choice: [batch, choices, length] -> one row a choice
    if choices:
        b, c, length = ids.shape
        ids, mask = ids.reshape(b * c, length), mask.reshape(b * c, length)
    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    if getattr(head, "wants_tokens", False):  # log-likelihood scoring reads the tokens it scores
        answers = batch["answer_mask"]
        logits = head(hidden, mask, ids, answers.reshape(ids.shape) if choices else answers)
    else:
        logits = head(hidden, mask)
    return logits.view(b, c) if choices else logits


class TaskModel(nn.Module):
    """The encoder and one task's head."""

    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, batch: dict[str, torch.Tensor], task: str | None = None) -> torch.Tensor:
        """`task` is ignored: one head (the training loop names the task for mixtures' sake)."""
        return _forward(self.encoder, self.head, batch)


class MultiTaskModel(nn.Module):
    """One shared encoder, one head per task of a mixture; each step runs one task's head."""

    def __init__(self, encoder: nn.Module, heads: nn.ModuleDict):
        super().__init__()
        self.encoder = encoder
        self.heads = heads

    def forward(self, batch: dict[str, torch.Tensor], task: str) -> torch.Tensor:
        return _forward(self.encoder, self.heads[task], batch)

    def task_model(self, task: str) -> TaskModel:
        return TaskModel(self.encoder, self.heads[task])
