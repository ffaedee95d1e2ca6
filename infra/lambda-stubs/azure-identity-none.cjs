'use strict'

// Stand-in for @azure/identity (with @azure/msal-node, @azure/core-rest-pipeline and
// @typespec/ts-http-runtime behind it: ~450 kB) in the Lambda bundles (infra/lambda-build.ts). Its only
// importer here is tedious, SQL Server's driver, which loads it up front for Microsoft Entra ID
// (Azure AD) logins. What this gives up: `Authentication=ActiveDirectory…` connection strings
// (password, service principal, managed identity, default credential) and Always Encrypted's Azure
// Key Vault provider. SQL Server logins (User Id / Password), the only kind this project configures
// and tests (docs/database.md), are untouched. A connection string that asks for Entra ID fails at its
// first connection with this message instead of half-working.
class EntraIdLeftOut {
  constructor () {
    throw new Error('Lambda build: Microsoft Entra ID (Azure AD) authentication for SQL Server is left out of this bundle (infra/lambda-stubs/azure-identity-none.cjs); use a SQL Server login (User Id / Password)')
  }
}

module.exports = {
  ClientSecretCredential: EntraIdLeftOut,
  DefaultAzureCredential: EntraIdLeftOut,
  ManagedIdentityCredential: EntraIdLeftOut,
  UsernamePasswordCredential: EntraIdLeftOut
}
