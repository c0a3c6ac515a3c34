"""The surrogate backend: a sweep's whole machinery at zero GPU cost, each phase answered by a
documented response model (`response.yaml`) instead of training. See docs/surrogate.md."""

from xlt.surrogate.model import Intermediate, ResponseError, ResponseModel

__all__ = ["Intermediate", "ResponseError", "ResponseModel"]
