"""xlt: cross-lingual transfer sweeps (intermediate-task training, zero-shot evaluation)."""

__version__ = "0.1.0"
