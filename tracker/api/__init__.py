"""The public API's shared machinery, one module per concern (as DRF itself is laid out).

- `errors`: the JSON error shape and date parameters;
- `formats`: CSV, NDJSON and GeoJSON renderers and streaming;
- `pagination`, `ordering`, `filters`: paging, `?ordering=` and the filter field types, over snapshot rows;
- `conditional`: ETag, Last-Modified, 304s (from tracker/http_cache.py);
- `throttling`: per-client allowances;
- `viewsets`: the read-only base viewset every resource builds on.

These import no app code; the resource viewsets live in their apps (`jurisdictions/api.py`, `agreements/api.py`).
The endpoints that span apps (`stats`, `changes`, `docs`) import the apps, and no app imports them.
"""
