"""The whole local stack in one object: used by `make run` and by the test session."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import requests
from moto.server import ThreadedMotoServer

from tallyboard.data import aws as aws_clients
from tallyboard.settings import get_settings
from tallyboard_local import aws_calls, moto_fixes, resources
from tallyboard_local.functions import Functions, install_step_functions_seam
from tallyboard_local.gateway import Gateway, GatewayServer
from tallyboard_local.schedules import SchedulePump
from tallyboard_local.streams import StreamPump

STACK_NAME = "tallyboard-local"
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass
class LocalStack:
    port: int = 3000
    host: str = "127.0.0.1"
    # moto in a child process (tallyboard_local/moto_server.py), so that this process holds only
    # the API: the load bench measures its memory. Export workflows need moto in-process (its
    # Step Functions interpreter calls the in-process handlers).
    separate_moto: bool = False
    moto: ThreadedMotoServer | None = None
    moto_process: subprocess.Popen[str] | None = None
    server: GatewayServer | None = None
    functions: Functions | None = None
    schedules: SchedulePump | None = None
    streams: StreamPump | None = None
    environment: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)  # logical id → local physical id
    _moto_port: int = field(default=0, init=False, repr=False)

    @property
    def base_url(self) -> str:
        assert self.server
        return self.server.base_url

    @property
    def aws_endpoint_url(self) -> str:
        return f"http://{self.host}:{self._moto_port}"

    def _start_moto(self) -> int:
        if self.separate_moto:
            command = [sys.executable, "-m", "tallyboard_local.moto_server", self.host]
            self.moto_process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
            assert self.moto_process.stdout
            return int(self.moto_process.stdout.readline())
        moto_fixes.apply()
        self.moto = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        self.moto.start()
        return int(self.moto.get_host_and_port()[1])

    def _endpoints(self) -> dict[str, str]:
        """Where clients send their calls. With moto in this process, only S3 goes over HTTP (a
        presigned URL must work for any HTTP client, curl and browsers too); every other call
        is served by moto's botocore hook from the same backends, skipping a TCP connection,
        werkzeug and moto's URL dispatch: ~4 of the ~7 ms a DynamoDB call costs locally."""
        if self.separate_moto:
            return {"AWS_ENDPOINT_URL": self.aws_endpoint_url}
        from moto.core.models import botocore_stubber

        botocore_stubber.enabled = True
        os.environ.pop("AWS_ENDPOINT_URL", None)
        return {"AWS_ENDPOINT_URL_S3": self.aws_endpoint_url}

    def start(self) -> LocalStack:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
        self._moto_port = moto_port = self._start_moto()
        aws = {
            **self._endpoints(),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "MOTO_PORT": str(moto_port),  # moto's Step Functions interpreter calls Lambda here
        }
        os.environ.update(aws)
        requests.post(
            f"{self.aws_endpoint_url}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
            timeout=10,
        ).raise_for_status()
        resolver = resources.create_all(STACK_NAME, REGION, ACCOUNT)
        aws_calls.install()
        aws_calls.local_names.update(resolver.names)
        self.resources = resolver.names
        self.environment = {
            **aws,
            **resources.function_environment(resolver),
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
        os.environ.update(self.environment)
        # Settings and clients are made once per process; anything made before this point (an
        # import, a unit test, an earlier stack) must not keep the old names and endpoint.
        get_settings.cache_clear()
        aws_clients.client.cache_clear()
        self.functions = Functions()
        install_step_functions_seam(self.functions)
        self.server = GatewayServer(Gateway(self.functions), self.host, self.port)
        self.server.start()
        self.schedules = SchedulePump(self.functions).start()
        self.streams = StreamPump(self.functions).start()
        return self

    def stop(self) -> None:
        if self.streams:
            self.streams.stop()
        if self.schedules:
            self.schedules.stop()
        if self.server:
            self.server.stop()
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):  # a later stack or client sets its own
            if os.environ.get(name) == self.aws_endpoint_url:
                del os.environ[name]
        if self.moto:
            from moto.core.models import botocore_stubber

            botocore_stubber.enabled = False
            # moto's state is process-wide: reset it so a later stack starts empty.
            requests.post(f"{self.aws_endpoint_url}/moto-api/reset", timeout=10)
            self.moto.stop()
        if self.moto_process:
            self.moto_process.terminate()
            self.moto_process.wait(timeout=30)

    def demo_file(self, demo: dict[str, Any]) -> dict[str, Any]:
        return {
            "baseUrl": self.base_url,
            "apiKey": demo["apiKey"],
            "projectKey": demo["projectKey"],
            "projectId": demo["projectId"],
            "workspaceId": demo["workspaceId"],
            "awsEndpointUrl": self.aws_endpoint_url,
            # What `tallyboard-local invoke` needs to run handlers against this stack.
            "resources": self.resources,
        }


def wait_for_workflows(timeout_s: float = 60.0) -> None:
    """Wait until no Step Functions execution runs (moto runs them in threads of its own)."""
    import time

    import boto3

    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout_s
    machines = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    while time.monotonic() < deadline:
        running = [
            e
            for machine in machines
            for e in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
        ]
        if not running:
            return
        time.sleep(0.05)
    raise TimeoutError(f"Step Functions executions still running after {timeout_s} s")


def write_json(path: os.PathLike[str] | str, data: dict[str, Any]) -> None:
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
