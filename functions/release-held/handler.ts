import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoDbGateStore } from '../adapters/aws/dynamodb-gate-store.ts';
import { snsGatedSender } from '../adapters/aws/sns-gated-sender.ts';
import { buildClients } from '../commons/clients.ts';
import { readGatedSubscribers } from '../commons/config.ts';
import { logger, metrics, tracer } from '../commons/powertools.ts';
import type { GateStore } from '../core/alerts/fatigue.ts';
import type { EmailSubscriber } from '../core/alerts/subscriber-rules.ts';
import { releaseAllHeld, type SendToSubscriber } from '../core/pipeline/gated.ts';
import type { Clock } from '../core/pipeline/ports.ts';

/** What releasing held alerts needs. */
export interface ReleaseDependencies {
  gated: readonly EmailSubscriber[];
  store: GateStore;
  clock: Clock;
  send: SendToSubscriber;
}

/**
 * Builds the scheduled function that sends alerts held by fatigue controls once their hold
 * has ended (quiet hours over, cooldown past, a new day), folded into one message per subscriber.
 */
export const createReleaseHandler = (deps: ReleaseDependencies) =>
  middy(async (_event: unknown, _context: Context) => {
    const { released, failed } = await releaseAllHeld(deps.gated, deps.store, deps.clock, deps.send);
    for (const r of released)
      logger.info('held alerts sent', { subscriberId: r.subscriberId, alerts: r.released });
    for (const f of failed) logger.error('held alerts not sent; tried again next run', { ...f });
    metrics.addMetric(
      'HeldAlertsReleased',
      MetricUnit.Count,
      released.reduce((n, r) => n + r.released, 0),
    );
    if (failed.length > 0) metrics.addMetric('HeldAlertReleaseFailures', MetricUnit.Count, failed.length);
    return { released, failed };
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(logMetrics(metrics));

const defaultDependencies = (): ReleaseDependencies => {
  const env = process.env;
  if (!env.TABLE_NAME || !env.ALERTS_TOPIC_ARN)
    throw new Error('TABLE_NAME and ALERTS_TOPIC_ARN must be set');
  const clients = buildClients();
  return {
    gated: readGatedSubscribers(env),
    store: new DynamoDbGateStore(clients.doc, env.TABLE_NAME),
    clock: { now: () => new Date() },
    send: snsGatedSender(clients.sns, env.ALERTS_TOPIC_ARN),
  };
};

/** Lambda entry point. */
let ready: ReturnType<typeof createReleaseHandler> | undefined;
export const handler = (event: unknown, context: Context) => {
  ready ??= createReleaseHandler(defaultDependencies());
  return ready(event, context);
};
