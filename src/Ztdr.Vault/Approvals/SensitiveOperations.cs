using Microsoft.Data.Sqlite;
using Ztdr.Vault.Identity;
using Ztdr.Vault.Locking;
using Ztdr.Vault.Storage;

namespace Ztdr.Vault.Approvals;

/// <summary>
/// Runs an approved sensitive operation inside the write transaction that marks its approval approved, so the two
/// commit together. What may only follow the commit (removing files, restoring the clock) is returned as an action.
/// </summary>
public sealed class SensitiveOperations
{
    private readonly VaultStore _store;
    private readonly SecureClock _clock;

    public SensitiveOperations(VaultStore store, SecureClock clock)
    {
        _store = store;
        _clock = clock;
    }

    /// <exception cref="ApprovalRefusedException">The operation cannot run now; nothing is changed.</exception>
    /// <exception cref="Ztdr.S3.Errors.S3Exception">A bucket operation refused (not empty, beyond its limits).</exception>
    internal Action? Execute(SqliteConnection connection, SqliteTransaction transaction, PendingApproval approval, string? secret)
    {
        var p = approval.Parameters;
        switch (approval.Operation)
        {
            case SensitiveOperation.CreateAdminKey:
                AccessKeyStore.Insert(
                    connection,
                    transaction,
                    p.AccessKeyId!,
                    secret ?? throw new InvalidDataException($"approval {approval.ApprovalId} holds no secret for key {p.AccessKeyId}"),
                    Permissions.ParseRoles(string.Join(',', p.Roles ?? [])),
                    p.Buckets ?? [],
                    p.QuotaBytes,
                    _clock.Now.Now);
                return null;
            case SensitiveOperation.RevokeAdminKey:
                return AccessKeyStore.Revoke(connection, transaction, p.AccessKeyId!, _clock.Now.Now) switch
                {
                    RevokeOutcome.NotFound => throw ApprovalRefusedException.CannotRun("NoSuchAccessKey", 404, $"there is no access key '{p.AccessKeyId}'"),
                    RevokeOutcome.LastAdminKey => throw ApprovalRefusedException.CannotRun("LastAdminKey", 409, $"key {p.AccessKeyId} is the last active admin key; create another admin key first"),
                    _ => null,
                };
            case SensitiveOperation.ChangeBucketLimits:
                BucketCatalog.SetLimits(connection, transaction, p.Bucket!, ParseMaxRetention(p.MaxRetention), p.QuotaBytes);
                return null;
            case SensitiveOperation.DeleteBucket:
                var orphans = BucketCatalog.Delete(connection, transaction, p.Bucket!);
                return () => _store.DeleteFiles(orphans);
            case SensitiveOperation.ChangeObjectLockConfiguration:
                var rule = p.DefaultMode is null ? null : new DefaultRetention(ParseMode(p.DefaultMode), p.DefaultDays, p.DefaultYears);
                BucketCatalog.SetObjectLockConfiguration(connection, transaction, p.Bucket!, rule, _clock.Now);
                return null;
            case SensitiveOperation.TrustClock:
                var now = _clock.Now;
                if (now.Trusted)
                {
                    throw ApprovalRefusedException.CannotRun("ClockAlreadyTrusted", 409, "the vault's clock is trusted already; reject this approval");
                }

                // The proposal named true time when it was made; the vault's own clock says how much time has passed since.
                var trusted = p.ProposedTime!.Value + (now.Now - p.VaultTimeAtRequest!.Value);
                if (trusted < now.Now)
                {
                    throw ApprovalRefusedException.CannotRun("InvalidRequest", 400, $"the proposed time is behind the vault's current time {now.Now:O}; trusted time never moves backwards");
                }

                // False only when a concurrent approval restored trust between this commit and now: nothing to do then.
                return () => _clock.RestoreTrust(trusted + (_clock.Now.Now - now.Now));
            default:
                throw new InvalidDataException($"approval {approval.ApprovalId} names an unknown operation '{approval.Operation}'");
        }
    }

    /// <summary>"30d" or "10y" (as <see cref="MaxRetention.ToString"/> writes it); null for none.</summary>
    public static MaxRetention? ParseMaxRetention(string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Length >= 2 && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd' when n <= 365_000:
                    return new MaxRetention(n, null);
                case 'y' when n <= 1000:
                    return new MaxRetention(null, n);
            }
        }

        throw new ArgumentException($"maximum retention '{text}': use days (1d..365000d) or years (1y..1000y)");
    }

    public static LockMode ParseMode(string mode) => mode.ToUpperInvariant() switch
    {
        "GOVERNANCE" => LockMode.Governance,
        "COMPLIANCE" => LockMode.Compliance,
        _ => throw new ArgumentException($"lock mode '{mode}': use GOVERNANCE or COMPLIANCE"),
    };

    public static string FormatMode(LockMode mode) => mode == LockMode.Compliance ? "COMPLIANCE" : "GOVERNANCE";
}
