"""The API's parts that read the snapshot, and the endpoints that span apps.

- `conditional`: ETag, Last-Modified, 304s from the data version (common/http_cache.py), the snapshot chosen;
- `viewsets`: the read-only base viewset every resource builds on (the machinery it uses is in common/api/);
- `stats`, `changes`, `docs`: endpoints that import the apps; no app imports them.
"""
