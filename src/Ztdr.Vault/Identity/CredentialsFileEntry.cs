using System.Text;

namespace Ztdr.Vault.Identity;

/// <summary>One profile of an AWS shared-credentials file.</summary>
public sealed record CredentialsFileEntry(string Profile, string AccessKeyId, string SecretAccessKey)
{
    // A record prints every property; a secret must never reach a log through ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Profile = ").Append(Profile).Append(", AccessKeyId = ").Append(AccessKeyId).Append(", SecretAccessKey = ***");
        return true;
    }
}
