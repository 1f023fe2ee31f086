import argparse
import asyncio
import uuid

from temporalio.client import Client

from hello.config import ADDRESS, NAMESPACE, TASK_QUEUE
from hello.workflows import ApprovalWorkflow, GreetingWorkflow


async def run(args: argparse.Namespace) -> None:
    client = await Client.connect(ADDRESS, namespace=NAMESPACE)
    workflow = ApprovalWorkflow.run if args.approval else GreetingWorkflow.run
    prefix = "approval" if args.approval else "greeting"
    handle = await client.start_workflow(
        workflow, args.name, id=f"{prefix}-{uuid.uuid4().hex[:8]}", task_queue=TASK_QUEUE
    )
    print(f"Started workflow {handle.id} (run {handle.result_run_id})", flush=True)
    if args.wait:
        print(f"Result: {await handle.result()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Start a hello workflow")
    parser.add_argument("--name", default="Temporal")
    parser.add_argument("--approval", action="store_true", help="start the approval workflow")
    parser.add_argument("--wait", action="store_true", help="block until the result")
    asyncio.run(run(parser.parse_args()))
