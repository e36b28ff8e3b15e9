"""Request files from the command line: read, recognised (CDS Hooks request or FHIR Bundle), validated
as the service would, or refused with the file's name and what is wrong."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from service.api.bundle_request import NotAHookRequest, hook_request
from service.guideline.model import Hook
from service.samples import request_files
from service.wire.errors import CdsError
from service.wire.requests import CONTEXT_MODELS, parse_hook_request


class InputError(Exception):
    """A file the command cannot use: printed as `<file>: <what is wrong>`."""

    def __init__(self, source: Path, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories as their request files (every `*.json` but `*.expected.json`)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = request_files(path)
            if not found:
                raise InputError(path, "directory holds no .json request files")
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise InputError(path, "no such file or directory")
    return files


def read_json(path: Path) -> object:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise InputError(path, f"cannot be read: {error.strerror or error.__class__.__name__}") from None
    except UnicodeDecodeError:
        raise InputError(path, "not JSON: the file is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"not JSON: {error.msg} at line {error.lineno}, "
                               f"column {error.colno}") from None


def validated(request: dict[str, Any]) -> None:
    """Raise CdsError for what the service would answer 400 to."""
    hook = request.get("hook")
    if not isinstance(hook, str) or hook not in CONTEXT_MODELS:
        raise CdsError(400, [f"hook: {hook!r} is not one of {', '.join(CONTEXT_MODELS)}"])
    parse_hook_request(orjson.dumps(request), hook)


def load_request(path: Path, hook: Hook | None) -> dict[str, Any]:
    """The CDS Hooks request in `path`, or made from the Bundle in `path`, for `hook`."""
    try:
        request = hook_request(read_json(path), hook)
        validated(request)
    except NotAHookRequest as error:
        raise InputError(path, str(error)) from None
    except CdsError as error:
        raise InputError(path, "; ".join(error.messages)) from None
    return request
