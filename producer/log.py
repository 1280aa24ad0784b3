"""The producer's one structured logger (Powertools JSON), shared by its modules."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME") or "quotepipe-producer")
