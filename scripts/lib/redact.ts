/** Replaces every occurrence of the given secrets, so that no message can carry one out. */
export function redactor (secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const values = secrets.filter((secret): secret is string => secret !== undefined && secret.length > 0)
  return (text) => values.reduce((redacted, secret) => redacted.split(secret).join('[redacted]'), text)
}
