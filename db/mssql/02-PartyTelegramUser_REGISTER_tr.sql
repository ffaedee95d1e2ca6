-- Reference implementation of the contract the bot calls (docs/database.md):
--   return 0                 registered (linked, or linked again: re-registering is idempotent)
--   return 1                 rejected: unknown username or wrong token
--   THROW 50001              rejected: the account exists and the token is right, but it is disabled
-- Any error numbered 50000 or more means "rejected" to the bot; every other error is retried.
-- Needs 01-tables.sql. Idempotent (CREATE OR ALTER). SQL Server 2016 SP1 or later.
CREATE OR ALTER PROCEDURE dbo.PartyTelegramUser_REGISTER_tr
    @TelegramUserId   BIGINT,
    @TelegramChatId   BIGINT,
    @TelegramUsername NVARCHAR(64) = NULL,
    @Username         NVARCHAR(128),
    @Token            NVARCHAR(512)
AS
BEGIN
    SET NOCOUNT ON;
    -- Any error rolls the whole transaction back, so a failed call leaves nothing half done.
    SET XACT_ABORT ON;

    DECLARE @IsActive BIT;
    SELECT @IsActive = IsActive
      FROM dbo.PlatformAccount
     WHERE Username = @Username
       AND TokenSha256 = HASHBYTES('SHA2_256', @Token);

    DECLARE @Outcome VARCHAR(10) = CASE WHEN @IsActive = 1 THEN 'registered' ELSE 'rejected' END;

    BEGIN TRANSACTION;

    INSERT dbo.RegistrationAttempt (TelegramUserId, Username, Outcome)
    VALUES (@TelegramUserId, @Username, @Outcome);

    IF @Outcome = 'registered'
    BEGIN
        -- Update-else-insert under a key-range lock: two concurrent calls for one Telegram user
        -- cannot both insert (SQS FIFO already serialises them per user; this holds without it).
        UPDATE dbo.PartyTelegramUser WITH (UPDLOCK, SERIALIZABLE)
           SET TelegramChatId = @TelegramChatId,
               TelegramUsername = @TelegramUsername,
               Username = @Username,
               RegisteredAt = SYSUTCDATETIME()
         WHERE TelegramUserId = @TelegramUserId;

        IF @@ROWCOUNT = 0
            INSERT dbo.PartyTelegramUser (TelegramUserId, TelegramChatId, TelegramUsername, Username, RegisteredAt)
            VALUES (@TelegramUserId, @TelegramChatId, @TelegramUsername, @Username, SYSUTCDATETIME());
    END;

    COMMIT TRANSACTION;

    -- Raised after the commit, so that the attempt stays recorded.
    IF @IsActive = 0
        THROW 50001, N'The platform account is disabled.', 1;

    RETURN (CASE WHEN @Outcome = 'registered' THEN 0 ELSE 1 END);
END;
GO

-- The bot's database user needs nothing but this (ownership chaining covers the tables):
-- GRANT EXECUTE ON dbo.PartyTelegramUser_REGISTER_tr TO [telegram-register-bot];
