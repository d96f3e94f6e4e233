"""One reader per ingest format; each yields `formats.ReadItem`s. Use `formats.read_batch`."""
