from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from hello.activities import compose_greeting


@workflow.defn
class GreetingWorkflow:
    """Runs one activity and returns its greeting."""

    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            compose_greeting, name, start_to_close_timeout=timedelta(seconds=10)
        )


@workflow.defn
class ApprovalWorkflow:
    """Waits for an `approve` signal, then greets whoever approved."""

    def __init__(self) -> None:
        self._approver: str | None = None

    @workflow.signal
    def approve(self, approver: str) -> None:
        self._approver = approver

    @workflow.query
    def status(self) -> str:
        return "approved" if self._approver else "waiting for approval"

    @workflow.run
    async def run(self, name: str) -> str:
        await workflow.wait_condition(lambda: self._approver is not None)
        greeting = await workflow.execute_activity(
            compose_greeting, name, start_to_close_timeout=timedelta(seconds=10)
        )
        return f"{greeting} (approved by {self._approver})"
