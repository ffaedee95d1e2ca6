import { fromEnv } from '@aws-sdk/credential-provider-env'
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types'

/**
 * Stand-in for @aws-sdk/credential-provider-node (the default credential chain) in the Lambda bundles
 * (infra/lambda-build.ts), for every AWS SDK client they carry (SQS today; DynamoDB and any other
 * client resolve the same package). Lambda always puts the execution role's keys in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the chain's first link is the only
 * one ever reached there. What this gives up: AWS_PROFILE and the INI files, SSO, process
 * credentials, STS web identity, and the container and instance metadata endpoints; none exists in
 * Lambda. Missing keys fail the first AWS call with an error that says so.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider => {
  const fromEnvironment = fromEnv(init)
  return async () => {
    try {
      return await fromEnvironment()
    } catch (error) {
      throw new Error('Lambda build: AWS credentials are read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY only (the default chain is left out of this bundle), and they are not set', { cause: error })
    }
  }
}
