"""Task heads, one per format. A head maps encoder states to logits; heads are per task,
while the encoder is shared across phases."""

import torch
from torch import nn

from xlt.tasks import TaskSpec


class ClassificationHead(nn.Module):
    """XLM-R's classification head: first-token state -> dense -> tanh -> dropout -> labels."""

    def __init__(self, hidden_size: int, num_labels: int, dropout: float = 0.1):
        super().__init__()
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.out_proj = nn.Linear(hidden_size, num_labels)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        x = self.dropout(hidden[:, 0])
        x = self.dropout(torch.tanh(self.dense(x)))
        return self.out_proj(x)


def build_head(task: TaskSpec, hidden_size: int) -> nn.Module:
    if task.format == "pair_classification":
        return ClassificationHead(hidden_size, task.num_labels)
    raise NotImplementedError(f"no head for format {task.format!r}")


class TaskModel(nn.Module):
    """Encoder + one task's head: what one phase trains (and what DDP wraps)."""

    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder = encoder
        self.head = head

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(hidden, attention_mask)
