"""Reading a small HTML form posted to one of our own routes (sign-in, survey answers)."""
from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request


async def read_form(request: Request, max_bytes: int, max_fields: int) -> dict[str, str] | None:
    """The posted fields (the first value of each), or None when the body is larger than
    ``max_bytes`` or has more than ``max_fields`` fields: no real form of ours is, so the request is
    refused before it is parsed further."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=max_fields)
    except ValueError:  # more fields than max_fields
        return None
    return {key: values[0] for key, values in fields.items()}
