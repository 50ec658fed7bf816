"""Runs an engine service over a store until killed (for the crash-recovery test)."""

import sys
import time

from updraft.server._engine_service import EngineService
from updraft.store import open_store

if __name__ == "__main__":
    store, blobs = open_store(sys.argv[1])
    service = EngineService(store, blobs, owner="first", lease_s=float(sys.argv[2]))
    service.start()
    while True:
        time.sleep(1)
