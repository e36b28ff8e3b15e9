"""The baselines the service is measured against, served like the service (uvicorn, one worker).

`raw_app`: a bare FastAPI route that reads the raw body and answers `{"cards": []}`, the floor.
`dict_app`: a FastAPI route that declares the body as `dict`, FastAPI's own default JSON body handling.
`parse_app`: the raw route that also parses the body with orjson, as the service does: what any service
that reads the request pays before it evaluates anything.
All answer on the service's order-sign path so the same load script drives them all.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.workload import SERVICE_PATH

raw_app = FastAPI()
dict_app = FastAPI()
parse_app = FastAPI()


@raw_app.post(SERVICE_PATH)
async def raw_body(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"cards": []})


@dict_app.post(SERVICE_PATH)
async def dict_body(body: dict[str, Any]) -> dict[str, Any]:
    return {"cards": []}


@parse_app.post(SERVICE_PATH)
async def parsed_body(request: Request) -> JSONResponse:
    orjson.loads(await request.body())
    return JSONResponse({"cards": []})
