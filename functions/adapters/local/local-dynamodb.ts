import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { ensureTable } from '../aws/table-setup.ts';
import { guardTable, type LocalTableKey, newTableKey } from './table-guard.ts';

/** The name of the table on one machine (dynalite refuses names under three characters). */
export const LOCAL_TABLE_NAME = 'newswatch';

/**
 * SDK clients for the DynamoDB endpoint on this machine, configured as the Lambda's are and
 * signing with the table key (the endpoint refuses any other).
 */
export const localDynamoClients = (endpoint: string, key: LocalTableKey) => {
  const dynamodb = new DynamoDBClient({ region: 'local', credentials: key, endpoint, maxAttempts: 3 });
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { dynamodb, doc };
};

/** The data folder is held by another process (LevelDB allows one writer). */
export class DataFolderBusyError extends Error {
  override readonly name = 'DataFolderBusyError';
}

/**
 * Opens and closes the LevelDB folder first: dynalite opens it lazily and cannot report a
 * lock held by another process, so the check is made here, where it can be said plainly.
 */
const probeDataFolder = async (dataDir: string): Promise<void> => {
  const probe = new Level(dataDir);
  try {
    await probe.open();
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    throw new DataFolderBusyError(
      code === 'LEVEL_LOCKED'
        ? `the data folder ${dataDir} is in use by another newswatch process`
        : `the data folder ${dataDir} cannot be opened: ${(e as Error).message}`,
    );
  }
  await probe.close();
};

/** A DynamoDB API served in this process by dynalite, its data kept in a folder. */
export interface LocalDynamo {
  endpoint: string;
  /** The key requests must be signed with. */
  key: LocalTableKey;
  dynamodb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** True when the table was created by this start (an empty store). */
  created: boolean;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 (a free port unless one is given) over LevelDB files in
 * `dataDir`, and makes sure the newswatch table exists. The endpoint answers only requests
 * signed with `key` (a new random one unless given), sent to 127.0.0.1, localhost or [::1]
 * with its port, by no web page (see {@link guardTable}).
 */
export const startLocalDynamo = async (
  dataDir: string,
  options: { port?: number; key?: LocalTableKey } = {},
): Promise<LocalDynamo> => {
  mkdirSync(dataDir, { recursive: true });
  await probeDataFolder(dataDir);
  const key = options.key ?? newTableKey();
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [dynaliteHandler] = server.listeners('request') as Parameters<typeof guardTable>[0][];
  if (!dynaliteHandler) throw new Error('dynalite serves no requests');
  server.removeAllListeners('request');
  server.on(
    'request',
    guardTable(dynaliteHandler, key, () => (server.address() as AddressInfo).port),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients = localDynamoClients(endpoint, key);
  const close = () =>
    new Promise<void>((resolve) => {
      clients.dynamodb.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const created = await ensureTable(clients.dynamodb, LOCAL_TABLE_NAME);
  return { endpoint, key, ...clients, tableName: LOCAL_TABLE_NAME, created, close };
};
