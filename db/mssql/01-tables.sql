-- Reference schema for dev and staging databases: the tables behind the stored procedure contract
-- (docs/database.md). The production platform has its own; the bot only relies on the procedure.
-- Idempotent: run it as often as you like (sqlcmd -b -i 01-tables.sql). SQL Server 2016 SP1 or later.

-- Platform accounts. Tokens are kept only as SHA-256 hashes of their UTF-16LE bytes, which is what
-- HASHBYTES computes for an NVARCHAR. Tokens are long random API credentials, not chosen passwords,
-- so an unsalted fast hash is enough; chosen passwords would need a salted, slow hash instead.
IF OBJECT_ID(N'dbo.PlatformAccount', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.PlatformAccount (
        Username    NVARCHAR(128) NOT NULL CONSTRAINT PK_PlatformAccount PRIMARY KEY,
        TokenSha256 BINARY(32)    NOT NULL,
        IsActive    BIT           NOT NULL CONSTRAINT DF_PlatformAccount_IsActive DEFAULT (1),
        CreatedAt   DATETIME2(0)  NOT NULL CONSTRAINT DF_PlatformAccount_CreatedAt DEFAULT (SYSUTCDATETIME())
    );
END;
GO

-- Which platform account each Telegram user is linked to: one row per Telegram user, so registering
-- again updates the row (and may move it to another account the user has the credentials of).
IF OBJECT_ID(N'dbo.PartyTelegramUser', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.PartyTelegramUser (
        TelegramUserId   BIGINT        NOT NULL CONSTRAINT PK_PartyTelegramUser PRIMARY KEY,
        TelegramChatId   BIGINT        NOT NULL,
        TelegramUsername NVARCHAR(64)  NULL,
        Username         NVARCHAR(128) NOT NULL
            CONSTRAINT FK_PartyTelegramUser_PlatformAccount REFERENCES dbo.PlatformAccount (Username),
        RegisteredAt     DATETIME2(0)  NOT NULL
    );
END;
GO

-- Every attempt, accepted or not: the audit trail (and what rate limiting would be built on). No token here.
IF OBJECT_ID(N'dbo.RegistrationAttempt', N'U') IS NULL
BEGIN
    CREATE TABLE dbo.RegistrationAttempt (
        RegistrationAttemptId BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT PK_RegistrationAttempt PRIMARY KEY,
        TelegramUserId        BIGINT        NOT NULL,
        Username              NVARCHAR(128) NOT NULL,
        Outcome               VARCHAR(10)   NOT NULL
            CONSTRAINT CK_RegistrationAttempt_Outcome CHECK (Outcome IN ('registered', 'rejected')),
        AttemptedAt           DATETIME2(0)  NOT NULL CONSTRAINT DF_RegistrationAttempt_AttemptedAt DEFAULT (SYSUTCDATETIME())
    );
END;
GO
