import asyncio

from temporalio.client import Client
from temporalio.worker import Worker

from hello.activities import compose_greeting
from hello.config import ADDRESS, NAMESPACE, TASK_QUEUE
from hello.workflows import ApprovalWorkflow, GreetingWorkflow


async def run() -> None:
    client = await Client.connect(ADDRESS, namespace=NAMESPACE)
    worker = Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[GreetingWorkflow, ApprovalWorkflow],
        activities=[compose_greeting],
    )
    print(f"Worker started, listening on task queue: {TASK_QUEUE}", flush=True)
    await worker.run()


def main() -> None:
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
