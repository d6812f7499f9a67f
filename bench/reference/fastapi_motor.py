"""
Reference server for `pnpm bench`: the stack the GlobeCo Portfolio Service replaces, reduced to
the lookup the benchmark compares — FastAPI on one uvicorn worker (uvloop, httptools), Motor with
the original's production pool options and zlib wire compression (the only codec its client has
without extra packages), a Pydantic response model like the original's DTO, no middleware.

Reads PORT, MONGODB_URI, MONGODB_DATABASE (default `portfolio_db`), MONGODB_COLLECTION (default
`portfolio`); prints `listening <port>` once it accepts connections.
"""

import asyncio
import os
import signal
import sys
from datetime import datetime

import uvicorn
from bson import ObjectId
from bson.errors import InvalidId
from fastapi import FastAPI, HTTPException
from motor.motor_asyncio import AsyncIOMotorClient
from pydantic import BaseModel

client = AsyncIOMotorClient(
    os.environ["MONGODB_URI"],
    minPoolSize=5,
    maxPoolSize=20,
    serverSelectionTimeoutMS=5000,
    compressors="zlib",
    w=1,
    appname="globeco-bench-fastapi",
)
collection = client[os.environ.get("MONGODB_DATABASE", "portfolio_db")][os.environ.get("MONGODB_COLLECTION", "portfolio")]


class PortfolioResponseDTO(BaseModel):
    portfolioId: str
    name: str
    dateCreated: datetime
    version: int


app = FastAPI()


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.get("/api/v1/portfolio/{portfolio_id}", response_model=PortfolioResponseDTO)
async def get_portfolio(portfolio_id: str) -> PortfolioResponseDTO:
    try:
        oid = ObjectId(portfolio_id)
    except (InvalidId, TypeError):
        raise HTTPException(status_code=404, detail="Portfolio not found")
    doc = await collection.find_one({"_id": oid})
    if doc is None:
        raise HTTPException(status_code=404, detail="Portfolio not found")
    return PortfolioResponseDTO(portfolioId=str(doc["_id"]), name=doc["name"], dateCreated=doc["dateCreated"], version=doc["version"])


async def main() -> None:
    port = int(os.environ.get("PORT", "0"))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, workers=1, loop="uvloop", http="httptools", access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: setattr(server, "should_exit", True))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            sys.exit(1)
        await asyncio.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    print(f"listening {bound}", flush=True)
    await task
    client.close()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main())
