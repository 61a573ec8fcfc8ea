import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { NewswatchStack } from './newswatch-stack.ts';

/** Builds the newswatch CDK app, with the AwsSolutions checks that fail synth on any finding. */
export const buildApp = (app = new App()): { app: App; stack: NewswatchStack } => {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const maxObjectBytes = context('maxObjectBytes');
  const stack = new NewswatchStack(app, context('stackName') ?? 'Newswatch', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...(maxObjectBytes ? { maxObjectBytes: Number(maxObjectBytes) } : {}),
    retainData: String(context('retainData')) !== 'false',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
};

if (import.meta.main) buildApp().app.synth();
