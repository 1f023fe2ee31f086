"""Connection settings shared by the worker and the starter (same variables as tshell)."""
import os

ADDRESS = os.environ.get("TEMPORAL_ADDRESS", "localhost:7233")
NAMESPACE = os.environ.get("TEMPORAL_NAMESPACE", "default")
TASK_QUEUE = os.environ.get("HELLO_TASK_QUEUE", "hello-tasks")
