import { fromEnv } from '@aws-sdk/credential-provider-env'

/**
 * What-if stand-in for @aws-sdk/credential-provider-node in the SQS client's default configuration:
 * Lambda always puts the role's credentials in the environment, so the rest of the default chain
 * (INI files, SSO, STS web identity, container and instance metadata) is never reached there.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): ReturnType<typeof fromEnv> => fromEnv(init)
