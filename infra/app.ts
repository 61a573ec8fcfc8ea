import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { App, Aspects, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSubscribers, type Subscriber } from '../functions/core/alerts/subscribers.ts';
import { type Feed, loadFeeds } from '../functions/core/feeds/feeds-file.ts';
import { loadTopicFiles } from '../functions/core/topics/topic-files.ts';
import { CheckovReasons } from './checkov.ts';
import { NewswatchStack } from './newswatch-stack.ts';

/** The ids of the topics in seeds/topics, in the order of the files (sorted by name) and within them. */
export const readTopicIds = (root = new URL('../seeds/', import.meta.url)): string[] => {
  const topicsDir = new URL('topics/', root);
  const files = readdirSync(topicsDir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => ({ path: f, text: readFileSync(new URL(f, topicsDir), 'utf8') }));
  return loadTopicFiles(files).topics.map((t) => t.id);
};

/** Reads seeds/subscribers.yaml, checked against the topic ids in seeds/topics; fails synth on any problem. */
export const readSubscribers = (root = new URL('../seeds/', import.meta.url)): Subscriber[] => {
  const topicIds = new Set(readTopicIds(root));
  const { subscribers, problems } = loadSubscribers(
    readFileSync(new URL('subscribers.yaml', root), 'utf8'),
    topicIds,
  );
  if (problems.length > 0) {
    throw new Error(
      `seeds/subscribers.yaml has problems:\n${problems.map((p) => `  ${p.line}:${p.column}: ${p.message}`).join('\n')}`,
    );
  }
  return subscribers;
};

/**
 * Reads seeds/feeds.yaml (no file: no feeds), checked against the topic ids in seeds/topics and
 * with https URLs only; fails synth on any problem.
 */
export const readFeeds = (root = new URL('../seeds/', import.meta.url)): Feed[] => {
  const file = new URL('feeds.yaml', root);
  if (!existsSync(file)) return [];
  const { feeds, problems } = loadFeeds(readFileSync(file, 'utf8'), new Set(readTopicIds(root)));
  if (problems.length > 0) {
    throw new Error(
      `seeds/feeds.yaml has problems:\n${problems.map((p) => `  ${p.line}:${p.column}: ${p.message}`).join('\n')}`,
    );
  }
  return feeds;
};

/**
 * Builds the newswatch CDK app, with the AwsSolutions checks that fail synth on any finding, from
 * the topics, subscribers and feeds under `seeds` (a folder URL ending in '/'; the repository's
 * seeds/ by default).
 */
export const buildApp = (
  app = new App(),
  seeds = new URL('../seeds/', import.meta.url),
): { app: App; stack: NewswatchStack } => {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const numeric = (key: string) => {
    const value = context(key);
    return value === undefined ? {} : { [key]: Number(value) };
  };
  const opsEmail = context('opsEmail');
  const stack = new NewswatchStack(app, context('stackName') ?? 'Newswatch', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...numeric('maxObjectBytes'),
    retainData: String(context('retainData')) !== 'false',
    subscribers: readSubscribers(seeds),
    topicIds: readTopicIds(seeds),
    ...(opsEmail ? { opsEmail } : {}),
    ...numeric('heartbeatHours'),
    ...numeric('topicMetricsMax'),
    ...numeric('topicFloodPerHour'),
    ...numeric('ingestMaxConcurrency'),
    ...numeric('webhookMaxConcurrency'),
    feeds: readFeeds(seeds),
    ...numeric('feedMetricsMax'),
    ...numeric('feedFailuresToAlarm'),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  Aspects.of(app).add(new CheckovReasons());
  return { app, stack };
};

if (import.meta.main) buildApp().app.synth();
