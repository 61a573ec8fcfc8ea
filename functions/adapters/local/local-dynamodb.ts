import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { Level } from 'level';
import { ensureTable } from '../aws/table-setup.ts';
import { EmbeddedTable, NEWSWATCH_SCHEMA } from './embedded-table.ts';
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

/** The SQLite file of the table, in the data folder. */
export const LOCAL_TABLE_FILE = 'newswatch.sqlite';

/** The table of one machine, kept in `data/newswatch.sqlite` and served in this process. */
export interface LocalTable {
  table: EmbeddedTable;
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Items copied from a data folder written by dynalite (LevelDB) at this start, if any. */
  migrated?: { items: number; keptIn: string };
  close(): Promise<void>;
}

/**
 * Copies every item of a data folder that dynalite wrote (LevelDB files) into the table, then
 * moves those files aside into `leveldb-before-sqlite/`, so the copy is made once and the
 * old data stays on disk until it is removed by hand.
 */
const migrateLevelFolder = async (dataDir: string, table: EmbeddedTable): Promise<LocalTable['migrated']> => {
  const dynamo = await startLocalDynamo(dataDir);
  let items = 0;
  try {
    const target = table.asDocumentClient();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.doc.send(
        new ScanCommand({ TableName: dynamo.tableName, ExclusiveStartKey: start }),
      );
      const found = page.Items ?? [];
      for (let i = 0; i < found.length; i += 25) {
        const RequestItems = {
          [table.tableName]: found.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
        };
        await target.send(new BatchWriteCommand({ RequestItems }));
      }
      items += found.length;
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    await dynamo.close();
  }
  const keptIn = join(dataDir, 'leveldb-before-sqlite');
  mkdirSync(keptIn, { recursive: true });
  for (const name of readdirSync(dataDir)) {
    if (name.startsWith(LOCAL_TABLE_FILE) || name === 'leveldb-before-sqlite') continue;
    renameSync(join(dataDir, name), join(keptIn, name));
  }
  return { items, keptIn };
};

/**
 * Opens the table of one machine in `dataDir` (made when absent). A data folder written by
 * dynalite, as newswatch kept it before, is copied in at the first open. Other processes (the
 * `newswatch` command beside a running runtime) open the same file: SQLite makes each write
 * atomic across them.
 */
export const openLocalTable = async (dataDir: string): Promise<LocalTable> => {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCAL_TABLE_FILE);
  const fresh = !existsSync(file);
  const table = new EmbeddedTable(file, LOCAL_TABLE_NAME, NEWSWATCH_SCHEMA);
  try {
    const migrated =
      fresh && existsSync(join(dataDir, 'CURRENT')) ? await migrateLevelFolder(dataDir, table) : undefined;
    return {
      table,
      doc: table.asDocumentClient(),
      tableName: LOCAL_TABLE_NAME,
      ...(migrated ? { migrated } : {}),
      close: () => table.close(),
    };
  } catch (e) {
    await table.close();
    if (fresh) rmSync(file, { force: true });
    throw e;
  }
};
