import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { EmbeddedTable, NEWSWATCH_SCHEMA } from '../../../functions/adapters/local/embedded-table.ts';
import { createTable, emulatorClients } from './emulator.ts';

/** A fresh newswatch table on one DynamoDB implementation, and how to let it go. */
export interface TestTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
  close(): Promise<void>;
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${n++}`;

/** Moto: the DynamoDB the AWS path is tested on. */
const moto = async (): Promise<TestTable> => {
  const c = emulatorClients(inject('motoEndpoint'));
  const tableName = unique('contract');
  await createTable(c.dynamodb, tableName);
  return { doc: c.doc, tableName, close: async () => c.dynamodb.destroy() };
};

/** The SQLite table the local runtime keeps its data in. */
const embedded = async (): Promise<TestTable> => {
  const dir = mkdtempSync(join(tmpdir(), 'newswatch-table-'));
  const table = new EmbeddedTable(join(dir, 'newswatch.db'), 'newswatch', NEWSWATCH_SCHEMA);
  return {
    doc: table.asDocumentClient(),
    tableName: table.tableName,
    close: async () => {
      await table.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Every table implementation the stores run on, by name. */
export const TABLES: [string, () => Promise<TestTable>][] = [
  ['moto', moto],
  ['the embedded table', embedded],
];
