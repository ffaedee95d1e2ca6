-- Dev and staging only: creates an account, or replaces its token and active flag, hashing the token
-- as dbo.PartyTelegramUser_REGISTER_tr compares it. Do not grant it to the bot.
--   EXEC dbo.PlatformAccount_SAVE_tr @Username = N'demo', @Token = N'demo-token';
-- Needs 01-tables.sql. Idempotent (CREATE OR ALTER). SQL Server 2016 SP1 or later.
CREATE OR ALTER PROCEDURE dbo.PlatformAccount_SAVE_tr
    @Username NVARCHAR(128),
    @Token    NVARCHAR(512),
    @IsActive BIT = 1
AS
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;

    BEGIN TRANSACTION;

    UPDATE dbo.PlatformAccount WITH (UPDLOCK, SERIALIZABLE)
       SET TokenSha256 = HASHBYTES('SHA2_256', @Token),
           IsActive = @IsActive
     WHERE Username = @Username;

    IF @@ROWCOUNT = 0
        INSERT dbo.PlatformAccount (Username, TokenSha256, IsActive)
        VALUES (@Username, HASHBYTES('SHA2_256', @Token), @IsActive);

    COMMIT TRANSACTION;
    RETURN 0;
END;
GO
