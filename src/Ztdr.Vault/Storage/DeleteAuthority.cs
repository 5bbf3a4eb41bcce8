namespace Ztdr.Vault.Storage;

/// <summary>
/// What a delete brings to the lock engine: whether it asked to bypass governance retention
/// (x-amz-bypass-governance-retention: true) and whether its key holds that permission. Both are needed.
/// </summary>
public readonly record struct DeleteAuthority(bool BypassRequested, bool BypassPermitted);
