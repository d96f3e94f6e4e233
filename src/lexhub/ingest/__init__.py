"""Contribution: reading the formats agencies send, and loading them atomically.

Import the pieces from their modules (`lexhub.ingest.load`, `lexhub.ingest.lifecycle`,
`lexhub.ingest.formats`, `lexhub.ingest.writers`): importing the package itself pulls in
nothing, so `synth` can use the writers without loading the normalizers.
"""
