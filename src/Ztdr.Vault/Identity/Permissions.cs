namespace Ztdr.Vault.Identity;

/// <summary>
/// The role → action matrix (ARCHITECTURE.md, least privilege). A key holding several roles may do the union of
/// what they allow. Permissions only decide who may *ask*; whether a protected version may change is decided by the
/// lock engine for everyone, so no role or combination of roles can destroy a compliance-locked version.
/// </summary>
public static class Permissions
{
    private static readonly Dictionary<Role, S3Action[]> Matrix = new()
    {
        [Role.Admin] =
        [
            S3Action.ListBuckets, S3Action.CreateBucket, S3Action.DeleteBucket, S3Action.ReadBucket,
            S3Action.GetBucketVersioning, S3Action.PutBucketVersioning,
            S3Action.GetBucketObjectLockConfiguration, S3Action.PutBucketObjectLockConfiguration,
            S3Action.ListObjects, S3Action.GetObjectRetention, S3Action.GetObjectLegalHold,
            S3Action.PlaceLegalHold, S3Action.ReleaseLegalHold,
        ],
        [Role.Backup] =
        [
            S3Action.ListBuckets, S3Action.ReadBucket, S3Action.GetBucketVersioning, S3Action.GetBucketObjectLockConfiguration,
            S3Action.ListObjects, S3Action.GetObject, S3Action.GetObjectRetention, S3Action.GetObjectLegalHold,
            S3Action.PutObject, S3Action.CreateDeleteMarker, S3Action.PutObjectRetention, S3Action.PlaceLegalHold,
        ],
        [Role.Reader] =
        [
            S3Action.ListBuckets, S3Action.ReadBucket, S3Action.GetBucketVersioning, S3Action.GetBucketObjectLockConfiguration,
            S3Action.ListObjects, S3Action.GetObject, S3Action.GetObjectRetention, S3Action.GetObjectLegalHold,
        ],
        [Role.Maintenance] =
        [
            S3Action.ListBuckets, S3Action.ReadBucket, S3Action.GetBucketVersioning, S3Action.GetBucketObjectLockConfiguration,
            S3Action.ListObjects, S3Action.GetObjectRetention, S3Action.GetObjectLegalHold,
            S3Action.DeleteObjectVersion, S3Action.BypassGovernanceRetention,
        ],
    };

    public static bool Allows(Role roles, S3Action action)
    {
        foreach (var (role, actions) in Matrix)
        {
            if ((roles & role) != 0 && Array.IndexOf(actions, action) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Parses "admin,backup" as used by <c>--role</c>; unknown names are an error.</summary>
    public static Role ParseRoles(string text)
    {
        var roles = Role.None;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            roles |= part.ToLowerInvariant() switch
            {
                "admin" => Role.Admin,
                "backup" => Role.Backup,
                "reader" => Role.Reader,
                "maintenance" => Role.Maintenance,
                _ => throw new ArgumentException($"unknown role '{part}' (roles: admin, backup, reader, maintenance)"),
            };
        }

        return roles == Role.None ? throw new ArgumentException("at least one role is needed (admin, backup, reader, maintenance)") : roles;
    }
}
