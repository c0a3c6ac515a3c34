"""Backbones, heads and the model registry."""
