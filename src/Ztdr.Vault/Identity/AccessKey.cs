namespace Ztdr.Vault.Identity;

/// <summary>A credential the vault issued. <see cref="Buckets"/> holds "*" for every bucket.</summary>
public sealed record AccessKey(string AccessKeyId, Role Roles, IReadOnlyList<string> Buckets, DateTimeOffset Created, DateTimeOffset? Revoked)
{
    public bool CoversBucket(string bucket) => Buckets.Contains("*") || Buckets.Contains(bucket);
}
