"""Stage 2, split: the German news sentence splitter, and the stage that writes sentences with offsets.

``segment(text)`` and ``segment_many(texts)`` are the splitter's public API.
"""

from newskit.segment.segmenter import get_pipeline, segment, segment_many

__all__ = ["get_pipeline", "segment", "segment_many"]
