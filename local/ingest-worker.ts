import { parentPort, workerData } from 'node:worker_threads';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../functions/core/alerts/alert.ts';
import { ingestLocalFile, localIngestParts } from './ingest-file.ts';
import {
  errorData,
  errorFrom,
  type FromThread,
  TABLE_COMMANDS,
  type TableCommandName,
  type ThreadData,
  type ToThread,
} from './ingest-threads.ts';

// An ingest thread (see IngestThreads): the pipeline's core here; the table and the publisher
// on the runtime's thread, asked by message.
const port = parentPort;
if (!port) throw new Error('ingest-worker.ts runs as an ingest thread of the local runtime');
const data = workerData as ThreadData;

const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;
const ask = (m: Extract<FromThread, { type: 'table' | 'publish' }>['type'], body: object): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    asked.set(id, { resolve, reject });
    port.postMessage({ type: m, id, ...body });
  });

const commandNames = new Map<unknown, TableCommandName>(
  Object.entries(TABLE_COMMANDS).map(([name, c]) => [c, name as TableCommandName]),
);
/** The table as the stores see it: each command sent to the runtime's thread, which serves it. */
const doc = {
  send: (command: { constructor: unknown; input: unknown }) => {
    const name = commandNames.get(command.constructor);
    if (!name) return Promise.reject(new Error('the table does not serve this command on an ingest thread'));
    return ask('table', { command: name, input: command.input });
  },
} as unknown as DynamoDBDocumentClient;

let feeds = new Map(data.feeds);
const parts = localIngestParts({
  doc,
  inbox: data.inbox,
  home: data.home,
  clock: { now: () => new Date() },
  publisher: {
    publish: (alerts: Alert[]) =>
      ask('publish', { alerts }) as Promise<{ failed: Array<{ id: string; reason: string }> }>,
  },
  feedTopics: (id) => feeds.get(id),
});

port.on('message', (m: ToThread) => {
  if (m.type === 'answer') {
    const waiting = asked.get(m.id);
    asked.delete(m.id);
    if (m.error) waiting?.reject(errorFrom(m.error));
    else waiting?.resolve(m.value);
  } else if (m.type === 'ingest') {
    void ingestLocalFile(m.path, parts, m.options).then(
      (outcome) => port.postMessage({ type: 'ingested', id: m.id, outcome } satisfies FromThread),
      (e: unknown) =>
        port.postMessage({ type: 'ingested', id: m.id, error: errorData(e) } satisfies FromThread),
    );
  } else if (m.type === 'topics-changed') {
    parts.matcher.refresh();
  } else {
    feeds = new Map(m.topics);
  }
});
