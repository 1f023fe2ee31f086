// The warm helper loads the Temporal client and builds the protobuf codecs its commands use before
// the first request arrives, so that request does not pay for them (measured here: ~300 ms of module
// loading and ~60 ms of codec generation on the first describe after the helper started).
import { loadEnums } from './enums.js';

export async function prewarmTemporal(): Promise<void> {
  const [{ default: proto }] = await Promise.all([
    import('@temporalio/proto'),
    import('@temporalio/client'),
    import('@temporalio/common'),
    loadEnums(),
  ]);
  const ws = proto.temporal.api.workflowservice.v1;
  // protobufjs generates a type's encoder and decoder on first use, nested types when first met:
  // one round trip of a filled-in message reaches the nested ones too.
  const samples: [
    { fromObject(o: object): object; encode(m: object): { finish(): Uint8Array }; decode(b: Uint8Array): unknown },
    object,
  ][] = [
    [ws.DescribeWorkflowExecutionRequest, { namespace: 'n', execution: { workflowId: 'w', runId: 'r' } }],
    [
      ws.DescribeWorkflowExecutionResponse,
      {
        executionConfig: { taskQueue: { name: 'q' }, workflowRunTimeout: { seconds: 1 } },
        workflowExecutionInfo: {
          execution: { workflowId: 'w', runId: 'r' },
          type: { name: 't' },
          startTime: { seconds: 1 },
          status: 1,
          historyLength: 1,
          memo: { fields: { k: { data: new Uint8Array(1) } } },
          searchAttributes: { indexedFields: { k: { data: new Uint8Array(1) } } },
        },
        pendingActivities: [
          {
            activityId: 'a',
            activityType: { name: 't' },
            state: 1,
            attempt: 1,
            lastFailure: { message: 'm', applicationFailureInfo: { type: 'E' }, cause: { message: 'c' } },
            heartbeatDetails: { payloads: [{ data: new Uint8Array(1) }] },
            scheduledTime: { seconds: 1 },
          },
        ],
        pendingWorkflowTask: { state: 1, attempt: 1, scheduledTime: { seconds: 1 } },
        pendingChildren: [{ workflowId: 'c' }],
      },
    ],
    [ws.ListWorkflowExecutionsRequest, { namespace: 'n', query: 'q', pageSize: 1 }],
    [
      ws.ListWorkflowExecutionsResponse,
      {
        executions: [
          {
            execution: { workflowId: 'w' },
            type: { name: 't' },
            startTime: { seconds: 1 },
            closeTime: { seconds: 1 },
            status: 1,
            taskQueue: 'q',
          },
        ],
      },
    ],
    [ws.GetWorkflowExecutionHistoryRequest, { namespace: 'n', execution: { workflowId: 'w' } }],
    [
      ws.GetWorkflowExecutionHistoryResponse,
      {
        history: {
          events: [
            {
              eventId: 1,
              eventType: 1,
              workflowExecutionStartedEventAttributes: {
                workflowType: { name: 't' },
                input: { payloads: [{ data: new Uint8Array(1) }] },
              },
            },
          ],
        },
      },
    ],
    [ws.DescribeTaskQueueRequest, { namespace: 'n', taskQueue: { name: 'q' } }],
    [ws.DescribeTaskQueueResponse, { pollers: [{ identity: 'i', lastAccessTime: { seconds: 1 } }] }],
    [ws.ListWorkersRequest, { namespace: 'n' }],
    [
      ws.ListWorkersResponse,
      { workersInfo: [{ workerHeartbeat: { workerIdentity: 'i', taskQueue: 'q', hostInfo: { processId: '1' } } }] },
    ],
  ];
  for (const [type, sample] of samples) type.decode(type.encode(type.fromObject(sample)).finish());
}
