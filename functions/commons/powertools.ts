import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The service name on every log line, metric and trace. */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'newswatch';

/** One logger for all functions: JSON lines, the Lambda context added by the handler. */
export const logger = new Logger({ serviceName });

/** Business metrics (EMF), flushed after each invocation. */
export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Newswatch',
});

/** X-Ray tracer; inactive outside Lambda. */
export const tracer = new Tracer({ serviceName });
