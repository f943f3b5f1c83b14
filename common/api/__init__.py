"""The API machinery every resource shares: formats, negotiation, filters, ordering, pagination, throttling, errors."""
