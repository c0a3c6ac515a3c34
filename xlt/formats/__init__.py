"""Task formats: behaviour (encoding, head, loss, decoding, scoring) hangs off a task's format."""

from xlt.formats.base import Features, Format
from xlt.formats.classification import Classification, Ranking
from xlt.formats.generation import Generation
from xlt.formats.masked_lm import MaskedLM
from xlt.formats.multiple_choice import MultipleChoice
from xlt.formats.retrieval import Retrieval
from xlt.formats.span import SpanExtraction
from xlt.formats.tagging import Tagging

FORMATS: dict[str, Format] = {f.name: f for f in (Classification(), Ranking(), MultipleChoice(), SpanExtraction(),
                                                   Tagging(), Retrieval(), MaskedLM(), Generation())}

__all__ = ["FORMATS", "Features", "Format"]
