"""The read model: one snapshot of everything public per data version (`snapshot`), and the release data format
(`rowdata.encode_rows` / `decode_rows`). It imports the domain apps; pages, the API and releases read from it."""
