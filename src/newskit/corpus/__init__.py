"""Stage 1, ingest: read raw articles, repair their encoding, strip page furniture, give each a stable id."""
