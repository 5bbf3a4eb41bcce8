namespace Ztdr.Vault.Management;

/// <summary>One management-plane error: a stable code, an HTTP status, and a message that says what to do.</summary>
public sealed record ManagementError(string Code, int Status, string Message);

/// <summary>Every error the management API answers with, built in this one place.</summary>
public static class ManagementErrors
{
    public static ManagementError NotFound(string path) =>
        new("NotFound", 404, $"no management operation at '{path}' (see /admin/v1/health, /admin/v1/keys, /admin/v1/approvals, /admin/v1/buckets/NAME/limits, /admin/v1/clock/trust)");

    public static ManagementError MethodNotAllowed(string method, string path) =>
        new("MethodNotAllowed", 405, $"{method} is not allowed on '{path}'");

    public static ManagementError InvalidRequest(string why) => new("InvalidRequest", 400, why);

    public static ManagementError NoSuchAccessKey(string id) =>
        new("NoSuchAccessKey", 404, $"there is no access key '{id}' (list them with 'ztdr-vault keys list')");

    public static ManagementError LastAdminKey(string id) =>
        new("LastAdminKey", 409, $"key {id} is the last active admin key; revoking it would leave nobody able to manage keys. Create another admin key first ('ztdr-vault keys create --role admin ...'), then revoke this one");

    public static ManagementError AuthenticationRequired(string why) =>
        new("AccessDenied", 403, $"the management API over TCP needs a SigV4-signed request from an admin key: {why}");

    public static ManagementError NotAdmin(string id) =>
        new("AccessDenied", 403, $"key {id} does not have the admin role; only admin keys may use the management API");

    public static ManagementError SlowDown() =>
        new("SlowDown", 503, "too many failed authentications from this address; wait a minute before trying again");

    public static ManagementError Internal() =>
        new("InternalError", 500, "the vault failed to handle the request; its log has the details");
}

/// <summary>
/// A management operation that failed, with its one-line message. An <see cref="InvalidOperationException"/>, so
/// the CLI reports it as one line and a non-zero exit.
/// </summary>
public sealed class ManagementException : InvalidOperationException
{
    public ManagementException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public ManagementException(string code, string message, Exception inner)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The management error code, or "VaultNotRunning" when the vault could not be reached.</summary>
    public string Code { get; }
}
