import { CfnResource, type IAspect, Stack } from 'aws-cdk-lib';
import { CfnRule } from 'aws-cdk-lib/aws-events';
import { CfnEventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** A checkov finding that does not apply, and why. */
export interface CheckovSkip {
  id: string;
  comment: string;
}

/**
 * Checks that do not apply to a kind of resource in this stack, with the reason. A skip is
 * written only where its reason holds for the resource (`applies`), so a change that makes the
 * reason false brings the finding back.
 */
const BY_TYPE: Record<string, Array<CheckovSkip & { applies?: (resource: CfnResource) => boolean }>> = {
  'AWS::Lambda::Function': [
    {
      id: 'CKV_AWS_116',
      comment:
        'Not invoked asynchronously by callers: SQS event sources redrive failures to dead-letter queues, scheduled runs are retried by EventBridge and raise an error alarm. A function DLQ would never receive anything.',
    },
    {
      id: 'CKV_AWS_117',
      comment:
        'Calls only AWS APIs, public HTTPS webhooks and public HTTPS feeds (with SSRF checks on every address and redirect); a VPC would add NAT gateways and protect no private resource.',
    },
    {
      id: 'CKV_AWS_115',
      comment:
        'Invoked only by its SQS event sources, each capped by maxConcurrency (ingest 10, each webhook queue 2 by default; docs/scaling.md): that cap bounds its concurrency, where a reservation would also hold capacity away from the rest of the account.',
      applies: (r) => {
        const sources = eventSourcesOf(r);
        return sources.length > 0 && sources.every((m) => maximumConcurrencyOf(m) !== undefined);
      },
    },
    {
      id: 'CKV_AWS_115',
      comment:
        'Invoked only by its EventBridge schedule (daily, or every 5 minutes) with at most 2 retries: a few runs at once at most; a reservation would hold capacity away from the rest of the account.',
      applies: (r) => eventSourcesOf(r).length === 0 && isScheduleTarget(r),
    },
    {
      id: 'CKV_AWS_173',
      comment:
        'The environment holds names, ARNs, subscriber settings and public feed URLs, no secrets: webhook signing secrets and webhook URLs that are credentials stay in Secrets Manager and only their names are here, and feed URLs that carry a credential are refused at synth; Lambda encrypts it at rest.',
    },
  ],
  'AWS::Logs::LogGroup': [
    {
      id: 'CKV_AWS_158',
      comment:
        'CloudWatch Logs encrypts at rest with service keys; the logs hold object keys and ids, never article text or secrets.',
    },
  ],
  'AWS::SQS::Queue': [
    {
      id: 'CKV_AWS_27',
      comment: 'Encrypted at rest with SSE-SQS (SqsManagedSseEnabled); the check only recognises a KMS key.',
      applies: (r) => r instanceof CfnQueue && r.sqsManagedSseEnabled === true,
    },
  ],
};

/** Skips for one resource, by its logical id prefix. */
const BY_RESOURCE: Record<string, CheckovSkip[]> = {
  BucketNotificationsHandler: [
    {
      id: 'CKV_AWS_115',
      comment:
        "CDK's custom resource that writes the bucket's notification configuration: CloudFormation invokes it at deploy time only.",
    },
  ],
  AccessLogs: [
    { id: 'CKV_AWS_18', comment: 'This is the access-log bucket; it cannot log to itself.' },
    {
      id: 'CKV_AWS_21',
      comment:
        'Access logs are written once by S3 and expire after 90 days; versions would only keep expired logs.',
    },
  ],
};

const logicalIdOf = (r: CfnResource): string => Stack.of(r).resolve(r.logicalId) as string;

/** The SQS (or other) event source mappings in the stack that invoke this function. */
const eventSourcesOf = (fn: CfnResource): CfnEventSourceMapping[] => {
  const stack = Stack.of(fn);
  const ref = JSON.stringify({ Ref: logicalIdOf(fn) });
  return stack.node
    .findAll()
    .filter((c): c is CfnEventSourceMapping => c instanceof CfnEventSourceMapping)
    .filter((m) => JSON.stringify(stack.resolve(m.functionName)) === ref);
};

const maximumConcurrencyOf = (m: CfnEventSourceMapping): number | undefined =>
  (Stack.of(m).resolve(m.scalingConfig) as { maximumConcurrency?: number } | undefined)?.maximumConcurrency;

/** Whether an EventBridge rule in the stack targets this function. */
const isScheduleTarget = (fn: CfnResource): boolean => {
  const stack = Stack.of(fn);
  const arn = JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] });
  return stack.node
    .findAll()
    .filter((c): c is CfnRule => c instanceof CfnRule && c.scheduleExpression !== undefined)
    .some((rule) => JSON.stringify(stack.resolve(rule.targets)).includes(arn));
};

/** Writes the reasoned skips into each resource's `Metadata.checkov`, where checkov reads them. */
export class CheckovReasons implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const logicalId = Stack.of(node).resolve(node.logicalId) as string;
    const skips: CheckovSkip[] = [
      ...(BY_TYPE[node.cfnResourceType] ?? [])
        .filter((s) => !s.applies || s.applies(node))
        .map(({ id, comment }) => ({ id, comment })),
      ...Object.entries(BY_RESOURCE)
        .filter(([prefix]) => logicalId.startsWith(prefix))
        .flatMap(([, s]) => s),
    ];
    if (skips.length > 0) node.addMetadata('checkov', { skip: skips });
  }
}
