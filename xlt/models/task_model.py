"""Encoder + one task's head: what a phase trains, and what DDP wraps. Heads come from formats."""

import torch
from torch import nn


class TaskModel(nn.Module):
    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        ids, mask = batch["input_ids"], batch["attention_mask"]
        choices = ids.dim() == 3  # multiple choice: [batch, choices, length] -> one row a choice
        if choices:
            b, c, length = ids.shape
            ids, mask = ids.reshape(b * c, length), mask.reshape(b * c, length)
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        logits = self.head(hidden, mask)
        return logits.view(b, c) if choices else logits
