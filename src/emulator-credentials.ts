/**
 * The AWS SDK clients' credentials when they talk to a local emulator (fauxqs, dynalite), which accepts
 * any: only with an endpoint override and no keys in the environment. Real AWS always gets the
 * default provider chain (on Lambda, the role's keys in the environment).
 */
export function emulatorCredentials (endpoint: string | undefined): { credentials?: { accessKeyId: string, secretAccessKey: string } } {
  return endpoint !== undefined && process.env.AWS_ACCESS_KEY_ID === undefined
    ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {}
}
