"""The endpoints that span apps: `stats`, `changes`, `docs`. They import the apps; no app imports them.

The machinery every resource shares (formats, conditional GET, the base viewset) is the library's: common/api/.
"""
